import { useState } from "react";
import type { SshAuthKind, SshHopView, TlsMode } from "../../api";
import {
  addSecondHop,
  MAX_SSH_HOPS,
  removeSecondHop,
  SSH_AUTH_LABELS,
  TLS_MODE_LABELS,
  TLS_MODES,
  tlsIsSet,
  updateHop,
  type NetworkErrorKey,
  type SshForm,
  type SshHopForm,
  type TlsForm,
} from "../../lib/network";

type Errors = Partial<Record<NetworkErrorKey, string>>;

type SshProps = {
  ssh: SshForm;
  errors: Errors;
  /** The saved profile's hops, to say when a secret is already in the keyring. */
  saved: readonly SshHopView[];
  onChange: (ssh: SshForm) => void;
};

/** The connection form's “SSH tunnel” section: up to two jump hosts, outermost first. */
export function SshSection({ ssh, errors, saved, onChange }: SshProps) {
  const [open, setOpen] = useState(ssh.enabled);
  const invalid = errors.sshUrl0 !== undefined || errors.sshKey0 !== undefined || errors.sshUrl1 !== undefined || errors.sshKey1 !== undefined;
  const first = ssh.hops[0];
  const summary = ssh.enabled ? (first.url.trim() === "" ? "on" : `via ${ssh.hops.map((h) => h.url.trim()).filter(Boolean).join(" → ")}`) : "off";
  return (
    <details className="limits network-section" data-testid="profile-ssh" open={open || invalid} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary data-testid="profile-ssh-toggle">
        SSH tunnel <span className="summary-note">{summary}</span>
      </summary>
      <label className="check">
        <input
          type="checkbox"
          data-testid="profile-ssh-enabled"
          checked={ssh.enabled}
          onChange={(e) => onChange({ ...ssh, enabled: e.target.checked })}
        />
        Connect through an SSH jump host
      </label>
      {ssh.enabled && (
        <>
          <HopFields
            hop={first}
            index={0}
            errors={errors}
            saved={saved[0]}
            onChange={(change) => onChange(updateHop(ssh, 0, change))}
          />
          {ssh.hops.length > 1 ? (
            <HopFields
              hop={ssh.hops[1]}
              index={1}
              errors={errors}
              saved={saved[1]}
              onChange={(change) => onChange(updateHop(ssh, 1, change))}
              onRemove={() => onChange(removeSecondHop(ssh))}
            />
          ) : (
            ssh.hops.length < MAX_SSH_HOPS && (
              <button type="button" className="button small" data-testid="profile-ssh-add-hop" onClick={() => onChange(addSecondHop(ssh))}>
                Add a second jump host
              </button>
            )
          )}
          <p className="field-hint">
            The database is reached from the last jump host, so the host in the URL is as that host sees it (often
            127.0.0.1). A host key DB Dock has not seen is shown for you to confirm on the first connection.
          </p>
        </>
      )}
    </details>
  );
}

type HopProps = {
  hop: SshHopForm;
  index: number;
  errors: Errors;
  saved: SshHopView | undefined;
  onChange: (change: Partial<SshHopForm>) => void;
  onRemove?: () => void;
};

