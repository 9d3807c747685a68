// The Kafka browser end to end on the real window, against the suite's Kafka broker (tansu,
// started by scripts/e2e.sh, which also writes a topic of 10,000 messages and a consumer
// group that read 6,000 of them with tests/kafka_fixture.py): the topic and the group are
// listed, the group shows lag 4,000 per partition and in total, and resetting it to
// earliest is previewed (lag 4,000 -> 10,000), applied, and read back with the CLI.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before } from "node:test";
import { T, config, screenshot, step } from "../lib/harness.js";
import { attrIs, click, openAppWithUi, shown, textMatches, typeInto, valueIs } from "../lib/ui.js";

const PROFILE = "e2e-kafka";
const TOPIC = process.env.E2E_KAFKA_TOPIC;
const GROUP = process.env.E2E_KAFKA_GROUP;
const URL = process.env.E2E_KAFKA_URL ?? "kafka://127.0.0.1:9092";

let browser;
const current = () => browser;

before(async () => {
  if (!TOPIC || !GROUP) throw new Error("E2E_KAFKA_TOPIC and E2E_KAFKA_GROUP are not set: run the suite with bash scripts/e2e.sh");
  execFileSync(config.cli, ["profile", "add", PROFILE, "--url", URL]);
  browser = await openAppWithUi();
}, { timeout: T.start + 30_000 });

after(async () => {
  if (browser) await browser.deleteSession();
});

/** The group's total lag as the CLI reads it. */
function cliLag() {
  const out = execFileSync(config.cli, ["kafka", "lag", "--profile", PROFILE, GROUP, "--topic", TOPIC, "--format", "json"], {
    encoding: "utf8",
  });
  return JSON.parse(out).total_lag;
}

const digits = (text) => Number(text.replace(/[^0-9]/g, ""));

step("kafka: the browser lists the topic and the group with its lag", current, async () => {
  assert.equal(cliLag(), 4000, "the fixture's group should have read 6,000 of 10,000");
  await click(browser, "nav-schema");
  const select = await shown(browser, "schema-profile");
  await select.selectByAttribute("value", PROFILE);
  await valueIs(browser, "schema-profile", PROFILE);
  await shown(browser, "kafka-browser", T.db);
  // The shared broker holds other runs' topics and groups: narrow the lists to this run's.
  await typeInto(browser, "kafka-filter", TOPIC.replace(/_orders$/, ""));
  await shown(browser, `kafka-topic-row-${TOPIC}`, T.db);
  const row = await shown(browser, `kafka-group-row-${GROUP}`, T.db);
  // WebKitWebDriver does not click a table row itself: click its first cell.
  await row.scrollIntoView();
  await (await row.$("td")).click();
  await shown(browser, "kafka-group-panel", T.db);
  await attrIs(browser, "kafka-total-lag", "data-lag", "4000", T.db);
  await textMatches(browser, "kafka-total-lag", "the total lag as shown", (t) => digits(t) === 4000);
  let sum = 0;
  for (const partition of [0, 1, 2]) {
    sum += Number(await (await shown(browser, `kafka-lag-row-${TOPIC}-${partition}`)).getAttribute("data-lag"));
  }
  assert.equal(sum, 4000, "the lag rows should add up to the total");
  await shown(browser, "kafka-lag-chart");
  await screenshot(browser, "kafka-group");
});

step("kafka: a reset to earliest is previewed, applied and read back", current, async () => {
  await click(browser, "kafka-reset-offsets");
  await shown(browser, "kafka-reset-dialog");
  const topic = await shown(browser, "kafka-reset-topic");
  await topic.selectByAttribute("value", TOPIC);
  const to = await shown(browser, "kafka-reset-to");
  await to.selectByAttribute("value", "earliest");
  await click(browser, "kafka-reset-preview");
  await shown(browser, "kafka-reset-plan", T.db);
  await attrIs(browser, "kafka-reset-total", "data-lag-before", "4000", T.db);
  await attrIs(browser, "kafka-reset-total", "data-lag-after", "10000");
  assert.equal(cliLag(), 4000, "a preview changes nothing");
  await click(browser, "kafka-reset-apply");
  await shown(browser, "kafka-reset-result", T.db);
  assert.equal(cliLag(), 10000, "the reset is committed");
  await screenshot(browser, "kafka-reset");
});
