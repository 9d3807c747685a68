import { useState } from "react";
import { api, toAppError, type AppError, type GroupView, type ResetPlanView, type TopicView } from "../../api";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { ErrorNotice } from "../../components/ErrorNotice";
import {
  canApply,
  initialResetForm,
  RESET_MODES,
  resetErrorAdvice,
  resetRequest,
  resetTo,
  resetTopics,
  sameRequest,
  topicPartitions,
  type ResetForm,
  type ResetMode,
  type ResetRequest,
} from "../../lib/kafka";
import { ResetPlanTable } from "./ResetPlanTable";

type Props = {
  profile: string;
  group: GroupView;
  topics: readonly TopicView[];
  /** After a reset was applied: the group panel reads the group again. */
  onApplied: () => void;
  /** Must be stable: the dialog focuses its Close button whenever this changes. */
  onClose: () => void;
};

type Previewed = { request: ResetRequest; plan: ResetPlanView };

/**
 * Moves the group's committed offsets on one topic. Preview shows what each partition's
 * offset and lag would become; Apply commits exactly that and is enabled only while the
 * inputs are those of the preview — the preview is the confirmation, nothing else is asked.
 */
export function ResetOffsetsDialog({ profile, group, topics, onApplied, onClose }: Props) {
  const topicChoices = resetTopics(group.lag, topics);
  const [form, setForm] = useState<ResetForm>(() => initialResetForm(topicChoices));
  const [previewed, setPreviewed] = useState<Previewed | null>(null);
  const [applied, setApplied] = useState<ResetPlanView | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState<"preview" | "apply" | null>(null);

  const request = resetRequest(form);
  // A preview of other inputs than the ones shown confirms nothing.
  const current = previewed !== null && sameRequest(previewed.request, request) ? previewed : null;
  const applyEnabled = canApply(current?.request ?? null, request, busy !== null);
  const partitions = topicPartitions(form.topic, topics, group.lag);

  const change = (patch: Partial<ResetForm>): void => {
    setForm((f) => ({ ...f, ...patch }));
    setError(null);
  };

  const call = async (kind: "preview" | "apply", r: ResetRequest): Promise<ResetPlanView | null> => {
    setBusy(kind);
    setError(null);
    try {
      return await api.kafkaResetOffsets(profile, group.name, r.topic, r.to, r.partition, kind === "apply");
    } catch (e) {
      setError(toAppError(e));
      // After a failure only a fresh preview confirms an Apply: the offsets may have moved.
      setPreviewed(null);
      return null;
    } finally {
      setBusy(null);
    }
  };

  const preview = async (): Promise<void> => {
    if (request === null || busy !== null) return;
    setApplied(null);
    const plan = await call("preview", request);
    if (plan) setPreviewed({ request, plan });
  };

  const apply = async (): Promise<void> => {
    if (!applyEnabled || current === null) return;
    const plan = await call("apply", current.request);
    if (!plan) return;
    setApplied(plan);
    setPreviewed(null);
    onApplied();
  };

  const advice = error ? resetErrorAdvice(error) : null;
  return (
    <ConfirmDialog
      title={`Reset offsets of group ${group.name}`}
      confirmLabel={busy === "apply" ? "Applying…" : "Apply"}
      danger
      busy={!applyEnabled}
      onConfirm={() => void apply()}
      onCancel={onClose}
      testId="kafka-reset-dialog"
      confirmTestId="kafka-reset-apply"
      cancelLabel="Close"
      cancelTestId="kafka-reset-close"
      wide
    >
      <div className="kafka-reset-form">
        <label className="field">
          <span className="field-label">Topic</span>
          <select data-testid="kafka-reset-topic" value={form.topic} onChange={(e) => change({ topic: e.target.value, partition: "" })}>
            {topicChoices.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field-label">Partitions</span>
          <select data-testid="kafka-reset-partition" value={form.partition} onChange={(e) => change({ partition: e.target.value })}>
            <option value="">All partitions</option>
            {partitions.map((p) => (
              <option key={p} value={String(p)}>
                Partition {p}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field-label">Reset to</span>
          <select data-testid="kafka-reset-to" value={form.mode} onChange={(e) => change({ mode: e.target.value as ResetMode })}>
            {RESET_MODES.map((m) => (
              <option key={m.mode} value={m.mode}>
                {m.label}
              </option>
            ))}
          </select>
        </label>
        {form.mode === "offset" && (
          <label className="field">
            <span className="field-label">Offset</span>
            <input
              type="number"
              min={0}
              step={1}
              data-testid="kafka-reset-offset"
              value={form.offset}
              placeholder="e.g. 18000"
              onChange={(e) => change({ offset: e.target.value })}
            />
            <span className="field-hint">The same offset on every partition chosen, kept between each one's first and end offset.</span>
          </label>
        )}
        {form.mode === "time" && (
          <label className="field">
            <span className="field-label">Time (your local time)</span>
            <input type="datetime-local" step={1} data-testid="kafka-reset-time" value={form.time} onChange={(e) => change({ time: e.target.value })} />
            <span className="field-hint">
              The first message at or after it, per partition{resetTo(form) !== null ? `; sent as ${resetTo(form)}` : ""}.
            </span>
          </label>
        )}
      </div>
      <div className="kafka-reset-actions">
        <button type="button" className="button" data-testid="kafka-reset-preview" disabled={request === null || busy !== null} onClick={() => void preview()}>
          {busy === "preview" ? "Previewing…" : "Preview"}
        </button>
        <span className="field-hint">Preview changes nothing. Apply commits exactly the offsets previewed, for this group only.</span>
      </div>

      {error && <ErrorNotice error={error} testId="kafka-reset-error" compact />}
      {advice && (
        <p className="kafka-reset-advice" data-testid="kafka-reset-advice">
          {advice}
        </p>
      )}
      {previewed !== null && current === null && (
        <p className="muted" data-testid="kafka-reset-stale">
          The inputs changed since the preview: preview again to apply.
        </p>
      )}
      {current && <ResetPlanTable plan={current.plan} />}
      {applied && (
        <>
          <p className="ok-text" data-testid="kafka-reset-result" data-applied={applied.applied}>
            Offsets reset: group {applied.group} now reads {applied.topic} from the new offsets below.
          </p>
          <ResetPlanTable plan={applied} />
        </>
      )}
    </ConfirmDialog>
  );
}
