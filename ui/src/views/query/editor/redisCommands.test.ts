import { CompletionContext } from "@codemirror/autocomplete";
import { EditorState } from "@codemirror/state";
import { describe, expect, it } from "vitest";
import { demoSpec } from "../../../dev/demoEngines";
import { redisCommands, redisCompletionSource } from "./redisCommands";

function complete(text: string, readsOnly: boolean, explicit = false): string[] | null {
  const state = EditorState.create({ doc: text });
  const source = redisCompletionSource(redisCommands(demoSpec("redis"), readsOnly));
  const result = source(new CompletionContext(state, text.length, explicit));
  if (!result || result instanceof Promise) return null;
  return result.options.map((o) => o.label);
}

describe("the Redis console's completion", () => {
  it("offers only the spec's reads on a read-only profile, and the writes too elsewhere", () => {
    expect(complete("hg", true)).toContain("HGETALL");
    expect(complete("hg", true)).not.toContain("HSET");
    expect(complete("hs", false)).toContain("HSET");
    expect(complete("  me", true)).toContain("MEMORY");
  });

  it("completes a container's subcommands, and never an argument", () => {
    expect(complete("MEMORY us", true)).toEqual(["USAGE"]);
    expect(complete("GET user:1 na", true)).toBeNull();
    expect(complete("GET us", true)).toBeNull();
  });

  it("waits for a letter unless asked", () => {
    expect(complete("", true)).toBeNull();
    expect(complete("", true, true)?.length).toBeGreaterThan(10);
  });
});
