import { describe, expect, it } from "vitest";
import type { LoginReport } from "../api";
import { filterOnly, hasLogins, loginVerdict } from "./loginSafety";

const base: LoginReport = {
  profile: "shop",
  engine: "postgres",
  access: "read-only",
  login: { login: "postgres", can_write: true, evidence: ["superuser"] },
  loginError: null,
  aiLogin: null,
  ai: null,
  aiError: null,
  aiCanWrite: true,
  canCreate: true,
};

describe("login safety", () => {
  it("warns when the login AI clients use can write", () => {
    const v = loginVerdict(base);
    expect(v.tone).toBe("warn");
    expect(v.text).toContain("can write");
    expect(v.tone === "warn" && v.evidence).toEqual(["superuser"]);
    const mssql = loginVerdict({ ...base, engine: "mssql" });
    expect(mssql.text).toContain("filter alone");
  });

  it("judges the AI login when there is one", () => {
    const v = loginVerdict({ ...base, aiLogin: "dbdock_ai_shop", ai: { login: "dbdock_ai_shop", can_write: false, evidence: [] } });
    expect(v).toEqual({ tone: "ok", text: "AI login dbdock_ai_shop can only read" });
    const broken = loginVerdict({ ...base, aiLogin: "x", ai: null, aiError: "AUTH_FAILED: no" });
    expect(broken.tone).toBe("unknown");
    expect(broken.text).toContain("AUTH_FAILED");
  });

  it("knows which engines have logins and which rest on the filter alone", () => {
    expect(hasLogins("sqlite")).toBe(false);
    expect(hasLogins("mysql")).toBe(true);
    expect(filterOnly("mongodb")).toBe(true);
    expect(filterOnly("postgres")).toBe(false);
  });
});
