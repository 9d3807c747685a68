import { useEffect } from "react";
import { loadEndpoint, profilesStore } from "../../stores/profiles";
import { useStore } from "../../stores/store";
import { SelfTestPanel } from "./SelfTestPanel";

/** The MCP endpoint: which binary AI clients spawn, its version and home, and the self-test. */
export function EndpointPanel() {
  const { endpoint, profiles } = useStore(profilesStore);
  useEffect(() => {
    void loadEndpoint();
  }, []);
  const exposed = profiles?.filter((p) => p.access !== "none").length ?? 0;
  return (
    <section className="panel" aria-label="MCP endpoint" data-testid="ai-endpoint">
      <h3>MCP endpoint</h3>
      {endpoint ? (
        <dl className="facts">
          <dt>Command</dt>
          <dd className="mono" data-testid="ai-endpoint-binary">
            {endpoint.binary} mcp
          </dd>
          <dt>Version</dt>
          <dd data-testid="ai-endpoint-version">{endpoint.version}</dd>
          <dt>Home</dt>
          <dd className="mono">{endpoint.home}</dd>
          <dt>Exposed</dt>
          <dd>
            {exposed} of {profiles?.length ?? 0} connections (AI access other than “none”)
          </dd>
        </dl>
      ) : (
        <p className="muted">Reading the endpoint…</p>
      )}
      <SelfTestPanel />
    </section>
  );
}
