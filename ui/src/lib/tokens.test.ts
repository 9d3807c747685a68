import { describe, expect, it } from "vitest";
import { EMPTY_TOKEN_FORM, parseTokenForm } from "./tokens";

describe("parseTokenForm", () => {
  it("makes the token the backend takes, empty numbers meaning the defaults", () => {
    const parsed = parseTokenForm({ ...EMPTY_TOKEN_FORM, name: " claude-web ", scopes: ["write"], profiles: ["shop"] });
    expect(parsed).toEqual({
      ok: true,
      token: { name: "claude-web", scopes: ["write"], profiles: ["shop"], expiresDays: null, ratePerSec: null, maxConcurrent: null },
    });
    expect(parseTokenForm({ ...EMPTY_TOKEN_FORM, name: "ci", expiresDays: "7", ratePerSec: "5" })).toMatchObject({ ok: true, token: { expiresDays: 7, ratePerSec: 5 } });
  });

  it("refuses names and numbers the backend would refuse", () => {
    expect(parseTokenForm({ ...EMPTY_TOKEN_FORM, name: "two words" }).ok).toBe(false);
    expect(parseTokenForm({ ...EMPTY_TOKEN_FORM, name: "" }).ok).toBe(false);
    expect(parseTokenForm({ ...EMPTY_TOKEN_FORM, name: "ok", expiresDays: "0" })).toEqual({ ok: false, error: "Expiry (days) must be a whole number, at least 1" });
    expect(parseTokenForm({ ...EMPTY_TOKEN_FORM, name: "ok", ratePerSec: "1.5" }).ok).toBe(false);
  });
});
