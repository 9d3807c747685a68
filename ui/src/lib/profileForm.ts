// The add/edit connection form: its state, filling it from a pasted URL (the password goes
// to the password field and never stays in the URL), rebuilding the URL when a field is
// edited, and turning it into the backend's ProfileInput.

import type { Access, Engine, ProfileInput, ProfileView, UrlParts } from "../api";
import {
  emptySsh,
  emptyTls,
  sshFromProfile,
  sshToInput,
  tlsFromProfile,
  tlsToInput,
  validateNetwork,
  type NetworkErrorKey,
  type SshForm,
  type TlsForm,
} from "./network";

export type ProfileForm = {
  name: string;
  url: string;
  /** Empty means "keep the saved secret" when editing, "no secret" when adding. */
  password: string;
  access: Access;
  color: string | null;
  /** Comma-separated labels, for selecting connections in bulk. */
  tags: string;
  timeoutSecs: string;
  /** With AI access "ask": how long a write waits for the user's decision. */
  approvalWaitSecs: string;
  maxRows: string;
  maxBytes: string;
  engine: Engine | null;
  host: string;
  port: string;
  user: string;
  database: string;
  /** SSH jump hosts (lib/network.ts); not for SQLite. */
  ssh: SshForm;
  /** TLS options beyond the URL (lib/network.ts); not for SQLite. */
  tls: TlsForm;
};

export type FormErrors = Partial<Record<keyof ProfileForm | NetworkErrorKey, string>>;

export const SECRET_MARK = "***";

export function emptyForm(): ProfileForm {
  return {
    name: "",
    url: "",
    password: "",
    access: "read-only",
    color: null,
    tags: "",
    timeoutSecs: "",
    approvalWaitSecs: "",
    maxRows: "",
    maxBytes: "",
    engine: null,
    host: "",
    port: "",
    user: "",
    database: "",
    ssh: emptySsh(),
    tls: emptyTls(),
  };
}

export function formFromProfile(profile: ProfileView): ProfileForm {
  return {
    ...emptyForm(),
    name: profile.name,
    url: profile.url,
    access: profile.access,
    color: profile.color,
    tags: profile.tags.join(", "),
    engine: profile.engine,
    timeoutSecs: profile.timeoutSecs === null ? "" : String(profile.timeoutSecs),
    approvalWaitSecs: profile.approvalWaitSecs === null ? "" : String(profile.approvalWaitSecs),
    maxRows: profile.maxRows === null ? "" : String(profile.maxRows),
    maxBytes: profile.maxBytes === null ? "" : String(profile.maxBytes),
    ssh: sshFromProfile(profile),
    tls: tlsFromProfile(profile),
  };
}

/** Fills the connection fields from what the backend parsed. */
export function withParts(form: ProfileForm, parts: UrlParts): ProfileForm {
  return {
    ...form,
    engine: parts.engine,
    host: parts.host ?? "",
    port: parts.port === null ? "" : String(parts.port),
    user: parts.user ?? "",
    database: parts.database ?? "",
  };
}

/**
 * Applies a URL the user pasted or typed, once the backend has parsed it: the fields are
 * filled, a password found in the URL moves to the password field, and the URL field keeps
 * the URL without its secret. A name is suggested when the form has none. The backend
 * normally hands back the password and the URL without it; when it only says there is one,
 * the UI finds it itself (from a `***` redaction, the URL's userinfo or an ADO.NET string).
 */
export function applyParsedUrl(form: ProfileForm, typed: string, parts: UrlParts): ProfileForm {
  const next = withParts(form, parts);
  next.url = typed.trim();
  if (parts.hasPassword && parts.password !== null) {
    // The backend found the password and gives the URL without it.
    next.password = parts.password;
    next.url = removeSecretMark(parts.redacted);
  } else if (parts.hasPassword) {
    const marked = secretFromRedaction(typed, parts.redacted);
    if (marked !== null) {
      next.password = marked;
      next.url = removeSecretMark(parts.redacted);
    } else {
      const found = extractPassword(typed);
      if (found !== null) {
        next.password = found;
        next.url = removePassword(typed.trim());
      }
      // Otherwise the URL stays as typed: the backend moves a password it finds in the URL
      // to the keyring.
    }
  }
  if (form.name.trim() === "") next.name = suggestName(parts);
  return next;
}

/**
 * The secret is the part of `typed` that the backend replaced by `***` in `redacted`.
 * Percent-encoding is undone for URLs (not for ADO.NET strings).
 */
