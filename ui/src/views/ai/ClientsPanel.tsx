import { useCallback, useEffect, useState } from "react";
import { api, toAppError, type AiClientId, type AiClientView, type AppError, type ConfigChangeView } from "../../api";
import { DiffView } from "../../components/DiffView";
import { ErrorNotice } from "../../components/ErrorNotice";
import { Spinner } from "../../components/Spinner";

/** The AI clients DB Dock can configure, each with preview, install and uninstall. */
export function ClientsPanel() {
  const [clients, setClients] = useState<AiClientView[] | null>(null);
  const [error, setError] = useState<AppError | null>(null);

  const refresh = useCallback(async () => {
    try {
      setClients(await api.aiClients());
      setError(null);
    } catch (e) {
      setError(toAppError(e));
    }
  }, []);

  useEffect(() => {
    let live = true;
    api
      .aiClients()
      .then((list) => live && setClients(list))
      .catch((e: unknown) => live && setError(toAppError(e)));
    return () => {
      live = false;
    };
  }, []);

  return (
    <section className="panel" aria-label="AI clients">
      <h3>AI clients</h3>
      <p className="muted">
        Installing writes one entry that starts this app's <code>dbdock mcp</code> — never a password. Other servers in the file
        are kept, and the old file is backed up next to it.
      </p>
      {error && <ErrorNotice error={error} testId="ai-clients-error" />}
      {clients === null && !error && (
        <div className="loading-line">
          <Spinner /> Looking for AI clients…
        </div>
      )}
      <ul className="client-list">
        {clients?.map((client) => (
          <ClientRow key={client.id} client={client} onChanged={refresh} />
        ))}
      </ul>
    </section>
  );
}

type Change = { kind: "preview" | "install" | "uninstall"; view: ConfigChangeView };

function ClientRow({ client, onChanged }: { client: AiClientView; onChanged: () => Promise<void> }) {
  const [busy, setBusy] = useState<Change["kind"] | null>(null);
  const [change, setChange] = useState<Change | null>(null);
  const [error, setError] = useState<AppError | null>(null);

  const act = async (kind: Change["kind"], call: (id: AiClientId) => Promise<ConfigChangeView>): Promise<void> => {
    setBusy(kind);
    setError(null);
    try {
      const view = await call(client.id);
      setChange({ kind, view });
      if (kind !== "preview") await onChanged();
    } catch (e) {
      setError(toAppError(e));
      setChange(null);
    } finally {
      setBusy(null);
    }
  };

  return (
    <li className="client-row" data-testid={`ai-client-${client.id}`} data-installed={client.installed}>
      <div className="client-head">
        <strong>{client.name}</strong>
        <span className={client.installed ? "pill ok" : "pill"} data-testid={`ai-status-${client.id}`}>
          {client.installed ? "installed" : "not installed"}
        </span>
        <span className="spacer" />
        <button type="button" className="button small" data-testid={`ai-preview-${client.id}`} disabled={busy !== null} onClick={() => void act("preview", (id) => api.aiPreview(id))}>
          Preview
        </button>
        <button
          type="button"
          className="button small primary"
          data-testid={`ai-install-${client.id}`}
          disabled={busy !== null}
          onClick={() => void act("install", (id) => api.aiInstall(id))}
        >
          {busy === "install" ? "Installing…" : client.installed ? "Reinstall" : "Install"}
        </button>
        <button
          type="button"
          className="button small danger-outline"
          data-testid={`ai-uninstall-${client.id}`}
          disabled={busy !== null || !client.installed}
          onClick={() => void act("uninstall", (id) => api.aiUninstall(id))}
        >
          {busy === "uninstall" ? "Removing…" : "Uninstall"}
        </button>
      </div>
      <div className="client-path mono" data-testid={`ai-path-${client.id}`} title="The file this client reads">
        {client.configPath}
      </div>
      {error && <ErrorNotice error={error} testId={`ai-error-${client.id}`} />}
      {change && (
        <div className="client-change" data-testid={`ai-diff-${client.id}`} data-kind={change.kind} data-changed={change.view.changed}>
          <div className="client-change-head">
            <span>
              {change.kind === "preview"
                ? change.view.changed
                  ? "Installing would change"
                  : "Already up to date:"
                : change.view.changed
                  ? change.kind === "install"
                    ? "Wrote"
                    : "Removed the entry from"
                  : "Nothing to change in"}{" "}
              <span className="mono">{change.view.path}</span>
            </span>
            <button type="button" className="icon-button" aria-label="Hide" onClick={() => setChange(null)}>
              ×
            </button>
          </div>
          {change.view.backup && (
            <div className="muted">
              Backup: <span className="mono">{change.view.backup}</span>
            </div>
          )}
          {change.view.diff.trim() !== "" && <DiffView diff={change.view.diff} />}
        </div>
      )}
    </li>
  );
}
