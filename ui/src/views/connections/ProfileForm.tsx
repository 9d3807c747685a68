import { useCallback, useEffect, useRef, useState } from "react";
import { api, toAppError, type Access, type AppError, type ProfileView, type TestReport } from "../../api";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { EngineBadge } from "../../components/EngineBadge";
import { ErrorNotice } from "../../components/ErrorNotice";
import { Kbd } from "../../components/Kbd";
import { Spinner } from "../../components/Spinner";
import { ACCESS_LABELS, engineLabel, PROFILE_COLORS } from "../../lib/engines";
import { formatDuration } from "../../lib/format";
import { networked, unknownHostKey, withoutSecrets, type NetworkErrorKey, type SshForm, type TlsForm } from "../../lib/network";
import {
  applyParsedUrl,
  composeUrl,
  emptyForm,
  fieldsEditable,
  formFromProfile,
  formToInput,
  sameForm,
  validateForm,
  withParts,
  type ConnectionField,
  type FormErrors,
  type ProfileForm as FormState,
} from "../../lib/profileForm";
import { useEngineSpec } from "../../stores/engines";
import { offerHostKey } from "../../stores/hostKeys";
import { recordTest, refreshProfiles } from "../../stores/profiles";
import { loadTables } from "../../stores/schema";
import { editConnection, setActiveProfile } from "../../stores/ui";
import { SshSection, TlsSection } from "./NetworkSections";

type Props = {
  /** The saved profile being edited, or null when adding one. */
  profile: ProfileView | null;
};

type TestState =
  | { status: "running"; name: string }
  | { status: "ok"; name: string; report: TestReport }
  | { status: "error"; name: string; error: AppError }
  | null;

const PARSE_DELAY_MS = 400;

