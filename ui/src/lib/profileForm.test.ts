import { describe, expect, it } from "vitest";
import type { UrlParts } from "../api";
import {
  applyParsedUrl,
  composeUrl,
  emptyForm,
  extractPassword,
  fieldsEditable,
  formToInput,
  removePassword,
  removeSecretMark,
  secretFromRedaction,
  splitUrl,
  suggestName,
  validateForm,
} from "./profileForm";

const pgParts: UrlParts = {
  engine: "postgres",
  host: "db.internal",
  port: 5432,
  user: "ada",
  database: "shop",
  hasPassword: true,
  redacted: "postgres://ada:***@db.internal:5432/shop?sslmode=require",
  password: null,
};

describe("pasting a URL into the form", () => {
  it("takes the password and the URL without it from the backend when it gives them", () => {
    const parts: UrlParts = {
      ...pgParts,
      redacted: "postgres://ada@db.internal:5432/shop?sslmode=require",
      password: "s@cret:x",
    };
    const form = applyParsedUrl(emptyForm(), "postgres://ada:s%40cret:x@db.internal:5432/shop?sslmode=require", parts);
    expect(form.password).toBe("s@cret:x");
    expect(form.url).toBe("postgres://ada@db.internal:5432/shop?sslmode=require");
    expect(form.name).toBe("shop");
  });

  it("fills the fields, moves the password out of the URL and suggests a name", () => {
    const typed = "postgres://ada:s%40cret:x@db.internal:5432/shop?sslmode=require";
    const form = applyParsedUrl(emptyForm(), typed, pgParts);
    expect(form).toMatchObject({
      engine: "postgres",
      host: "db.internal",
      port: "5432",
      user: "ada",
      database: "shop",
      password: "s@cret:x",
      url: "postgres://ada@db.internal:5432/shop?sslmode=require",
      name: "shop",
    });
    expect(form.url).not.toContain("cret");
  });

  it("keeps a name the user already typed and the password when the URL has none", () => {
    const parts: UrlParts = { ...pgParts, hasPassword: false, redacted: "postgres://ada@db.internal:5432/shop" };
    const start = { ...emptyForm(), name: "staging", password: "typed" };
    const form = applyParsedUrl(start, " postgres://ada@db.internal:5432/shop ", parts);
    expect(form.name).toBe("staging");
    expect(form.password).toBe("typed");
    expect(form.url).toBe("postgres://ada@db.internal:5432/shop");
  });

  it("handles tokens in the user position (NATS, Redis)", () => {
    const parts: UrlParts = {
      engine: "nats",
      host: "localhost",
      port: 4222,
      user: null,
      database: null,
      hasPassword: true,
      redacted: "nats://***@localhost:4222",
      password: null,
    };
    const form = applyParsedUrl(emptyForm(), "nats://t0ken@localhost:4222", parts);
    expect(form.password).toBe("t0ken");
    expect(form.url).toBe("nats://localhost:4222");
  });

  it("handles Kafka bootstrap lists and SASL users", () => {
    const typed = "kafka://app:s3cr%40t@k1:9092,k2:9092?sasl=scram-sha-256";
    const parts: UrlParts = {
      engine: "kafka",
      host: "k1",
      port: 9092,
      user: "app",
      database: null,
      hasPassword: true,
      redacted: "kafka://app:***@k1:9092,k2:9092?sasl=scram-sha-256",
      password: null,
    };
    const form = applyParsedUrl(emptyForm(), typed, parts);
    expect(form.password).toBe("s3cr@t");
    expect(form.url).toBe("kafka://app@k1:9092,k2:9092?sasl=scram-sha-256");
    expect(form.name).toBe("k1");
    // Several brokers: the fields show the first and are not written back into the URL.
    expect(fieldsEditable(form.url)).toBe(false);
    expect(fieldsEditable("kafka+ssl://broker:9093")).toBe(true);
    expect(composeUrl("kafka://broker:9092", "port", "9093")).toBe("kafka://broker:9093");
    expect(extractPassword("kafka://app:pw@broker:9092?sasl=plain")).toBe("pw");
    expect(removePassword("kafka://app:pw@broker:9092?sasl=plain")).toBe("kafka://app@broker:9092?sasl=plain");
    expect(formToInput({ ...form, name: "pipeline" }).url).toBe("kafka://app@k1:9092,k2:9092?sasl=scram-sha-256");
  });

  it("handles ADO.NET strings for SQL Server", () => {
    const typed = "Server=tcp:sql.local,1433;Database=shop;User Id=sa;Password={p;w}};";
    const parts: UrlParts = {
      engine: "mssql",
      host: "sql.local",
      port: 1433,
      user: "sa",
      database: "shop",
      hasPassword: true,
      redacted: "Server=tcp:sql.local,1433;Database=shop;User Id=sa;Password=***;",
      password: null,
    };
    expect(secretFromRedaction(typed, parts.redacted)).toBe("p;w}");
    const form = applyParsedUrl(emptyForm(), typed, parts);
    expect(form.url).toBe("Server=tcp:sql.local,1433;Database=shop;User Id=sa;");
    expect(form.password).toBe("p;w}");
  });

  it("keeps the URL as typed when the secret cannot be told apart", () => {
    const parts: UrlParts = { ...pgParts, redacted: "postgres://ada:[redacted]@db.internal/shop" };
    const form = applyParsedUrl(emptyForm(), "postgres://ada:pw@db.internal/shop", parts);
    expect(form.password).toBe("pw");
    expect(form.url).toBe("postgres://ada@db.internal/shop");
    const opaque = applyParsedUrl(emptyForm(), "weird://x", { ...pgParts, redacted: "weird://?" });
    expect(opaque.url).toBe("weird://x");
  });

  it("removes passwords from URLs and ADO strings", () => {
    expect(removePassword("redis://:pw@h:6379/0")).toBe("redis://h:6379/0");
    expect(removePassword("mysql://root:pw@h/db")).toBe("mysql://root@h/db");
    expect(removePassword("Server=h;Password={a;b};Database=d")).toBe("Server=h;Database=d");
    expect(removePassword("mysql://root@h/db")).toBe("mysql://root@h/db");
  });
});

