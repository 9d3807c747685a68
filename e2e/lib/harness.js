// Shared by the e2e tests: the WebDriver session on the real app window (tauri-driver in
// front of WebKitWebDriver), screenshots, data-testid selectors, psql, and the environment
// scripts/e2e.sh prepares. Run the suite through scripts/e2e.sh, not directly.

import { execFileSync } from "node:child_process";
import { appendFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { remote } from "webdriverio";

function env(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the e2e suite with bash scripts/e2e.sh`);
  return value;
}

export const config = {
  app: env("E2E_APP"),
  cli: env("E2E_CLI"),
  work: env("E2E_WORK"),
  home: env("HOME"),
  dbdockHome: env("DBDOCK_HOME"),
  screenshots: env("E2E_SCREENSHOTS"),
  port: Number(env("E2E_DRIVER_PORT")),
  // Read when used: the installed-package smoke suite (scripts/e2e.sh --installed) has
  // neither a test database nor an sshd.
  get pgDb() {
    return env("E2E_PG_DB");
  },
  /** The private sshd of the SSH tunnel step (scripts/private-sshd.sh): its port and directory. */
  get sshPort() {
    return Number(env("E2E_SSH_PORT"));
  },
  get sshDir() {
    return env("E2E_SSH_DIR");
  },
};

/** Timeouts (ms): waiting for the UI, for a database round trip, for the app to open. */
export const T = { ui: 10_000, db: 20_000, start: 30_000 };

/** Opens the app through tauri-driver. No browserName: tauri-driver picks WebKitWebDriver. */
export async function openApp() {
  const browser = await remote({
    hostname: "127.0.0.1",
    port: config.port,
    logLevel: "warn",
    connectionRetryTimeout: T.start,
    connectionRetryCount: 1,
    waitforTimeout: T.ui,
    capabilities: {
      "tauri:options": { application: config.app },
      // WebKitWebDriver speaks classic WebDriver only; do not ask for a BiDi socket.
      "wdio:enforceWebDriverClassic": true,
    },
  });
  return browser;
}

/**
 * Why the window shows no UI: the page's URL, its locale, and the error its entry module
 * throws when evaluated again (a module that throws at load leaves #root empty and logs
 * nowhere WebDriver can read).
 */
export async function diagnoseBlankPage(browser) {
  return browser.executeAsync((done) => {
    const facts = [
      `url ${location.href}`,
      `navigator.language ${JSON.stringify(navigator.language)}`,
      `#root has ${document.getElementById("root")?.childElementCount ?? "no"} children`,
    ];
    const entry = [...document.querySelectorAll("script[type=module]")].map((s) => s.src).find(Boolean);
    if (!entry) return done(facts.concat("no module script").join("; "));
    import(`${entry}?e2e-diagnose=${Date.now()}`).then(
      () => done(facts.concat("the entry module loads without error").join("; ")),
      (error) => done(facts.concat(`the entry module throws: ${error}`).join("; ")),
    );
  });
}

/** `[data-testid="id"]`, optionally followed by more CSS. */
export function tid(id, rest = "") {
  return `[data-testid="${id}"]${rest}`;
}

let shotIndex = 0;
const failedFile = path.join(config.work, "failed-tests.txt");

/**
 * A test that saves a screenshot of the window at its end, whether it passed or failed,
 * and records its name in the work dir when it failed (scripts/e2e.sh prints the list).
 * `needs` names earlier steps it builds on: when one of them failed it is skipped.
 */
export function step(name, getBrowser, fn, { timeout = 120_000, needs = [] } = {}) {
  const index = ++shotIndex;
  test(name, { timeout }, async (t) => {
    const missing = needs.filter((n) => !passed.has(n));
    if (missing.length > 0) {
      t.skip(`needs ${missing.join(", ")}`);
      return;
    }
    let ok = false;
    try {
      await fn(t);
      ok = true;
      passed.add(name);
    } finally {
      if (!ok) appendFileSync(failedFile, `${name}\n`);
      await screenshot(getBrowser(), `${String(index).padStart(2, "0")}-${slug(name)}${ok ? "" : "-FAILED"}`);
    }
  });
}
const passed = new Set();

export async function screenshot(browser, name) {
  if (!browser) return;
  mkdirSync(config.screenshots, { recursive: true });
  const file = path.join(config.screenshots, `${name}.png`);
  try {
    await browser.saveScreenshot(file);
  } catch (error) {
    // A screenshot that cannot be taken must not hide the test's own outcome.
    console.error(`could not save the screenshot ${file}: ${error.message}`);
  }
}

function slug(text) {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 60);
}

/** Runs SQL on the test database with psql; returns the unaligned, tuples-only output. */
export function psql(sql, db = config.pgDb) {
  return execFileSync(
    "psql",
    ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql],
    { encoding: "utf8" },
  ).trim();
}

/** Polls `check` (sync or async) until it returns a truthy value, or fails with `message`. */
export async function eventually(check, { timeout = T.ui, interval = 200, message }) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await check();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? `: ${last.message}` : last === undefined ? "" : ` (last: ${JSON.stringify(last)})`;
      throw new Error(`${message} within ${timeout} ms${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
