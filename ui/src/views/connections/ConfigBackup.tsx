import { useEffect, useState } from "react";
import { api, type RestorePlanView } from "../../api";
import { ErrorNotice } from "../../components/ErrorNotice";
import { useAsyncAction } from "../../hooks/useAsyncAction";
import { loadEndpoint, profilesStore, refreshProfiles } from "../../stores/profiles";
import { useStore } from "../../stores/store";

/**
 * Backup of the whole configuration (connections, AI access, token records, accepted host
 * keys), with the passwords sealed under a passphrase when asked; restore shows its plan
 * first and applies it on a second click.
 */
export function ConfigBackup() {
  const { endpoint } = useStore(profilesStore);
  const [edited, setPath] = useState<string | null>(null);
  const [withSecrets, setWithSecrets] = useState(false);
  const [passphrase, setPassphrase] = useState("");
  useEffect(() => {
    void loadEndpoint();
  }, []);
  const path = edited ?? (endpoint ? `${endpoint.home.replace(/[\\/]+$/, "")}/dbdock-backup.json` : "");
  const given = passphrase === "" ? null : passphrase;

  const backup = useAsyncAction(async () => ({ sealed: await api.backupConfig(path.trim(), withSecrets ? given : null) }));
  const restore = useAsyncAction(async (apply: boolean) => {
    const plan = await api.restoreConfig(path.trim(), given, apply);
    if (apply) await refreshProfiles();
    return plan;
  });
  const error = backup.error ?? restore.error;

  return (
    <section className="panel transfer" aria-label="Backup and restore" data-testid="config-backup">
      <h3>Backup / restore</h3>
      <p className="muted">Everything DB Dock keeps about your connections. Passwords only when you ask, sealed with a passphrase.</p>
      <div className="input-with-button">
        <input className="mono" aria-label="Backup file" data-testid="backup-path" value={path} onChange={(e) => setPath(e.target.value)} spellCheck={false} />
      </div>
      <div className="discovery-add">
        <label>
          <input type="checkbox" data-testid="backup-with-secrets" checked={withSecrets} onChange={(e) => setWithSecrets(e.target.checked)} /> include
          passwords
        </label>
        <input
          type="password"
          aria-label="Passphrase"
          data-testid="backup-passphrase"
          placeholder="passphrase (8+ characters)"
          value={passphrase}
          onChange={(e) => setPassphrase(e.target.value)}
        />
        <button
          type="button"
          className="button"
          data-testid="backup-run"
          disabled={path.trim() === "" || backup.busy || (withSecrets && passphrase.length < 8)}
          onClick={() => {
            restore.reset();
            void backup.run();
          }}
        >
          Back up
        </button>
        <button
          type="button"
          className="button"
          data-testid="restore-preview"
          disabled={path.trim() === "" || restore.busy}
          onClick={() => {
            backup.reset();
            void restore.run(false);
          }}
        >
          Restore…
        </button>
      </div>
      {error && <ErrorNotice error={error} testId="backup-error" />}
      {backup.result && (
        <div className="ok-text" data-testid="backup-done">
          Backed up to <span className="mono">{path}</span> {backup.result.sealed ? "with passwords, sealed" : "without passwords"}.
        </div>
      )}
      {restore.result && <RestoreSummary plan={restore.result} busy={restore.busy} onApply={() => void restore.run(true)} />}
    </section>
  );
}

function RestoreSummary({ plan, busy, onApply }: { plan: RestorePlanView; busy: boolean; onApply: () => void }) {
  const list = (names: string[]) => (names.length === 0 ? "none" : names.join(", "));
  return (
    <div className="import-summary" data-testid="restore-plan" data-preview={plan.preview}>
      <div className="import-line ok">
        <strong>{plan.preview ? "Would add" : "Added"}:</strong> {list(plan.added)}
      </div>
      <div className="import-line warn">
        <strong>{plan.preview ? "Would change" : "Changed"}:</strong> {list(plan.changed)}
      </div>
      <div className="import-line muted">
        <strong>Kept:</strong> {list(plan.kept)}
      </div>
      <div className="import-line muted">
        Tokens {plan.preview ? "to add" : "added"}: {list(plan.tokensAdded)}; SSH host keys: {plan.hostKeysAdded};{" "}
        {plan.withSecrets ? "passwords included" : "no passwords"}
      </div>
      {plan.preview && (
        <button type="button" className="button primary" data-testid="restore-apply" disabled={busy} onClick={onApply}>
          Apply restore
        </button>
      )}
    </div>
  );
}
