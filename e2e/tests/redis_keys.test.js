// The Redis key browser end to end on the real window, against the local Redis: this run's
// keys (in database 14, under a prefix of its own) are found in the prefix tree, a hash of
// 2,000 fields (too many for Redis to keep it compact, so HSCAN really pages) opens with its
// facts and pages on with "Load 100 more", and a list shows its last element first when
// read from the end.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before } from "node:test";
import { T, config, screenshot, step, tid } from "../lib/harness.js";
import { attrIs, click, openAppWithUi, shown, typeInto, until, valueIs } from "../lib/ui.js";

const PROFILE = "e2e-redis";
const DB = 14;
const URL = `${(process.env.DBDOCK_TEST_REDIS_URL ?? "redis://127.0.0.1:6379").replace(/\/$/, "")}/${DB}`;
const P = `e2e${process.pid}`;

let browser;
const current = () => browser;

function redis(...args) {
  return execFileSync("redis-cli", ["-u", URL, ...args], { encoding: "utf8" }).trim();
}

before(async () => {
  const fields = [];
  for (let i = 0; i < 2000; i++) fields.push(`f${String(i).padStart(3, "0")}`, `v${i}`);
  redis("HSET", `${P}:user:1`, ...fields);
  redis("HSET", `${P}:user:2`, "name", "Grace");
  redis("RPUSH", `${P}:queue`, "first", "middle", "last");
  execFileSync(config.cli, ["profile", "add", PROFILE, "--url", URL]);
  browser = await openAppWithUi();
}, { timeout: T.start + 30_000 });

after(async () => {
  if (browser) await browser.deleteSession();
  try {
    redis("DEL", `${P}:user:1`, `${P}:user:2`, `${P}:queue`);
  } catch {
    // The server is gone: nothing to clean.
  }
});

/** The tree row of a prefix or key, once it is shown. */
async function node(name) {
  const el = browser.$(tid("key-node", `[data-name="${name}"]`));
  await el.waitForDisplayed({ timeout: T.db, timeoutMsg: `the key tree did not show ${name} within ${T.db} ms` });
  return el;
}

step("redis keys: the tree leads to a hash, which opens and pages on", current, async () => {
  await click(browser, "nav-schema");
  const select = await shown(browser, "schema-profile");
  await select.selectByAttribute("value", PROFILE);
  await valueIs(browser, "schema-profile", PROFILE);
  await shown(browser, "key-browser", T.db);
  await valueIs(browser, "key-db", String(DB), T.db);
  await (await node(`${P}:`)).click();
  const users = await node(`${P}:user:`);
  assert.equal(await users.getAttribute("data-keys"), "2");
  await users.click();
  await (await node(`${P}:user:1`)).click();
  await attrIs(browser, "key-panel", "data-type", "hash", T.db);
  // HSCAN's COUNT is a hint: a page holds about 100 fields, never the whole hash.
  const count = async () => Number(await (await shown(browser, "key-entries")).getAttribute("data-count"));
  const first = await until(browser, "the first page of the hash", count, (n) => n > 0 && n < 2000, T.db);
  const facts = await (await shown(browser, "key-facts")).getText();
  assert.match(facts, /2,000 entries/);
  await click(browser, "key-load-more");
  await until(browser, "a second page added to the first", count, (n) => n > first && n < 2000, T.db);
  await screenshot(browser, "redis-hash");
});

step("redis keys: a glob finds a list, read from the end", current, async () => {
  await typeInto(browser, "key-filter", `${P}:q*`);
  await shown(browser, "key-search", T.db);
  await (await node(`${P}:queue`)).click();
  await attrIs(browser, "key-panel", "data-type", "list", T.db);
  await click(browser, "key-reverse");
  await browser.waitUntil(async () => (await (await browser.$(tid("key-entry"))).getText()).includes("last"), {
    timeout: T.db,
    timeoutMsg: "the list read from the end did not start with its last element",
  });
  await screenshot(browser, "redis-list");
}, { needs: ["redis keys: the tree leads to a hash, which opens and pages on"] });