/** Add or edit a connection: paste a URL and the fields fill in; the password goes to the keyring. */
export function ProfileForm({ profile }: Props) {
  const editing = profile !== null;
  const [form, setForm] = useState<FormState>(() => (profile ? formFromProfile(profile) : emptyForm()));
  const [saved, setSaved] = useState<FormState>(form);
  const [errors, setErrors] = useState<FormErrors>({});
  const [parseError, setParseError] = useState<AppError | null>(null);
  const [parsing, setParsing] = useState(false);
  const [saveError, setSaveError] = useState<AppError | null>(null);
  const [saving, setSaving] = useState(false);
  const [savedNote, setSavedNote] = useState<string | null>(null);
  const [test, setTest] = useState<TestState>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState<AppError | null>(null);
  const [showPassword, setShowPassword] = useState(false);
  const formRef = useRef(form);
  useEffect(() => {
    formRef.current = form;
  }, [form]);
  const parseTimer = useRef<number | undefined>(undefined);
  const readOnly = profile?.source === "environment";
  const dirty = !editing || !sameForm(form, saved);

  // Fill the host/port/user/database fields of a saved profile from its URL.
  useEffect(() => {
    if (!profile) return;
    let live = true;
    api
      .parseUrl(profile.url)
      .then((parts) => {
        if (!live) return;
        setForm((f) => (f.url === profile.url ? withParts(f, parts) : f));
        setSaved((f) => (f.url === profile.url ? withParts(f, parts) : f));
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [profile]);

  useEffect(() => () => window.clearTimeout(parseTimer.current), []);

  const parseNow = useCallback(async (typed: string): Promise<void> => {
    window.clearTimeout(parseTimer.current);
    if (typed.trim() === "") {
      setParseError(null);
      return;
    }
    setParsing(true);
    try {
      const parts = await api.parseUrl(typed.trim());
      // Ignore an answer for a URL the user has since changed.
      if (formRef.current.url !== typed) return;
      setParseError(null);
      setForm((f) => applyParsedUrl(f, typed, parts));
    } catch (error) {
      if (formRef.current.url === typed) setParseError(toAppError(error));
    } finally {
      setParsing(false);
    }
  }, []);

  const onUrlChange = (url: string, pasted: boolean): void => {
    setForm((f) => ({ ...f, url }));
    setErrors((e) => ({ ...e, url: undefined }));
    window.clearTimeout(parseTimer.current);
    if (pasted) {
      formRef.current = { ...formRef.current, url };
      void parseNow(url);
    } else {
      parseTimer.current = window.setTimeout(() => void parseNow(url), PARSE_DELAY_MS);
    }
  };

  const onFieldChange = (field: ConnectionField, value: string): void => {
    setForm((f) => {
      const url = composeUrl(f.url, field, value);
      return { ...f, [field]: value, url };
    });
  };

  const set = <K extends keyof FormState>(key: K, value: FormState[K]): void => {
    setForm((f) => ({ ...f, [key]: value }));
    setErrors((e) => ({ ...e, [key]: undefined }));
  };

  const clearErrors = (keys: readonly NetworkErrorKey[]): void => {
    setErrors((e) => {
      const next = { ...e };
      for (const k of keys) delete next[k];
      return next;
    });
  };
  const setSsh = (ssh: SshForm): void => {
    setForm((f) => ({ ...f, ssh }));
    clearErrors(["sshUrl0", "sshKey0", "sshUrl1", "sshKey1"]);
  };
  const setTls = (tls: TlsForm): void => {
    setForm((f) => ({ ...f, tls }));
    clearErrors(["tlsCa", "tlsCert", "tlsKey", "tlsServerName"]);
  };

  const save = async (): Promise<ProfileView | null> => {
    const found = validateForm(form);
    setErrors(found);
    if (Object.keys(found).length > 0) return null;
    setSaving(true);
    setSaveError(null);
    setSavedNote(null);
    try {
      const result = await api.saveProfile(formToInput(form), editing ? profile.name : null);
      await refreshProfiles();
      // Secrets went to the keyring; none stays on screen.
      const next = { ...form, name: result.name, url: result.url, password: "", ssh: withoutSecrets(form.ssh) };
      setForm(next);
      setSaved(next);
      setSavedNote(editing ? "Saved." : "Connection added.");
      setActiveProfile(result.name);
      if (!editing || profile.name !== result.name) editConnection({ mode: "edit", name: result.name }, true);
      void loadTables(result.name, true);
      return result;
    } catch (error) {
      setSaveError(toAppError(error));
      return null;
    } finally {
      setSaving(false);
    }
  };

  const runTest = async (): Promise<void> => {
    let name = profile?.name ?? null;
    if (dirty && !readOnly) {
      const result = await save();
      if (!result) return;
      name = result.name;
    }
    if (name === null) return;
    await testSaved(name);
  };

  /** Tests the saved profile; an unknown SSH host key is shown for the user to confirm, then tested again. */
  const testSaved = async (name: string): Promise<void> => {
    setTest({ status: "running", name });
    try {
      const report = await api.testProfile(name);
      recordTest(name, report);
      setTest({ status: "ok", name, report });
    } catch (error) {
      const appError = toAppError(error);
      setTest({ status: "error", name, error: appError });
      offerHostKey(name, appError, () => testSaved(name), true);
    }
  };

  const remove = async (): Promise<void> => {
    if (!profile) return;
    setDeleting(true);
    setDeleteError(null);
    try {
      await api.deleteProfile(profile.name);
      setConfirmDelete(false);
      await refreshProfiles();
      editConnection(null);
    } catch (error) {
      setDeleteError(toAppError(error));
    } finally {
      setDeleting(false);
    }
  };

  const editable = fieldsEditable(form.url) && !readOnly;
  const engine = form.engine;
  const spec = useEngineSpec(engine);

  return (
    <form
      className="profile-form"
      data-testid="profile-form"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
      onKeyDown={(e) => {
        if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") {
          e.preventDefault();
          void save();
        }
      }}
    >
      <header className="panel-header">
        <h2>{editing ? `Edit ${profile.name}` : "New connection"}</h2>
        {engine && <EngineBadge engine={engine} />}
        {engine && <span className="muted">{engineLabel(spec, engine)}</span>}
        <span className="spacer" />
        <button type="button" className="icon-button" aria-label="Close" onClick={() => editConnection(null)}>
          ×
        </button>
      </header>

      {readOnly && (
        <p className="notice">
          This connection is defined by environment variables (<code>MCP_*</code>) for this process. Change it there; only its
          AI access can be changed here.
        </p>
      )}

      <fieldset disabled={readOnly}>
        <label className="field">
          <span className="field-label">Name</span>
          <input
            data-testid="profile-name"
            value={form.name}
            onChange={(e) => set("name", e.target.value)}
            placeholder="shop-db"
            autoComplete="off"
            spellCheck={false}
            aria-invalid={errors.name ? true : undefined}
          />
          <span className="field-hint">Also the connection id AI assistants see.</span>
          {errors.name && <span className="field-error">{errors.name}</span>}
        </label>

        <label className="field">
          <span className="field-label">
            URL {parsing && <Spinner label="Reading URL" />}
          </span>
          <input
            data-testid="profile-url"
            className="mono"
            value={form.url}
            onChange={(e) => onUrlChange(e.target.value, (e.nativeEvent as InputEvent).inputType === "insertFromPaste")}
            onBlur={() => void parseNow(form.url)}
            placeholder="postgres://user:password@localhost:5432/db  ·  sqlite:shop.db  ·  Server=host,1433;…"
            autoComplete="off"
            spellCheck={false}
            aria-invalid={errors.url || parseError ? true : undefined}
          />
          <span className="field-hint">Paste a URL: the fields below fill in, and a password in it moves to the password field.</span>
          {errors.url && <span className="field-error">{errors.url}</span>}
          {parseError && <ErrorNotice error={parseError} testId="profile-url-error" compact />}
        </label>

        {engine === "sqlite" ? (
          <ConnectionInput label="File" field="database" value={form.database} disabled={!editable} onChange={onFieldChange} />
        ) : (
          <>
            <div className="field-row">
              <ConnectionInput label="Host" field="host" value={form.host} disabled={!editable} onChange={onFieldChange} />
              <ConnectionInput label="Port" field="port" value={form.port} disabled={!editable} onChange={onFieldChange} narrow />
            </div>
            <div className="field-row">
              <ConnectionInput label="User" field="user" value={form.user} disabled={!editable} onChange={onFieldChange} />
              <ConnectionInput label="Database" field="database" value={form.database} disabled={!editable} onChange={onFieldChange} />
            </div>
          </>
        )}
        {!editable && form.url.trim() !== "" && !readOnly && (
          <p className="field-hint">This URL form (several hosts, or an ADO.NET string) is edited in the URL field.</p>
        )}

        <label className="field">
          <span className="field-label">Password</span>
          <span className="input-with-button">
            <input
              data-testid="profile-password"
              type={showPassword ? "text" : "password"}
              value={form.password}
              onChange={(e) => set("password", e.target.value)}
              placeholder={profile?.hasSecret ? "Saved in the OS keyring — leave empty to keep it" : "Stored in the OS keyring, never in a file"}
              autoComplete="new-password"
            />
            <button type="button" className="button small" onClick={() => setShowPassword((v) => !v)} aria-pressed={showPassword}>
              {showPassword ? "Hide" : "Show"}
            </button>
          </span>
        </label>

        <div className="field-row">
          <label className="field">
            <span className="field-label">AI access</span>
            <select data-testid="profile-access" value={form.access} onChange={(e) => set("access", e.target.value as Access)}>
              {(["none", "read-only", "read-write", "ask"] as const).map((a) => (
                <option key={a} value={a}>
                  {ACCESS_LABELS[a]}
                </option>
              ))}
            </select>
          </label>
          <div className="field">
            <span className="field-label">Colour</span>
            <ColorPicker value={form.color} onChange={(c) => set("color", c)} />
          </div>
        </div>

        <label className="field">
          <span className="field-label">Tags</span>
          <input data-testid="profile-tags" value={form.tags} onChange={(e) => set("tags", e.target.value)} placeholder="prod, reporting — to select connections together" spellCheck={false} />
        </label>

        {networked(engine) && (
          <>
            <SshSection ssh={form.ssh} errors={errors} saved={profile?.ssh ?? []} onChange={setSsh} />
            <TlsSection tls={form.tls} errors={errors} onChange={setTls} />
          </>
        )}

        <details className="limits">
          <summary>Limits for AI calls</summary>
          <div className="field-row">
            <LimitInput label="Timeout (s)" value={form.timeoutSecs} error={errors.timeoutSecs} placeholder="30" testId="profile-timeout" onChange={(v) => set("timeoutSecs", v)} />
            <LimitInput label="Max rows" value={form.maxRows} error={errors.maxRows} placeholder="200" testId="profile-max-rows" onChange={(v) => set("maxRows", v)} />
            <LimitInput label="Max bytes" value={form.maxBytes} error={errors.maxBytes} placeholder="262144" testId="profile-max-bytes" onChange={(v) => set("maxBytes", v)} />
            {form.access === "ask" && (
              <LimitInput
                label="Approval wait (s)"
                value={form.approvalWaitSecs}
                error={errors.approvalWaitSecs}
                placeholder="120"
                testId="profile-approval-wait"
                onChange={(v) => set("approvalWaitSecs", v)}
              />
            )}
          </div>
        </details>
      </fieldset>

      {saveError && <ErrorNotice error={saveError} testId="save-error" onDismiss={() => setSaveError(null)} />}

      <footer className="form-actions">
        <button type="submit" className="button primary" data-testid="save-profile" disabled={saving || readOnly || !dirty}>
          {saving ? "Saving…" : editing ? "Save" : "Add connection"} <Kbd keys="Mod+S" />
        </button>
        <button
          type="button"
          className="button"
          data-testid="test-profile"
          disabled={test?.status === "running" || saving || (!editing && form.url.trim() === "")}
          onClick={() => void runTest()}
        >
          {dirty && !readOnly ? "Save & test" : "Test connection"}
        </button>
        {savedNote && !dirty && (
          <span className="ok-text" data-testid="save-result">
            {savedNote}
          </span>
        )}
        <span className="spacer" />
        {editing && !readOnly && (
          <button type="button" className="button danger-outline" data-testid="delete-profile" onClick={() => setConfirmDelete(true)}>
            Delete…
          </button>
        )}
      </footer>

      {test && <TestResult test={test} onRetest={(name) => void testSaved(name)} />}

      {confirmDelete && profile && (
        <ConfirmDialog
          title={`Delete ${profile.name}?`}
          confirmLabel={deleting ? "Deleting…" : "Delete"}
          danger
          busy={deleting}
          testId="delete-dialog"
          confirmTestId="confirm-delete"
          onConfirm={() => void remove()}
          onCancel={() => setConfirmDelete(false)}
        >
          <p>
            The connection and its saved password are removed. AI assistants lose access to it. Query history for it is
            kept.
          </p>
          {deleteError && <ErrorNotice error={deleteError} testId="delete-error" />}
        </ConfirmDialog>
      )}
    </form>
  );
}

function TestResult({ test, onRetest }: { test: NonNullable<TestState>; onRetest: (name: string) => void }) {
  if (test.status === "running") {
    return (
      <div className="test-result" data-testid="test-result" data-status="running">
        <Spinner /> Connecting…
      </div>
    );
  }
  if (test.status === "error") {
    return (
      <div className="test-result" data-testid="test-result" data-status="error">
        <ErrorNotice error={test.error} testId="test-error" />
        {unknownHostKey(test.error) !== null && (
          <button
            type="button"
            className="button small"
            data-testid="host-key-review"
            onClick={() => offerHostKey(test.name, test.error, () => onRetest(test.name), true)}
          >
            Check the host key…
          </button>
        )}
      </div>
    );
  }
  return (
    <div className="test-result ok" data-testid="test-result" data-status="ok">
      <span className="ok-mark" aria-hidden="true">
        ✓
      </span>
      Connected · <span className="mono">{test.report.serverVersion}</span> · {formatDuration(test.report.latencyMs)}
    </div>
  );
}

type ConnectionInputProps = {
  label: string;
  field: ConnectionField;
  value: string;
  disabled: boolean;
  narrow?: boolean;
  onChange: (field: ConnectionField, value: string) => void;
};

function ConnectionInput({ label, field, value, disabled, narrow = false, onChange }: ConnectionInputProps) {
  return (
    <label className={narrow ? "field narrow" : "field"}>
      <span className="field-label">{label}</span>
      <input
        data-testid={`profile-${field}`}
        value={value}
        disabled={disabled}
        inputMode={field === "port" ? "numeric" : undefined}
        onChange={(e) => onChange(field, e.target.value)}
        autoComplete="off"
        spellCheck={false}
      />
    </label>
  );
}

type LimitInputProps = {
  label: string;
  value: string;
  error: string | undefined;
  placeholder: string;
  testId: string;
  onChange: (value: string) => void;
};

function LimitInput({ label, value, error, placeholder, testId, onChange }: LimitInputProps) {
  return (
    <label className="field">
      <span className="field-label">{label}</span>
      <input
        data-testid={testId}
        value={value}
        inputMode="numeric"
        placeholder={`default ${placeholder}`}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
      />
      {error && <span className="field-error">{error}</span>}
    </label>
  );
}

function ColorPicker({ value, onChange }: { value: string | null; onChange: (color: string | null) => void }) {
  return (
    <div className="color-picker" role="radiogroup" aria-label="Colour" data-testid="profile-color">
      <button
        type="button"
        role="radio"
        aria-checked={value === null}
        className="swatch none"
        title="No colour"
        onClick={() => onChange(null)}
      />
      {PROFILE_COLORS.map((c) => (
        <button
          key={c}
          type="button"
          role="radio"
          aria-checked={value === c}
          className="swatch"
          style={{ background: c }}
          title={c}
          data-color={c}
          onClick={() => onChange(c)}
        />
      ))}
    </div>
  );
}
