import { useState } from "react";
import { api, type DiscoveryForm, type FindingView } from "../../api";
import { EngineBadge } from "../../components/EngineBadge";
import { ErrorNotice } from "../../components/ErrorNotice";
import { useAsyncAction } from "../../hooks/useAsyncAction";
import { plural } from "../../lib/format";
import { refreshProfiles } from "../../stores/profiles";

/**
 * "Find local servers": the default ports and sockets of this machine, DB Dock's
 * environment, and optionally more ports and a folder's .env and Compose files. Each server
 * is named by its handshake; a password found in a file is saved only when ticked.
 */
export function ServerDiscovery() {
  const [form, setForm] = useState<DiscoveryForm>({ ports: "", host: "", folder: "" });
  const scan = useAsyncAction((f: DiscoveryForm) => api.discoverServers(f));
  return (
    <section className="panel discovery" aria-label="Find local servers" data-testid="discovery">
      <h3>Find local servers</h3>
      <p className="muted">
        Knocks on this machine&apos;s default ports and sockets, and reads DATABASE_URL-style variables. Only loopback and a host you type
        are contacted.
      </p>
      <div className="discovery-form">
        <input
          className="mono"
          aria-label="More ports"
          data-testid="discovery-ports"
          placeholder="more ports: 5433, 6380-6390"
          value={form.ports}
          onChange={(e) => setForm({ ...form, ports: e.target.value })}
        />
        <input
          className="mono"
          aria-label="Host of those ports"
          placeholder="host (127.0.0.1)"
          value={form.host}
          onChange={(e) => setForm({ ...form, host: e.target.value })}
        />
        <input
          className="mono"
          aria-label="Folder with .env or Compose files"
          data-testid="discovery-folder"
          placeholder="folder with .env / compose.yaml"
          value={form.folder}
          onChange={(e) => setForm({ ...form, folder: e.target.value })}
        />
        <button type="button" className="button" data-testid="discovery-run" disabled={scan.busy} onClick={() => void scan.run(form)}>
          {scan.busy ? "Looking…" : "Find"}
        </button>
      </div>
      {scan.error && <ErrorNotice error={scan.error} testId="discovery-error" />}
      {scan.result && (
        <>
          <p className="muted" data-testid="discovery-count">
            {scan.result.length === 0 ? "Nothing found." : `${plural(scan.result.length, "finding")}.`}
          </p>
          <ul className="discovery-list">
            {scan.result.map((f) => (
              <FindingRow key={f.token} finding={f} />
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function authText(f: FindingView): string {
  if (f.authRequired === true) return "password required";
  if (f.authRequired === false) return "no password needed";
  return "";
}

function FindingRow({ finding: f }: { finding: FindingView }) {
  const [name, setName] = useState(f.suggestedName ?? "");
  const [saveSecret, setSaveSecret] = useState(false);
  const [password, setPassword] = useState("");
  const add = useAsyncAction(async () => {
    const profile = await api.addDiscovered(f.token, f.url ?? "", name.trim(), saveSecret, password === "" ? null : password);
    await refreshProfiles();
    return profile;
  });
  const identified = f.state === "identified";
  return (
    <li className={`discovery-item state-${f.state}`} data-testid="discovery-item" data-engine={f.engine ?? ""}>
      <div className="discovery-head">
        {f.engine && <EngineBadge engine={f.engine} />}
        <strong>{identified ? f.summary : f.state === "unknown" ? "Unknown service" : "Not contacted"}</strong>
        {f.version && <span className="mono">{f.version}</span>}
        <span className="muted">{authText(f)}</span>
        <span className="spacer" />
        <span className="muted mono">{f.foundAt}</span>
      </div>
      {!identified && <div className="muted">{f.summary}</div>}
      {f.detail && <div className="muted">{f.detail}</div>}
      {f.url && <div className="mono">{f.url}</div>}
      {f.savedAs ? (
        <div className="ok-text">Saved as {f.savedAs}.</div>
      ) : add.result ? (
        <div className="ok-text" data-testid="discovery-added">
          Added {add.result.name}
          {add.result.hasSecret ? ", password in the OS keyring" : ""}.
        </div>
      ) : (
        f.url && (
          <div className="discovery-add">
            <input aria-label="Profile name" value={name} onChange={(e) => setName(e.target.value)} spellCheck={false} />
            {f.hasSecret ? (
              <label>
                <input type="checkbox" checked={saveSecret} onChange={(e) => setSaveSecret(e.target.checked)} /> save the password it
                holds to the OS keyring
              </label>
            ) : (
              <input
                type="password"
                aria-label="Password"
                placeholder={f.secretElsewhere ? `password (${f.secretElsewhere})` : "password (optional)"}
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            )}
            <button type="button" className="button" data-testid="discovery-add" disabled={name.trim() === "" || add.busy} onClick={() => void add.run()}>
              Add
            </button>
          </div>
        )
      )}
      {add.error && <ErrorNotice error={add.error} />}
    </li>
  );
}
