// Small WebDriver helpers for the DB Dock window: waits with messages that say what was
// expected and what was there, typing that React sees, and a real clipboard paste.

import { Key } from "webdriverio";
import { T, diagnoseBlankPage, openApp, tid } from "./harness.js";

/** Opens the app and waits for its navigation; a window without UI fails with what it shows instead. */
export async function openAppWithUi() {
  const browser = await openApp();
  try {
    await shown(browser, "nav-connections", T.start);
  } catch (error) {
    throw new Error(`the app window shows no UI: ${error.message}. ${await diagnoseBlankPage(browser)}`);
  }
  return browser;
}

/** Waits until the element with this test id is displayed, and returns it. */
export async function shown(browser, id, timeout = T.ui) {
  const el = browser.$(tid(id));
  await el.waitForDisplayed({ timeout, timeoutMsg: `[data-testid="${id}"] was not displayed within ${timeout} ms` });
  return el;
}

export async function click(browser, id, timeout = T.ui) {
  const el = await shown(browser, id, timeout);
  await el.waitForClickable({ timeout, timeoutMsg: `[data-testid="${id}"] was not clickable within ${timeout} ms` });
  await el.click();
  return el;
}

/** Waits until `read()` (async) returns a value for which `ok(value)` holds; returns it. */
export async function until(browser, what, read, ok, timeout = T.ui) {
  let last;
  let lastError;
  try {
    await browser.waitUntil(
      async () => {
        try {
          last = await read();
          lastError = undefined;
        } catch (error) {
          lastError = error;
          return false;
        }
        return ok(last);
      },
      { timeout, interval: 100 },
    );
  } catch {
    const seen = lastError ? `error: ${lastError.message}` : `last seen: ${JSON.stringify(last)}`;
    throw new Error(`${what} within ${timeout} ms (${seen})`);
  }
  return last;
}

/** Waits until the attribute of the test id'd element equals `expected`. */
export function attrIs(browser, id, attr, expected, timeout = T.ui) {
  return until(
    browser,
    `[data-testid="${id}"] should have ${attr}="${expected}"`,
    () => browser.$(tid(id)).getAttribute(attr),
    (v) => v === expected,
    timeout,
  );
}

/** Waits until the element's value equals `expected`. */
export function valueIs(browser, id, expected, timeout = T.ui) {
  return until(
    browser,
    `[data-testid="${id}"] should hold the value ${JSON.stringify(expected)}`,
    () => browser.$(tid(id)).getValue(),
    (v) => v === expected,
    timeout,
  );
}

/**
 * The element's text content. (WebKitWebDriver's "visible text" comes back empty or cut for
 * cells that clip their text with CSS, so the tests read the DOM's text instead.)
 */
export async function textOf(browser, selector) {
  const el = browser.$(selector);
  await el.waitForExist({ timeout: T.ui, timeoutMsg: `${selector} does not exist` });
  return el.getProperty("textContent");
}

/** Waits until the element's text satisfies `ok`. */
export function textMatches(browser, id, what, ok, timeout = T.ui) {
  return until(browser, `[data-testid="${id}"] ${what}`, () => browser.$(tid(id)).getProperty("textContent"), ok, timeout);
}

/** Replaces the text of an input the way a person does: select all, delete, type. */
export async function typeInto(browser, id, text) {
  const el = await click(browser, id);
  await browser.keys([Key.Ctrl, "a"]);
  await browser.keys(Key.Backspace);
  if (text !== "") await el.addValue(text);
  await valueIs(browser, id, text);
  return el;
}

/**
 * Pastes `text` into an input through the real clipboard: types it into a scratch input,
 * cuts it (Ctrl+X), and pastes it (Ctrl+V) into the target, so the page sees a genuine
 * paste (`inputType: "insertFromPaste"`). The scratch input ends up empty.
 */
export async function pasteInto(browser, scratchId, targetId, text) {
  await typeInto(browser, scratchId, text);
  await browser.keys([Key.Ctrl, "a"]);
  await browser.keys([Key.Ctrl, "x"]);
  await valueIs(browser, scratchId, "");
  await click(browser, targetId);
  await browser.keys([Key.Ctrl, "a"]);
  await browser.keys([Key.Ctrl, "v"]);
}

/** The text of the grid cell at (row, col), with its NULL marker. */
export async function gridCell(browser, row, col) {
  const el = browser.$(tid(`grid-cell-${row}-${col}`));
  await el.waitForExist({ timeout: T.ui, timeoutMsg: `the grid has no cell at row ${row}, column ${col}` });
  return { text: await el.getProperty("textContent"), isNull: (await el.getAttribute("data-null")) === "true" };
}
