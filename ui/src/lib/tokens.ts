// The new-token form of the AI view: what the user typed, checked before it is sent.
import type { NewToken, TokenScope } from "../api";

export type TokenForm = {
  name: string;
  scopes: TokenScope[];
  profiles: string[];
  /** Text as typed; empty means no expiry / the default rate. */
  expiresDays: string;
  ratePerSec: string;
};

export const EMPTY_TOKEN_FORM: TokenForm = { name: "", scopes: [], profiles: [], expiresDays: "", ratePerSec: "" };

const NAME = /^[A-Za-z0-9._-]{1,64}$/;

function positive(text: string, what: string): { ok: true; value: number | null } | { ok: false; error: string } {
  const trimmed = text.trim();
  if (trimmed === "") return { ok: true, value: null };
  const n = Number(trimmed);
  if (!Number.isInteger(n) || n < 1 || n > 4_294_967_295) return { ok: false, error: `${what} must be a whole number, at least 1` };
  return { ok: true, value: n };
}

/** The token to create, or why the form cannot make one (the backend checks again). */
export function parseTokenForm(form: TokenForm): { ok: true; token: NewToken } | { ok: false; error: string } {
  const name = form.name.trim();
  if (!NAME.test(name)) return { ok: false, error: "Use 1 to 64 letters, digits, '-', '_' or '.' for the name" };
  const expires = positive(form.expiresDays, "Expiry (days)");
  if (!expires.ok) return expires;
  const rate = positive(form.ratePerSec, "Requests per second");
  if (!rate.ok) return rate;
  return {
    ok: true,
    token: { name, scopes: form.scopes, profiles: form.profiles, expiresDays: expires.value, ratePerSec: rate.value, maxConcurrent: null },
  };
}
