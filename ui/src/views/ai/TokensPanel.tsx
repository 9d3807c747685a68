import { useCallback, useEffect, useState } from "react";
import { api, type AppError, toAppError, type TokenInfo, type TokenScope } from "../../api";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { ErrorNotice } from "../../components/ErrorNotice";
import { useAsyncAction } from "../../hooks/useAsyncAction";
import { formatTimestamp } from "../../lib/format";
import { profilesStore } from "../../stores/profiles";
import { useStore } from "../../stores/store";
import { parseTokenForm, type TokenForm, EMPTY_TOKEN_FORM } from "../../lib/tokens";

/** Named tokens of the HTTP endpoint: each sees only its profiles, reads unless scoped write; shown once when made. */
export function TokensPanel() {
  const [tokens, setTokens] = useState<TokenInfo[] | null>(null);
  const [made, setMade] = useState<{ name: string; token: string } | null>(null);
  const [revoking, setRevoking] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<AppError | null>(null);
  const [version, setVersion] = useState(0);
  const refresh = useCallback(() => setVersion((v) => v + 1), []);
  useEffect(() => {
    let live = true;
    api
      .mcpTokens()
      .then((listed) => {
        if (!live) return;
        setTokens(listed);
        setLoadError(null);
      })
      .catch((e: unknown) => live && setLoadError(toAppError(e)));
    return () => {
      live = false;
    };
  }, [version]);
  const revoke = useAsyncAction(async (name: string) => {
    await api.revokeMcpToken(name);
    setRevoking(null);
    refresh();
  });

  return (
    <section className="panel" aria-label="HTTP tokens" data-testid="tokens-panel">
      <header className="panel-header">
        <h3>HTTP tokens</h3>
        <span className="pill" data-testid="tokens-count">
          {tokens?.length ?? 0}
        </span>
      </header>
      <p className="muted panel-note">
        For <span className="mono">dbdock mcp --http</span>: each client gets its own token, limited to chosen connections, read-only unless scoped
        “write”. A token is shown once; DB Dock keeps only its hash.
      </p>
      {loadError && <ErrorNotice error={loadError} testId="tokens-error" />}
      {made && (
        <div className="token-made" data-testid="token-made">
          <div>
            Token <strong>{made.name}</strong> — copy it now, it is not shown again:
          </div>
          <code className="mono token-value" data-testid="token-value">
            {made.token}
          </code>
          <div className="token-made-actions">
            <button type="button" className="button small" data-testid="token-copy" onClick={() => void navigator.clipboard?.writeText(made.token).catch(() => undefined)}>
              Copy
            </button>
            <button type="button" className="button small" data-testid="token-done" onClick={() => setMade(null)}>
              Done
            </button>
          </div>
        </div>
      )}
      {tokens && tokens.length > 0 && (
        <table className="data-table" data-testid="tokens-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Scopes</th>
              <th>Connections</th>
              <th>Limits</th>
              <th>Last used</th>
              <th>Expires</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.name} data-testid={`token-${t.name}`}>
                <td className="mono">{t.name}</td>
                <td>{t.scopes.join(", ")}</td>
                <td>{t.profiles.length === 0 ? "all exposed" : t.profiles.join(", ")}</td>
                <td>
                  {t.ratePerSec}/s, {t.maxConcurrent} at once
                </td>
                <td>{t.lastUsedAt ? formatTimestamp(t.lastUsedAt) : "never"}</td>
                <td>{t.expiresAt ? formatTimestamp(t.expiresAt) : "never"}</td>
                <td>
                  <button type="button" className="button small danger" data-testid={`token-revoke-${t.name}`} onClick={() => setRevoking(t.name)}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <NewTokenForm
        onMade={(name, token) => {
          setMade({ name, token });
          refresh();
        }}
      />
      {revoking && (
        <ConfirmDialog
          title={`Revoke token “${revoking}”?`}
          confirmLabel="Revoke"
          danger
          busy={revoke.busy}
          testId="token-revoke-dialog"
          onConfirm={() => void revoke.run(revoking)}
          onCancel={() => setRevoking(null)}
        >
          A running endpoint refuses it from its next request; the client using it needs a new one.
          {revoke.error && <ErrorNotice error={revoke.error} testId="token-revoke-error" />}
        </ConfirmDialog>
      )}
    </section>
  );
}

function NewTokenForm({ onMade }: { onMade: (name: string, token: string) => void }) {
  const { profiles } = useStore(profilesStore);
  const [form, setForm] = useState<TokenForm>(EMPTY_TOKEN_FORM);
  const exposed = (profiles ?? []).filter((p) => p.access !== "none").map((p) => p.name);
  const parsed = parseTokenForm(form);
  const create = useAsyncAction(async () => {
    if (!parsed.ok) return;
    const created = await api.createMcpToken(parsed.token);
    setForm(EMPTY_TOKEN_FORM);
    onMade(created.info.name, created.token);
  });
  const toggle = <T,>(list: T[], item: T): T[] => (list.includes(item) ? list.filter((x) => x !== item) : [...list, item]);
  const scope = (s: TokenScope, label: string) => (
    <label className="check">
      <input type="checkbox" data-testid={`token-scope-${s}`} checked={form.scopes.includes(s)} onChange={() => setForm((f) => ({ ...f, scopes: toggle(f.scopes, s) }))} />
      {label}
    </label>
  );
  return (
    <form
      className="token-form"
      data-testid="token-form"
      onSubmit={(e) => {
        e.preventDefault();
        void create.run();
      }}
    >
      <div className="token-form-row">
        <input type="text" placeholder="Token name (e.g. claude-web)" data-testid="token-name" value={form.name} onChange={(e) => setForm((f) => ({ ...f, name: e.target.value }))} />
        {scope("write", "write")}
        {scope("metrics", "metrics")}
        <input type="number" min={1} placeholder="Expires (days)" data-testid="token-expires" value={form.expiresDays} onChange={(e) => setForm((f) => ({ ...f, expiresDays: e.target.value }))} />
        <input type="number" min={1} placeholder="Requests/s (50)" data-testid="token-rate" value={form.ratePerSec} onChange={(e) => setForm((f) => ({ ...f, ratePerSec: e.target.value }))} />
      </div>
      <div className="token-form-row">
        <span className="muted">Connections:</span>
        {exposed.length === 0 && <span className="muted">none exposed to AI yet</span>}
        {exposed.map((name) => (
          <label key={name} className="check">
            <input type="checkbox" data-testid={`token-profile-${name}`} checked={form.profiles.includes(name)} onChange={() => setForm((f) => ({ ...f, profiles: toggle(f.profiles, name) }))} />
            {name}
          </label>
        ))}
        <span className="muted">{form.profiles.length === 0 ? "(none ticked: all exposed)" : ""}</span>
      </div>
      {!parsed.ok && form.name !== "" && <span className="field-error" data-testid="token-form-error">{parsed.error}</span>}
      <button type="submit" className="button primary small" data-testid="token-create" disabled={!parsed.ok || create.busy}>
        Create token
      </button>
      {create.error && <ErrorNotice error={create.error} testId="token-create-error" />}
    </form>
  );
}
