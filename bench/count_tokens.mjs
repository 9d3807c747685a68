// Counts o200k_base tokens (the GPT-4o / o-series tokenizer) offline: reads a JSON array of
// strings on stdin and prints a JSON array of their token counts. The ranks come bundled in
// the npm package gpt-tokenizer (installed into target/bench-peers by scripts/bench.sh);
// Python's tiktoken would download them at run time, which this machine cannot.
//
//   echo '["hello world"]' | BENCH_PEERS=target/bench-peers node bench/count_tokens.mjs
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const peers = path.resolve(process.env.BENCH_PEERS ?? path.join(here, "..", "target", "bench-peers"));
const require = createRequire(path.join(peers, "package.json"));
const { encode } = require("gpt-tokenizer/encoding/o200k_base");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const texts = JSON.parse(input);
  if (!Array.isArray(texts) || texts.some((t) => typeof t !== "string")) {
    console.error("count_tokens: expected a JSON array of strings on stdin");
    process.exit(2);
  }
  process.stdout.write(JSON.stringify(texts.map((t) => encode(t).length)) + "\n");
});
