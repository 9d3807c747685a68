import { describe, expect, it } from "vitest";
import {
  addSecondHop,
  checkSshUrl,
  emptySsh,
  emptyTls,
  hostKeyFile,
  removeSecondHop,
  sshFromProfile,
  sshToInput,
  tlsFromProfile,
  tlsToInput,
  unknownHostKey,
  updateHop,
  validateNetwork,
  withoutSecrets,
  type SshForm,
} from "./network";

const FINGERPRINT = "SHA256:Jx2d+Kq9/0aZ1bY8wVuT7sRqP6oN5mL4kJ3iH2gF1eE";

function enabled(...hops: Partial<SshForm["hops"][number]>[]): SshForm {
  return { enabled: true, hops: hops.map((h) => ({ url: "", auth: "agent", keyPath: "", secret: "", ...h })) };
}

describe("jump host URLs", () => {
  it("accepts what the backend parses", () => {
    expect(checkSshUrl("ssh://deploy@bastion.example:2222")).toBeNull();
    expect(checkSshUrl("ssh://deploy@bastion")).toBeNull();
    expect(checkSshUrl("ops@10.0.0.5")).toBeNull();
    expect(checkSshUrl(" ssh://dbdock-tunnel@127.0.0.1:40022/ ")).toBeNull();
    expect(checkSshUrl("ssh://ops@[::1]:22")).toBeNull();
  });

  it("says what is missing or wrong", () => {
    expect(checkSshUrl("")).toMatch(/ssh:\/\/user@host:port/);
    expect(checkSshUrl("bastion:22")).toMatch(/user/);
    expect(checkSshUrl("ssh://@bastion")).toMatch(/user/);
    expect(checkSshUrl("ssh://deploy:hunter2@bastion")).toMatch(/password field/);
    expect(checkSshUrl("https://deploy@bastion")).toMatch(/not https:\/\//);
    expect(checkSshUrl("ssh://deploy@bastion:99999")).toMatch(/1 to 65535/);
    expect(checkSshUrl("ssh://deploy@bastion/db")).toMatch(/nothing after/);
  });
});

describe("validating the network settings", () => {
  it("checks nothing while SSH is off and TLS is empty", () => {
    expect(validateNetwork("postgres", { ...emptySsh(), hops: [{ url: "nonsense", auth: "key", keyPath: "", secret: "" }] }, emptyTls())).toEqual({});
  });

  it("needs a jump host URL once SSH is on", () => {
    expect(validateNetwork("postgres", enabled({}), emptyTls()).sshUrl0).toMatch(/ssh:\/\/user@host:port/);
  });

  it("needs the key path for a key login", () => {
    const errors = validateNetwork("mysql", enabled({ url: "ssh://deploy@bastion", auth: "key", keyPath: "  " }), emptyTls());
    expect(errors.sshKey0).toMatch(/key file's path/);
    expect(errors.sshUrl0).toBeUndefined();
    expect(validateNetwork("mysql", enabled({ url: "ssh://deploy@bastion", auth: "key", keyPath: "~/.ssh/id_ed25519" }), emptyTls())).toEqual({});
  });

  it("takes a second jump host only after a first", () => {
    const errors = validateNetwork("postgres", enabled({ url: "" }, { url: "ssh://ops@inner" }), emptyTls());
    expect(errors.sshUrl0).toMatch(/second jump host needs a first/);
    const second = validateNetwork("postgres", enabled({ url: "ssh://deploy@bastion" }, { url: "inner", auth: "key" }), emptyTls());
    expect(second.sshUrl1).toMatch(/user/);
    expect(second.sshKey1).toMatch(/key file's path/);
    expect(second.sshUrl0).toBeUndefined();
  });

  it("pairs the client certificate with its key and keeps 'disable' plain", () => {
    expect(validateNetwork("postgres", emptySsh(), { ...emptyTls(), certFile: "/c.pem" }).tlsKey).toMatch(/needs its key/);
    expect(validateNetwork("postgres", emptySsh(), { ...emptyTls(), keyFile: "/k.pem" }).tlsCert).toMatch(/needs its certificate/);
    expect(validateNetwork("postgres", emptySsh(), { ...emptyTls(), mode: "disable", caFile: "/ca.pem" }).tlsCa).toMatch(/disable/);
    expect(validateNetwork("postgres", emptySsh(), { ...emptyTls(), serverName: "db internal" }).tlsServerName).toBeDefined();
    expect(validateNetwork("postgres", emptySsh(), { ...emptyTls(), mode: "verify-full", caFile: "/ca.pem", serverName: "db.internal" })).toEqual({});
  });

  it("ignores both sections for SQLite", () => {
    expect(validateNetwork("sqlite", enabled({ url: "" }), { ...emptyTls(), certFile: "/c.pem" })).toEqual({});
  });
});

describe("building the backend's input", () => {
  it("sends no hop while SSH is off, and none for SQLite", () => {
    expect(sshToInput("postgres", { ...enabled({ url: "ssh://deploy@bastion" }), enabled: false })).toEqual([]);
    expect(sshToInput("sqlite", enabled({ url: "ssh://deploy@bastion" }))).toEqual([]);
  });

  it("sends each hop with its auth, key path and secret (null keeps the saved one)", () => {
    const ssh = enabled(
      { url: " ssh://deploy@bastion:2222 ", auth: "key", keyPath: " /k ", secret: "" },
      { url: "ssh://ops@inner", auth: "password", secret: "pw" },
    );
    expect(sshToInput("postgres", ssh)).toEqual([
      { url: "ssh://deploy@bastion:2222", auth: "key", keyPath: "/k", secret: null },
      { url: "ssh://ops@inner", auth: "password", keyPath: null, secret: "pw" },
    ]);
  });

  it("drops an empty second hop and never sends a secret with the agent", () => {
    const ssh = enabled({ url: "ssh://deploy@bastion", auth: "agent", keyPath: "/stale", secret: "leftover" }, { url: " " });
    expect(sshToInput("redis", ssh)).toEqual([{ url: "ssh://deploy@bastion", auth: "agent", keyPath: null, secret: null }]);
  });

  it("sends TLS fields trimmed, blank ones left out (no setting)", () => {
    expect(tlsToInput("postgres", { mode: "verify-ca", caFile: " /ca.pem ", certFile: "", keyFile: " ", serverName: "db" })).toEqual({
      mode: "verify-ca",
      caFile: "/ca.pem",
      serverName: "db",
    });
    expect(tlsToInput("postgres", emptyTls())).toEqual({});
    expect(tlsToInput("sqlite", { ...emptyTls(), mode: "require" })).toEqual({});
  });
});

describe("the form from a saved profile", () => {
  it("shows the hops without secrets and turns SSH on", () => {
    const ssh = sshFromProfile({
      ssh: [
        { url: "ssh://deploy@bastion:22", auth: "key", keyPath: "/k" },
        { url: "ssh://ops@inner:22", auth: "password", keyPath: null },
      ],
    });
    expect(ssh.enabled).toBe(true);
    expect(ssh.hops).toEqual([
      { url: "ssh://deploy@bastion:22", auth: "key", keyPath: "/k", secret: "" },
      { url: "ssh://ops@inner:22", auth: "password", keyPath: "", secret: "" },
    ]);
    expect(sshFromProfile({ ssh: [] })).toEqual(emptySsh());
  });

  it("reads the TLS options, missing ones empty", () => {
    expect(tlsFromProfile({ tls: { mode: "require", serverName: "db.internal" } })).toEqual({ ...emptyTls(), mode: "require", serverName: "db.internal" });
  });

  it("adds and removes the second hop, edits one, and forgets secrets after a save", () => {
    const one = updateHop(addSecondHop({ ...emptySsh(), enabled: true }), 1, { url: "ssh://ops@inner", secret: "pw" });
    expect(one.hops).toHaveLength(2);
    expect(addSecondHop(one)).toBe(one);
    expect(one.hops[1].url).toBe("ssh://ops@inner");
    expect(withoutSecrets(one).hops.map((h) => h.secret)).toEqual(["", ""]);
    expect(removeSecondHop(one).hops).toHaveLength(1);
  });
});

describe("an unknown SSH host key", () => {
  const message = `ssh 127.0.0.1:40022: the host key is unknown (ssh-ed25519 ${FINGERPRINT}); if that is the jump host's key, accept it: dbdock profile trust-host e2e-ssh --fingerprint ${FINGERPRINT}`;

  it("is read from a HOST_KEY_UNKNOWN error: fingerprint, host and key type", () => {
    expect(unknownHostKey({ code: "HOST_KEY_UNKNOWN", message })).toEqual({
      fingerprint: FINGERPRINT,
      host: "127.0.0.1:40022",
      algorithm: "ssh-ed25519",
    });
  });

  it("names an IPv6 host in brackets, and does without a host it cannot find", () => {
    const v6 = unknownHostKey({ code: "HOST_KEY_UNKNOWN", message: `ssh [::1]:22: the host key is unknown (ssh-rsa ${FINGERPRINT})` });
    expect(v6?.host).toBe("[::1]:22");
    expect(unknownHostKey({ code: "HOST_KEY_UNKNOWN", message: `fingerprint ${FINGERPRINT}` })).toEqual({ fingerprint: FINGERPRINT, host: null, algorithm: null });
  });

  it("is decided by the code, not the text", () => {
    expect(unknownHostKey({ code: "HOST_KEY_MISMATCH", message })).toBeNull();
    expect(unknownHostKey({ code: "CONNECTION_FAILED", message })).toBeNull();
    expect(unknownHostKey({ code: "HOST_KEY_UNKNOWN", message: "no fingerprint here" })).toBeNull();
  });

  it("is compared with the server's public key file of its type", () => {
    expect(hostKeyFile("ssh-ed25519")).toBe("/etc/ssh/ssh_host_ed25519_key.pub");
    expect(hostKeyFile("ecdsa-sha2-nistp256")).toBe("/etc/ssh/ssh_host_ecdsa_key.pub");
    expect(hostKeyFile("rsa-sha2-512")).toBe("/etc/ssh/ssh_host_rsa_key.pub");
    expect(hostKeyFile(null)).toBe("/etc/ssh/ssh_host_ed25519_key.pub");
  });
});
