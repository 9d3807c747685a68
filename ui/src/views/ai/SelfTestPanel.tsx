import { api } from "../../api";
import { ErrorNotice } from "../../components/ErrorNotice";
import { Spinner } from "../../components/Spinner";
import { useAsyncAction } from "../../hooks/useAsyncAction";
import { formatDuration } from "../../lib/format";

/** Spawns `dbdock mcp` over stdio, initializes it and lists its tools — what an AI client does. */
export function SelfTestPanel() {
  const test = useAsyncAction(() => api.aiSelfTest());
  const report = test.result;
  return (
    <div className="self-test">
      <div className="row">
        <button type="button" className="button" data-testid="ai-selftest" disabled={test.busy} onClick={() => void test.run()}>
          {test.busy ? "Testing…" : "Run self-test"}
        </button>
        {test.busy && <Spinner label="Self-test running" />}
        <span className="muted">Starts the endpoint as an AI client would and lists its tools.</span>
      </div>
      {test.error && <ErrorNotice error={test.error} testId="ai-selftest-error" />}
      {report && (
        <div className={report.ok ? "self-test-result ok" : "self-test-result failed"} data-testid="ai-selftest-result" data-ok={report.ok}>
          {report.ok ? (
            <div>
              <span className="ok-mark">✓</span> {report.serverName} {report.serverVersion} answered in {formatDuration(report.elapsedMs)} with{" "}
              {report.tools.length} tools:
            </div>
          ) : (
            <ErrorNotice error={{ code: "SELF_TEST_FAILED", message: report.error ?? "The endpoint did not answer." }} testId="ai-selftest-failure" />
          )}
          {report.tools.length > 0 && (
            <ul className="tool-list">
              {report.tools.map((tool) => (
                <li key={tool} className="mono" data-testid={`ai-tool-${tool}`}>
                  {tool}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
