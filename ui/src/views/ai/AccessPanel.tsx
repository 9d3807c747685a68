import { useState } from "react";
import { api, toAppError, type Access, type AppError, type ProfileView } from "../../api";
import { EngineBadge } from "../../components/EngineBadge";
import { ErrorNotice } from "../../components/ErrorNotice";
import { ACCESS_LABELS } from "../../lib/engines";
import { hasLogins } from "../../lib/loginSafety";
import { useEngineSpecs } from "../../stores/engines";
import { profilesStore, refreshProfiles } from "../../stores/profiles";
import { useStore } from "../../stores/store";
import { LoginSafety } from "./LoginSafety";

const ACCESS_HELP: Record<Access, string> = {
  none: "hidden from AI assistants",
  "read-only": "queries only, enforced by the database",
  "read-write": "queries and writes",
  ask: "writes wait for your approval",
};

/** Per connection: what AI assistants may do with it. */
export function AccessPanel() {
  const { profiles } = useStore(profilesStore);
  const specs = useEngineSpecs();
  // The login is checked where AI clients only read, on engines whose logins matter (their spec).
  const checksLogin = (p: ProfileView): boolean =>
    hasLogins(specs.get(p.engine)?.capabilities ?? null) && (p.access === "read-only" || p.access === "ask") && p.source === "store";
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<AppError | null>(null);

  const change = async (name: string, access: Access): Promise<void> => {
    setBusy(name);
    setError(null);
    try {
      await api.setAccess(name, access);
      await refreshProfiles();
    } catch (e) {
      setError(toAppError(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="panel" aria-label="AI access per connection">
      <h3>AI access per connection</h3>
      {error && <ErrorNotice error={error} testId="ai-access-error" onDismiss={() => setError(null)} />}
      {profiles?.length === 0 && <p className="muted">No connections yet.</p>}
      <table className="data-table compact">
        <tbody>
          {profiles?.map((p) => (
            <tr key={p.name} data-testid={`ai-profile-${p.name}`}>
              <td>
                <span className="name-cell">
                  <EngineBadge engine={p.engine} />
                  {p.name}
                </span>
              </td>
              <td>
                <select
                  data-testid={`ai-access-${p.name}`}
                  value={p.access}
                  disabled={busy === p.name}
                  onChange={(e) => void change(p.name, e.target.value as Access)}
                  aria-label={`AI access for ${p.name}`}
                >
                  {(["none", "read-only", "read-write", "ask"] as const).map((a) => (
                    <option key={a} value={a}>
                      {ACCESS_LABELS[a]}
                    </option>
                  ))}
                </select>
              </td>
              <td className="muted">{ACCESS_HELP[p.access]}</td>
              <td>
                {checksLogin(p) && <LoginSafety profile={p} />}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
