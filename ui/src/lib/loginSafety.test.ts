import { describe, expect, it } from "vitest";
import type { LoginReport } from "../api";
import { demoSpec } from "../dev/demoEngines";
import { filterOnly, hasLogins, loginVerdict, readOnlyLoginAction } from "./loginSafety";

const caps = (engine: LoginReport["engine"]) => demoSpec(engine).capabilities;

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
    const v = loginVerdict(base, caps("postgres"));
    expect(v.tone).toBe("warn");
    expect(v.text).toContain("can write");
    expect(v.tone === "warn" && v.evidence).toEqual(["superuser"]);
    expect(v.text).toContain("read-only transaction");
    const mssql = loginVerdict({ ...base, engine: "mssql" }, caps("mssql"));
    expect(mssql.text).toContain("filter alone");
  });

  it("judges the AI login when there is one", () => {
    const v = loginVerdict({ ...base, aiLogin: "dbdock_ai_shop", ai: { login: "dbdock_ai_shop", can_write: false, evidence: [] } }, caps("postgres"));
    expect(v).toEqual({ tone: "ok", text: "AI login dbdock_ai_shop can only read" });
    const broken = loginVerdict({ ...base, aiLogin: "x", ai: null, aiError: "AUTH_FAILED: no" }, caps("postgres"));
    expect(broken.tone).toBe("unknown");
    expect(broken.text).toContain("AUTH_FAILED");
  });

  it("knows which engines have logins and which rest on the filter alone", () => {
    expect(hasLogins(caps("sqlite"))).toBe(false);
    expect(hasLogins(caps("postgres"))).toBe(true);
    expect(hasLogins(caps("mysql"))).toBe(true);
    expect(hasLogins(caps("mssql"))).toBe(true);
    expect(hasLogins(caps("mongodb"))).toBe(true);
    expect(hasLogins(caps("redis"))).toBe(true);
    expect(filterOnly(caps("redis"))).toBe(true);
    expect(hasLogins(caps("nats"))).toBe(false);
    expect(filterOnly(caps("mongodb"))).toBe(true);
    expect(filterOnly(caps("mssql"))).toBe(true);
    expect(filterOnly(caps("postgres"))).toBe(false);
    expect(filterOnly(caps("sqlite"))).toBe(false);
  });

  it("follows the capabilities, not the engine's name", () => {
    const pg = caps("postgres");
    // Without a read-only transaction, the warning says the filter stands alone.
    const noTx = { ...pg, readOnlyTransaction: false };
    expect(filterOnly(noTx)).toBe(true);
    expect(loginVerdict(base, noTx).text).toContain("filter alone");
    // A SQL engine whose read-only login DB Dock can create has logins worth checking…
    expect(hasLogins({ ...caps("sqlite"), createsReadOnlyLogin: true })).toBe(true);
    // …and no statements means no logins to ask about.
    expect(hasLogins({ ...pg, query: null })).toBe(false);
    // Unknown engines are not asked, and a verdict without capabilities assumes the worst.
    expect(hasLogins(null)).toBe(false);
    expect(filterOnly(null)).toBe(true);
  });

  it("offers to create a read-only login only where DB Dock can", () => {
    expect(readOnlyLoginAction(caps("postgres"))).toBe("Create read-only login");
    expect(readOnlyLoginAction(caps("mysql"))).toBe("Create read-only login");
    expect(readOnlyLoginAction(caps("mssql"))).toBe("Show read-only login statements");
    expect(readOnlyLoginAction(caps("mongodb"))).toBe("Show read-only login statements");
    expect(readOnlyLoginAction({ ...caps("postgres"), createsReadOnlyLogin: false })).toBe("Show read-only login statements");
    expect(readOnlyLoginAction(null)).toBe("Show read-only login statements");
  });
});
