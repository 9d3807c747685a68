// How a connection reaches its server, as the connection form edits it: up to two SSH jump
// hosts and the TLS options beyond the URL. Turning the form's fields into the backend's
// input, checking them before anything is sent, and reading an unknown SSH host key's
// fingerprint out of a HOST_KEY_UNKNOWN error (the UI decides on the code; the message only
// supplies the data to show).

import type { AppError, Engine, ProfileView, SshAuthKind, SshHopInput, TlsMode, TlsOptions } from "../api";

/** The most jump hosts a profile may chain (the backend's MAX_SSH_HOPS). */
export const MAX_SSH_HOPS = 2;

export const SSH_AUTH_LABELS: Record<SshAuthKind, string> = {
  agent: "SSH agent",
  key: "Private key file",
  password: "Password",
};

export const TLS_MODES: readonly TlsMode[] = ["disable", "prefer", "require", "verify-ca", "verify-full"];

export const TLS_MODE_LABELS: Record<TlsMode, string> = {
  disable: "disable — plain text",
  prefer: "prefer — TLS if offered, certificate not checked",
  require: "require — TLS, certificate not checked",
  "verify-ca": "verify-ca — certificate must chain to the CA",
  "verify-full": "verify-full — CA and host name checked",
};

export type SshHopForm = {
  /** `ssh://user@host:port`. */
  url: string;
  auth: SshAuthKind;
  keyPath: string;
  /** The key's passphrase or the password. Never filled from a saved profile: empty keeps the saved one. */
  secret: string;
};

export type SshForm = {
  enabled: boolean;
  /** The first hop, then the optional second; always at least one (empty when unused). */
  hops: SshHopForm[];
};

export type TlsForm = {
  /** "" means what the URL says (or the driver's default). */
  mode: TlsMode | "";
  caFile: string;
  certFile: string;
  keyFile: string;
  serverName: string;
};

export type NetworkErrorKey =
  | "sshUrl0"
  | "sshKey0"
  | "sshUrl1"
  | "sshKey1"
  | "tlsCert"
  | "tlsKey"
  | "tlsCa"
  | "tlsServerName";

export type NetworkErrors = Partial<Record<NetworkErrorKey, string>>;

export function emptyHop(): SshHopForm {
  return { url: "", auth: "agent", keyPath: "", secret: "" };
}

export function emptySsh(): SshForm {
  return { enabled: false, hops: [emptyHop()] };
}

export function emptyTls(): TlsForm {
  return { mode: "", caFile: "", certFile: "", keyFile: "", serverName: "" };
}

/** Whether an engine reaches a server over the network (SQLite opens a local file). */
export function networked(engine: Engine | null): boolean {
  return engine !== "sqlite";
}

/** The form's SSH section for a saved profile; secrets stay empty. */
export function sshFromProfile(profile: Pick<ProfileView, "ssh">): SshForm {
  const hops = profile.ssh.slice(0, MAX_SSH_HOPS).map((h) => ({ url: h.url, auth: h.auth, keyPath: h.keyPath ?? "", secret: "" }));
  return hops.length === 0 ? emptySsh() : { enabled: true, hops };
}

export function tlsFromProfile(profile: Pick<ProfileView, "tls">): TlsForm {
  const t = profile.tls;
  return {
    mode: t.mode ?? "",
    caFile: t.caFile ?? "",
    certFile: t.certFile ?? "",
    keyFile: t.keyFile ?? "",
    serverName: t.serverName ?? "",
  };
}

/** Adds the optional second jump host (no-op when there already are two). */
export function addSecondHop(ssh: SshForm): SshForm {
  return ssh.hops.length >= MAX_SSH_HOPS ? ssh : { ...ssh, hops: [...ssh.hops, emptyHop()] };
}

export function removeSecondHop(ssh: SshForm): SshForm {
  return { ...ssh, hops: ssh.hops.slice(0, 1) };
}

export function updateHop(ssh: SshForm, index: number, change: Partial<SshHopForm>): SshForm {
  return { ...ssh, hops: ssh.hops.map((h, i) => (i === index ? { ...h, ...change } : h)) };
}

const blank = (text: string): boolean => text.trim() === "";

/**
 * Checks a jump host's URL the way the backend parses it (`ssh://user@host[:port]`, or
 * `user@host[:port]`): a user and a host, a port in range, nothing after, and no password.
 * Returns the problem, or null.
 */
