// The installed package, smoke-tested: the app from /usr/bin opens its window on the demo
// database, and "Install into Claude Desktop" writes the installed sidecar /usr/bin/dbdock
// into the client's config. Run by scripts/package-smoke.sh (through
// `scripts/e2e.sh --installed`) after it installed the deb; not part of the build's suite.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { after, before } from "node:test";
import { T, config, diagnoseBlankPage, openApp, step, tid } from "../lib/harness.js";
import { attrIs, click, shown, textMatches, textOf, until } from "../lib/ui.js";

let browser;
const current = () => browser;
const OPENED = "the installed app opens its window on the demo database";

before(async () => {
  browser = await openApp();
  try {
    await shown(browser, "nav-connections", T.start);
  } catch (error) {
    throw new Error(`the installed app's window shows no UI: ${error.message}. ${await diagnoseBlankPage(browser)}`);
  }
}, { timeout: T.start + 30_000 });

after(async () => {
  if (browser) await browser.deleteSession();
});

/** The X display as a person would see it, not the webview's own rendering of its page. */
function screenOf(name) {
  const file = path.join(config.screenshots, `${name}-display.png`);
  execFileSync("import", ["-window", "root", file]);
  // The spread of the pixels' brightness: 0 for a blank (single-colour) screen.
  const spread = Number(execFileSync("convert", [file, "-colorspace", "Gray", "-format", "%[fx:standard_deviation]", "info:"], { encoding: "utf8" }));
  return { file, spread };
}

step(OPENED, current, async () => {
  await click(browser, "nav-connections");
  await shown(browser, "connection-shop", T.db);
  const windows = execFileSync("xwininfo", ["-root", "-tree"], { encoding: "utf8" });
  assert.match(windows, /"DB Dock"/, `no window titled "DB Dock" on the display:\n${windows}`);
  const { file, spread } = screenOf("opened");
  assert.ok(spread > 0.02, `the display looks blank (brightness spread ${spread}): ${file}`);
});

step("Install into Claude Desktop writes the installed /usr/bin/dbdock", current, async () => {
  const configFile = path.join(config.home, ".config", "Claude", "claude_desktop_config.json");
  await click(browser, "nav-ai");
  await shown(browser, "ai-client-claude-desktop", T.db);
  await textMatches(browser, "ai-path-claude-desktop", `should be ${configFile}`, (t) => t.trim() === configFile);
  await click(browser, "ai-install-claude-desktop");
  await attrIs(browser, "ai-client-claude-desktop", "data-installed", "true", T.db);
  assert.ok(existsSync(configFile), `${configFile} was not written`);
  const server = JSON.parse(readFileSync(configFile, "utf8")).mcpServers?.dbdock;
  assert.equal(server?.command, config.cli, `the entry should spawn the installed sidecar: ${JSON.stringify(server)}`);

  // The self-test spawns that command as Claude Desktop would and lists its tools.
  await click(browser, "ai-selftest");
  const ok = await until(
    browser,
    "the self-test should finish",
    () => browser.$(tid("ai-selftest-result")).getAttribute("data-ok"),
    (v) => v === "true" || v === "false",
    30_000,
  );
  assert.equal(ok, "true", `the self-test of ${config.cli} failed: ${await textOf(browser, tid("ai-selftest-result"))}`);
}, { needs: [OPENED] });