describe("password extraction", () => {
  it("reads userinfo passwords and ADO/JDBC passwords", () => {
    expect(extractPassword("mysql://root:pa%20ss@h/db")).toBe("pa ss");
    expect(extractPassword("mysql://root@h/db")).toBeNull();
    expect(extractPassword("redis://:secret@h:6379/0")).toBe("secret");
    expect(extractPassword("jdbc:sqlserver://h:1433;databaseName=x;user=sa;password=Pw1")).toBe("Pw1");
    expect(extractPassword("Server=h;Pwd='quoted';")).toBe("quoted");
    expect(extractPassword("postgres://u:***@h/db")).toBeNull();
  });

  it("removes the *** placeholder wherever the backend put it", () => {
    expect(removeSecretMark("postgres://u:***@h/db")).toBe("postgres://u@h/db");
    expect(removeSecretMark("nats://***@h:4222")).toBe("nats://h:4222");
    expect(removeSecretMark("Server=h;Password=***;Database=d")).toBe("Server=h;Database=d");
    expect(removeSecretMark("Password=***;Server=h")).toBe("Server=h");
    expect(removeSecretMark("mongodb://h/db?authSource=admin&password=***")).toBe("mongodb://h/db?authSource=admin");
  });
});

describe("editing fields writes them back into the URL", () => {
  it("splits and edits single-host URLs", () => {
    expect(splitUrl("postgres://u:p@h:5432/db?x=1")).toEqual({
      scheme: "postgres",
      userinfo: "u:p",
      host: "h",
      port: "5432",
      path: "/db",
      query: "?x=1",
    });
    expect(composeUrl("postgres://u@h:5432/db?x=1", "host", "db2.local")).toBe("postgres://u@db2.local:5432/db?x=1");
    expect(composeUrl("postgres://u@h:5432/db", "port", "6543")).toBe("postgres://u@h:6543/db");
    expect(composeUrl("postgres://u@h/db", "user", "ada lovelace")).toBe("postgres://ada%20lovelace@h/db");
    expect(composeUrl("postgres://u@h/db", "user", "")).toBe("postgres://h/db");
    expect(composeUrl("postgres://u@h/db", "database", "other")).toBe("postgres://u@h/other");
    expect(composeUrl("postgres://[::1]:5432/db", "port", "")).toBe("postgres://[::1]/db");
  });

  it("edits the path of SQLite URLs and leaves multi-host URLs alone", () => {
    expect(composeUrl("sqlite:old.db?mode=ro", "database", "/data/new.db")).toBe("sqlite:/data/new.db?mode=ro");
    expect(composeUrl("sqlite:old.db", "host", "x")).toBe("sqlite:old.db");
    const multi = "mongodb://a:27017,b:27017/db?replicaSet=rs0";
    expect(fieldsEditable(multi)).toBe(false);
    expect(composeUrl(multi, "host", "c")).toBe(multi);
    expect(fieldsEditable("Server=h;Database=d")).toBe(false);
    expect(fieldsEditable("sqlite:shop.db")).toBe(true);
  });
});