export function secretFromRedaction(typed: string, redacted: string): string | null {
  const input = typed.trim();
  const mark = redacted.indexOf(SECRET_MARK);
  if (mark < 0 || redacted.indexOf(SECRET_MARK, mark + SECRET_MARK.length) >= 0) return null;
  const before = redacted.slice(0, mark);
  const after = redacted.slice(mark + SECRET_MARK.length);
  if (!input.startsWith(before) || !input.endsWith(after)) return null;
  if (input.length < before.length + after.length) return null;
  const raw = input.slice(before.length, input.length - after.length);
  if (raw === "" || raw === SECRET_MARK) return null;
  return isSchemeUrl(input) ? percentDecode(raw) : unquoteAdoValue(raw);
}

/** Finds a password in a URL (`scheme://user:pass@host`) or an ADO.NET/JDBC string. */
export function extractPassword(url: string): string | null {
  const input = url.trim();
  const split = splitUrl(input);
  if (split) {
    const colon = split.userinfo?.indexOf(":") ?? -1;
    if (split.userinfo === null || colon < 0) return null;
    const raw = split.userinfo.slice(colon + 1);
    return raw === "" || raw === SECRET_MARK ? null : percentDecode(raw);
  }
  const ado = /(?:^|;)\s*(?:password|pwd)\s*=\s*([^;]*)/i.exec(input);
  if (!ado) return null;
  const value = unquoteAdoValue(ado[1]);
  return value === "" || value === SECRET_MARK ? null : value;
}

/** Removes the password from a URL's userinfo or from an ADO.NET/JDBC string. */
export function removePassword(url: string): string {
  const split = splitUrl(url);
  if (split) {
    const colon = split.userinfo?.indexOf(":") ?? -1;
    if (split.userinfo === null || colon < 0) return url;
    const user = split.userinfo.slice(0, colon);
    return joinUrl({ ...split, userinfo: user === "" ? null : user });
  }
  return url.replace(/(^|;)\s*(?:password|pwd)\s*=\s*(\{(?:[^}]|\}\})*\}|"[^"]*"|'[^']*'|[^;]*)\s*(;|$)/i, (_m, lead: string, _v: string, tail: string) =>
    lead === "" ? "" : tail === ";" ? ";" : "",
  );
}

/** Removes a `***` placeholder (and what belongs to it) from a redacted URL or ADO string. */
export function removeSecretMark(redacted: string): string {
  let out = redacted.replace(/:\*\*\*@/, "@").replace(/\/\/\*\*\*@/, "//");
  out = out.replace(/(^|;)\s*(?:password|pwd)\s*=\s*\*\*\*\s*(;|$)/i, (_m, lead: string, tail: string) =>
    lead === "" ? "" : tail === ";" ? ";" : "",
  );
  out = out.replace(/([?&])(?:password|pass|token)=\*\*\*(&|$)/i, (_m, lead: string, tail: string) =>
    tail === "&" ? lead : "",
  );
  return out;
}

function isSchemeUrl(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
}

function percentDecode(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function unquoteAdoValue(raw: string): string {
  const v = raw.trim();
  if (v.length >= 2 && v.startsWith("{") && v.endsWith("}")) return v.slice(1, -1).replace(/}}/g, "}");
  if (v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'")))) {
    return v.slice(1, -1);
  }
  return v;
}

export type SplitUrl = {
  scheme: string;
  userinfo: string | null;
  host: string;
  port: string | null;
  path: string;
  query: string;
};

/** Splits `scheme://[userinfo@]host[:port][/path][?query]` with one host; null otherwise. */
export function splitUrl(url: string): SplitUrl | null {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/i.exec(url.trim());
  if (!m) return null;
  const authority = m[2];
  const at = authority.lastIndexOf("@");
  const userinfo = at >= 0 ? authority.slice(0, at) : null;
  const hostport = at >= 0 ? authority.slice(at + 1) : authority;
  if (hostport.includes(",")) return null;
  const hp = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(hostport);
  if (!hp) return null;
  return {
    scheme: m[1],
    userinfo,
    host: hp[1],
    port: hp[2] === undefined || hp[2] === "" ? null : hp[2],
    path: m[3],
    query: (m[4] ?? "") + (m[5] ?? ""),
  };
}

export function joinUrl(parts: SplitUrl): string {
  const auth = parts.userinfo !== null && parts.userinfo !== "" ? `${parts.userinfo}@` : "";
  const port = parts.port !== null && parts.port !== "" ? `:${parts.port}` : "";
  return `${parts.scheme}://${auth}${parts.host}${port}${parts.path}${parts.query}`;
}

