import { useEffect, useState } from "react";
import { api, toAppError, type AppError, type LoginPlanView, type LoginReport, type ProfileView } from "../../api";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { ErrorNotice } from "../../components/ErrorNotice";
import { loginVerdict, readOnlyLoginAction } from "../../lib/loginSafety";
import { useEngineSpec } from "../../stores/engines";
import { refreshProfiles } from "../../stores/profiles";

/**
 * Whether the login AI clients use for `profile` can write, and a button for a read-only login
 * that shows the statements first (password masked). Where the engine lets DB Dock create the
 * login (its spec says so), it runs them only when confirmed; elsewhere the user runs them.
 */
export function LoginSafety({ profile }: { profile: ProfileView }) {
  const capabilities = useEngineSpec(profile.engine)?.capabilities ?? null;
  const [report, setReport] = useState<LoginReport | null>(null);
  const [plan, setPlan] = useState<LoginPlanView | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);

  // Asked again whenever the access level or the AI login changes.
  useEffect(() => {
    let current = true;
    api.loginReport(profile.name).then(
      (r) => current && setReport(r),
      (e: unknown) => current && setError(toAppError(e)),
    );
    return () => {
      current = false;
    };
  }, [profile.name, profile.access, profile.aiLogin]);

  const preview = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      setPlan(await api.previewAiLogin(profile.name, null));
    } catch (e) {
      setError(toAppError(e));
    } finally {
      setBusy(false);
    }
  };

  const create = async (): Promise<void> => {
    if (!plan) return;
    setBusy(true);
    setError(null);
    try {
      await api.createAiLogin(profile.name, plan.login);
      setPlan(null);
      await refreshProfiles();
    } catch (e) {
      setError(toAppError(e));
      setPlan(null);
    } finally {
      setBusy(false);
    }
  };

  const verdict = report ? loginVerdict(report, capabilities) : null;
  return (
    <div className="login-safety" data-testid={`ai-login-${profile.name}`}>
      {!report && !error && <span className="muted">Checking the login…</span>}
      {verdict?.tone === "ok" && (
        <span className="ok-text" data-testid={`ai-login-ok-${profile.name}`}>
          <span className="ok-mark">✓</span>
          {verdict.text}
        </span>
      )}
      {verdict?.tone === "unknown" && <span className="muted">{verdict.text}</span>}
      {verdict?.tone === "warn" && report?.aiCanWrite && (
        <span className="warn-badge" data-testid={`ai-login-warning-${profile.name}`} title={verdict.evidence.join(", ")}>
          {verdict.text} ({verdict.evidence.join(", ")})
        </span>
      )}
      {report?.aiCanWrite && (
        <button
          type="button"
          className="button small"
          data-testid={`ai-login-create-${profile.name}`}
          disabled={busy}
          onClick={() => void preview()}
        >
          {readOnlyLoginAction(capabilities)}
        </button>
      )}
      {error && <ErrorNotice error={error} testId={`ai-login-error-${profile.name}`} onDismiss={() => setError(null)} />}
      {plan && (
        <ConfirmDialog
          title={plan.runnable ? `Create ${plan.login} for AI assistants?` : `A read-only login for ${profile.name}`}
          confirmLabel={plan.runnable ? "Create login" : "Done"}
          busy={busy}
          onConfirm={() => (plan.runnable ? void create() : setPlan(null))}
          onCancel={() => setPlan(null)}
          testId="ai-login-dialog"
        >
          <p>
            {plan.runnable
              ? "DB Dock runs these statements with this connection's login. The password is generated and goes straight to the OS keyring; AI assistants then use this login, the app keeps yours."
              : "DB Dock does not run these on this engine: run them yourself with a password of your own, then attach the login with `dbdock profile ai-login --set`."}
          </p>
          <pre className="login-statements" data-testid="ai-login-statements">
            {plan.statements.join("\n")}
          </pre>
          <ul className="muted">
            {plan.notes.map((note) => (
              <li key={note}>{note}</li>
            ))}
          </ul>
        </ConfirmDialog>
      )}
    </div>
  );
}