function HopFields({ hop, index, errors, saved, onChange, onRemove }: HopProps) {
  // The first hop's test ids have no suffix; the second's end in -2.
  const tid = (name: string): string => (index === 0 ? `profile-ssh-${name}` : `profile-ssh-${name}-2`);
  const urlError = index === 0 ? errors.sshUrl0 : errors.sshUrl1;
  const keyError = index === 0 ? errors.sshKey0 : errors.sshKey1;
  const secretSaved = saved !== undefined && saved.auth === hop.auth && hop.auth === "password";
  const secretLabel = hop.auth === "key" ? "Key passphrase" : "SSH password";
  const secretHint =
    hop.auth === "key"
      ? saved?.auth === "key"
        ? "Leave empty to keep the saved one (if the key has one)"
        : "Only if the key has one — stored in the OS keyring"
      : secretSaved
        ? "Saved in the OS keyring — leave empty to keep it"
        : "Stored in the OS keyring, never in a file";
  return (
    <div className="ssh-hop" data-testid={tid("hop")}>
      <div className="ssh-hop-title">
        {index === 0 ? "Jump host" : "Second jump host (reached through the first)"}
        {onRemove && (
          <button type="button" className="button small" data-testid="profile-ssh-remove-hop" onClick={onRemove}>
            Remove
          </button>
        )}
      </div>
      <div className="field-row">
        <label className="field">
          <span className="field-label">Jump host URL</span>
          <input
            data-testid={tid("url")}
            className="mono"
            value={hop.url}
            onChange={(e) => onChange({ url: e.target.value })}
            placeholder="ssh://user@bastion.example.com:22"
            autoComplete="off"
            spellCheck={false}
            aria-invalid={urlError ? true : undefined}
          />
          {urlError && (
            <span className="field-error" data-testid={`${tid("url")}-error`}>
              {urlError}
            </span>
          )}
        </label>
        <label className="field auth-select">
          <span className="field-label">Log in with</span>
          <select data-testid={tid("auth")} value={hop.auth} onChange={(e) => onChange({ auth: e.target.value as SshAuthKind, secret: "" })}>
            {(["agent", "key", "password"] as const).map((a) => (
              <option key={a} value={a}>
                {SSH_AUTH_LABELS[a]}
              </option>
            ))}
          </select>
        </label>
      </div>
      {hop.auth === "key" && (
        <label className="field">
          <span className="field-label">Private key file</span>
          <input
            data-testid={tid("key")}
            className="mono"
            value={hop.keyPath}
            onChange={(e) => onChange({ keyPath: e.target.value })}
            placeholder="~/.ssh/id_ed25519"
            autoComplete="off"
            spellCheck={false}
            aria-invalid={keyError ? true : undefined}
          />
          {keyError && (
            <span className="field-error" data-testid={`${tid("key")}-error`}>
              {keyError}
            </span>
          )}
        </label>
      )}
      {hop.auth !== "agent" && (
        <label className="field">
          <span className="field-label">{secretLabel}</span>
          <input
            data-testid={tid("secret")}
            type="password"
            value={hop.secret}
            onChange={(e) => onChange({ secret: e.target.value })}
            placeholder={secretHint}
            autoComplete="new-password"
          />
        </label>
      )}
    </div>
  );
}

type TlsProps = {
  tls: TlsForm;
  errors: Errors;
  onChange: (tls: TlsForm) => void;
};

/** The connection form's “TLS” section: what the URL cannot say (files, a server name). */
export function TlsSection({ tls, errors, onChange }: TlsProps) {
  const [open, setOpen] = useState(() => tlsIsSet(tls));
  const invalid = errors.tlsCa !== undefined || errors.tlsCert !== undefined || errors.tlsKey !== undefined || errors.tlsServerName !== undefined;
  const set = <K extends keyof TlsForm>(key: K, value: TlsForm[K]): void => onChange({ ...tls, [key]: value });
  const file = (key: "caFile" | "certFile" | "keyFile", label: string, testId: string, placeholder: string, error: string | undefined) => (
    <label className="field">
      <span className="field-label">{label}</span>
      <input
        data-testid={testId}
        className="mono"
        value={tls[key]}
        onChange={(e) => set(key, e.target.value)}
        placeholder={placeholder}
        autoComplete="off"
        spellCheck={false}
        aria-invalid={error ? true : undefined}
      />
      {error && (
        <span className="field-error" data-testid={`${testId}-error`}>
          {error}
        </span>
      )}
    </label>
  );
  return (
    <details className="limits network-section" data-testid="profile-tls" open={open || invalid} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary data-testid="profile-tls-toggle">
        TLS <span className="summary-note">{tls.mode === "" ? (tlsIsSet(tls) ? "files set" : "from the URL") : tls.mode}</span>
      </summary>
      <label className="field">
        <span className="field-label">Mode</span>
        <select data-testid="profile-tls-mode" value={tls.mode} onChange={(e) => set("mode", e.target.value as TlsMode | "")}>
          <option value="">From the URL (or the driver's default)</option>
          {TLS_MODES.map((m) => (
            <option key={m} value={m}>
              {TLS_MODE_LABELS[m]}
            </option>
          ))}
        </select>
        <span className="field-hint">A CA file without a mode means verify-full.</span>
      </label>
      {file("caFile", "CA certificate (PEM)", "profile-tls-ca", "/etc/ssl/certs/company-ca.pem", errors.tlsCa)}
      <div className="field-row">
        {file("certFile", "Client certificate (PEM)", "profile-tls-cert", "client.crt", errors.tlsCert)}
        {file("keyFile", "Client key (PEM)", "profile-tls-key", "client.key", errors.tlsKey)}
      </div>
      <label className="field">
        <span className="field-label">Server name</span>
        <input
          data-testid="profile-tls-server-name"
          value={tls.serverName}
          onChange={(e) => set("serverName", e.target.value)}
          placeholder="The name on the certificate, when it is not the host connected to"
          autoComplete="off"
          spellCheck={false}
          aria-invalid={errors.tlsServerName ? true : undefined}
        />
        {errors.tlsServerName && (
          <span className="field-error" data-testid="profile-tls-server-name-error">
            {errors.tlsServerName}
          </span>
        )}
      </label>
    </details>
  );
}