/** Whether the host/port/user/database fields can be edited and written back into the URL. */
export function fieldsEditable(url: string): boolean {
  const u = url.trim();
  if (/^sqlite:/i.test(u)) return true;
  return splitUrl(u) !== null;
}

export type ConnectionField = "host" | "port" | "user" | "database";

/** Writes one edited field back into the URL; the URL is returned unchanged when it can't be. */
export function composeUrl(url: string, field: ConnectionField, value: string): string {
  const trimmed = url.trim();
  const sqlite = /^(sqlite:(?:\/\/)?)([^?]*)(\?.*)?$/i.exec(trimmed);
  if (sqlite) {
    return field === "database" ? `${sqlite[1]}${value}${sqlite[3] ?? ""}` : trimmed;
  }
  const parts = splitUrl(trimmed);
  if (!parts) return trimmed;
  const encode = (s: string): string => encodeURIComponent(s);
  switch (field) {
    case "host":
      return joinUrl({ ...parts, host: value.trim() });
    case "port":
      return joinUrl({ ...parts, port: value.trim() === "" ? null : value.trim() });
    case "user": {
      const colon = parts.userinfo?.indexOf(":") ?? -1;
      const rest = parts.userinfo !== null && colon >= 0 ? parts.userinfo.slice(colon) : "";
      const userinfo = value === "" ? (rest === "" ? null : rest) : `${encode(value)}${rest}`;
      return joinUrl({ ...parts, userinfo });
    }
    case "database":
      return joinUrl({ ...parts, path: value === "" ? "" : `/${value.split("/").map(encode).join("/")}` });
  }
}

/** A profile name from the parsed URL: the database (file name without extension) or the host. */
export function suggestName(parts: UrlParts): string {
  const db = parts.database ?? "";
  const base = db.split(/[\\/]/).pop() ?? "";
  const stem = base.replace(/\.(db|sqlite3?|db3)$/i, "");
  const candidate = stem !== "" ? stem : (parts.host ?? parts.engine);
  const slug = candidate
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return slug === "" ? parts.engine : slug;
}

function parseLimit(text: string): number | null | "invalid" {
  const t = text.trim();
  if (t === "") return null;
  if (!/^\d+$/.test(t)) return "invalid";
  const n = Number(t);
  return Number.isSafeInteger(n) && n > 0 ? n : "invalid";
}

export function validateForm(form: ProfileForm): FormErrors {
  const errors: FormErrors = {};
  if (form.name.trim() === "") errors.name = "Give the connection a name.";
  else if (/\s/.test(form.name.trim())) errors.name = "Names cannot contain spaces (they are also MCP connection ids).";
  if (form.url.trim() === "") errors.url = "Paste a connection URL or a file path.";
  if (parseLimit(form.timeoutSecs) === "invalid") errors.timeoutSecs = "Seconds, a whole number above 0.";
  if (parseLimit(form.approvalWaitSecs) === "invalid") errors.approvalWaitSecs = "Seconds, a whole number above 0.";
  if (parseLimit(form.maxRows) === "invalid") errors.maxRows = "A whole number above 0.";
  if (parseLimit(form.maxBytes) === "invalid") errors.maxBytes = "Bytes, a whole number above 0.";
  return { ...errors, ...validateNetwork(form.engine, form.ssh, form.tls) };
}

export function formToInput(form: ProfileForm): ProfileInput {
  const limit = (text: string): number | null => {
    const v = parseLimit(text);
    return v === "invalid" ? null : v;
  };
  return {
    name: form.name.trim(),
    url: removeSecretMark(form.url.trim()),
    password: form.password === "" ? null : form.password,
    access: form.access,
    color: form.color,
    tags: form.tags
      .split(",")
      .map((t) => t.trim())
      .filter((t) => t !== ""),
    timeoutSecs: limit(form.timeoutSecs),
    approvalWaitSecs: limit(form.approvalWaitSecs),
    maxRows: limit(form.maxRows),
    maxBytes: limit(form.maxBytes),
    ssh: sshToInput(form.engine, form.ssh),
    tls: tlsToInput(form.engine, form.tls),
  };
}

/** Whether two forms would save the same profile. */
export function sameForm(a: ProfileForm, b: ProfileForm): boolean {
  return JSON.stringify(formToInput(a)) === JSON.stringify(formToInput(b));
}