export function checkSshUrl(url: string): string | null {
  const text = url.trim();
  if (text === "") return "Give the jump host as ssh://user@host:port.";
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  if (scheme && scheme[1].toLowerCase() !== "ssh") return `Jump hosts are ssh:// URLs, not ${scheme[1]}://.`;
  const rest = scheme ? text.slice(scheme[0].length) : text;
  const at = rest.lastIndexOf("@");
  if (at < 0) return "Name the user: ssh://user@host:port.";
  const userinfo = rest.slice(0, at);
  if (userinfo.includes(":")) return "Put the SSH password in the password field, never in the URL.";
  if (userinfo === "") return "Name the user: ssh://user@host:port.";
  const hostport = rest.slice(at + 1).replace(/\/$/, "");
  const m = /^(\[[0-9a-f:.]+\]|[^\s:/?#[\]@]+)(?::(\d+))?$/i.exec(hostport);
  if (!m) return "Expected ssh://user@host:port, with nothing after the port.";
  if (m[2] !== undefined) {
    const port = Number(m[2]);
    if (!Number.isInteger(port) || port < 1 || port > 65535) return "The port is a number from 1 to 65535.";
  }
  return null;
}

function hopErrors(hop: SshHopForm, index: number, errors: NetworkErrors): void {
  const url = index === 0 ? "sshUrl0" : "sshUrl1";
  const key = index === 0 ? "sshKey0" : "sshKey1";
  const problem = checkSshUrl(hop.url);
  if (problem) errors[url] = problem;
  if (hop.auth === "key" && blank(hop.keyPath)) errors[key] = "A key login needs the private key file's path (e.g. ~/.ssh/id_ed25519).";
}

/** What is wrong with the network settings, by field; empty when they can be sent. */
export function validateNetwork(engine: Engine | null, ssh: SshForm, tls: TlsForm): NetworkErrors {
  const errors: NetworkErrors = {};
  if (!networked(engine)) return errors;
  if (ssh.enabled) {
    const [first, second] = ssh.hops;
    if (second !== undefined && !blank(second.url) && blank(first.url)) {
      errors.sshUrl0 = "A second jump host needs a first one: fill in the first jump host.";
    } else {
      hopErrors(first, 0, errors);
    }
    if (second !== undefined) hopErrors(second, 1, errors);
  }
  const cert = !blank(tls.certFile);
  const key = !blank(tls.keyFile);
  if (cert && !key) errors.tlsKey = "A client certificate needs its key.";
  if (key && !cert) errors.tlsCert = "A client key needs its certificate.";
  if (tls.mode === "disable" && (cert || !blank(tls.caFile))) errors.tlsCa = "TLS mode “disable” takes no CA or client certificate.";
  if (!blank(tls.serverName) && /[\s/]/.test(tls.serverName.trim())) errors.tlsServerName = "A host name, without spaces or slashes.";
  return errors;
}

/** The hops to send: none when SSH is off or the engine is not networked. */
export function sshToInput(engine: Engine | null, ssh: SshForm): SshHopInput[] {
  if (!networked(engine) || !ssh.enabled) return [];
  return ssh.hops
    .filter((h, i) => i === 0 || !blank(h.url))
    .map((h) => ({
      url: h.url.trim(),
      auth: h.auth,
      keyPath: h.auth === "key" ? h.keyPath.trim() : null,
      secret: h.auth === "agent" || h.secret === "" ? null : h.secret,
    }));
}

/** The TLS options to send: a blank field is left out (no setting); none at all for SQLite. */
export function tlsToInput(engine: Engine | null, tls: TlsForm): TlsOptions {
  const options: TlsOptions = {};
  if (!networked(engine)) return options;
  if (tls.mode !== "") options.mode = tls.mode;
  if (!blank(tls.caFile)) options.caFile = tls.caFile.trim();
  if (!blank(tls.certFile)) options.certFile = tls.certFile.trim();
  if (!blank(tls.keyFile)) options.keyFile = tls.keyFile.trim();
  if (!blank(tls.serverName)) options.serverName = tls.serverName.trim();
  return options;
}

/** Whether any TLS field is set (the section opens by itself then). */
export function tlsIsSet(tls: TlsForm): boolean {
  return tls.mode !== "" || !blank(tls.caFile) || !blank(tls.certFile) || !blank(tls.keyFile) || !blank(tls.serverName);
}

/** The form after a save: secrets are never kept on screen. */
export function withoutSecrets(ssh: SshForm): SshForm {
  return { ...ssh, hops: ssh.hops.map((h) => ({ ...h, secret: "" })) };
}

/** An unknown SSH host key, as a HOST_KEY_UNKNOWN error describes it. */
export type UnknownHostKey = {
  /** `SHA256:…`, as `ssh-keygen -lf` prints it. */
  fingerprint: string;
  /** `host:port` of the jump host, when the message names it. */
  host: string | null;
  /** The key type (`ssh-ed25519`, …), when the message names it. */
  algorithm: string | null;
};

const FINGERPRINT = /SHA256:[A-Za-z0-9+/=]+/;

/** The fingerprint (and host) of a HOST_KEY_UNKNOWN error; null for any other error. */
export function unknownHostKey(error: AppError): UnknownHostKey | null {
  if (error.code !== "HOST_KEY_UNKNOWN") return null;
  const fingerprint = FINGERPRINT.exec(error.message)?.[0];
  if (fingerprint === undefined) return null;
  const host = /\bssh (\[[^\]\s]+\]:\d+|[^\s:[\]]+:\d+):/.exec(error.message)?.[1] ?? null;
  const algorithm = /\(([a-z0-9@.-]+) SHA256:/i.exec(error.message)?.[1] ?? null;
  return { fingerprint, host, algorithm };
}

/** The server's public host key file to compare the fingerprint with, by key type. */
export function hostKeyFile(algorithm: string | null): string {
  const a = (algorithm ?? "").toLowerCase();
  const kind = a.startsWith("ecdsa") ? "ecdsa" : a.includes("rsa") ? "rsa" : "ed25519";
  return `/etc/ssh/ssh_host_${kind}_key.pub`;
}