describe("names, validation and the saved input", () => {
  it("suggests a slug from the database file or host", () => {
    expect(suggestName({ ...pgParts, engine: "sqlite", database: "/home/ada/Shop Data.sqlite3" })).toBe("shop-data");
    expect(suggestName({ ...pgParts, database: null, host: "Redis.Local" })).toBe("redis-local");
    expect(suggestName({ ...pgParts, database: null, host: null, engine: "nats" })).toBe("nats");
  });

  it("reports missing and malformed fields", () => {
    expect(Object.keys(validateForm(emptyForm())).sort()).toEqual(["name", "url"]);
    const bad = { ...emptyForm(), name: "my db", url: "sqlite:x.db", maxRows: "-1", timeoutSecs: "1.5", maxBytes: "10" };
    const errors = validateForm(bad);
    expect(Object.keys(errors).sort()).toEqual(["maxRows", "name", "timeoutSecs"]);
  });

  it("turns the form into ProfileInput: empty password keeps the saved one", () => {
    const form = { ...emptyForm(), name: " shop ", url: "postgres://u:***@h/db", maxRows: "500", color: "#30a46c", tags: " prod, ,eu " };
    expect(formToInput(form)).toEqual({
      name: "shop",
      url: "postgres://u@h/db",
      password: null,
      access: "read-only",
      color: "#30a46c",
      tags: ["prod", "eu"],
      timeoutSecs: null,
      approvalWaitSecs: null,
      maxRows: 500,
      maxBytes: null,
      ssh: [],
      tls: {},
    });
    expect(formToInput({ ...form, password: "pw" }).password).toBe("pw");
  });

  it("adds the jump hosts and TLS options, and checks them with the rest", () => {
    const form = {
      ...emptyForm(),
      name: "wh",
      url: "postgres://u@db.internal/wh",
      engine: "postgres" as const,
      ssh: { enabled: true, hops: [{ url: "ssh://deploy@bastion", auth: "key" as const, keyPath: "", secret: "" }] },
      tls: { mode: "require" as const, caFile: "", certFile: "", keyFile: "", serverName: "db.internal" },
    };
    expect(Object.keys(validateForm(form))).toEqual(["sshKey0"]);
    const fixed = { ...form, ssh: { ...form.ssh, hops: [{ ...form.ssh.hops[0], keyPath: "/k", secret: "phrase" }] } };
    expect(validateForm(fixed)).toEqual({});
    const input = formToInput(fixed);
    expect(input.ssh).toEqual([{ url: "ssh://deploy@bastion", auth: "key", keyPath: "/k", secret: "phrase" }]);
    expect(input.tls).toEqual({ mode: "require", serverName: "db.internal" });
    // SQLite takes neither.
    const sqlite = formToInput({ ...fixed, url: "sqlite:x.db", engine: "sqlite" });
    expect(sqlite.ssh).toEqual([]);
    expect(sqlite.tls).toEqual({});
  });
});
