import { AccessPanel } from "./AccessPanel";
import { AiStatsPanel } from "./AiStatsPanel";
import { ApprovalsPanel } from "./ApprovalsPanel";
import { AuditPanel } from "./AuditPanel";
import { ClientsPanel } from "./ClientsPanel";
import { EndpointPanel } from "./EndpointPanel";
import { TokensPanel } from "./TokensPanel";

/** AI: writes waiting for approval, the MCP endpoint, the clients it is installed in, AI access per connection, HTTP tokens, recent activity, the audit log. */
export function AiView() {
  return (
    <div className="view ai-view" data-testid="view-ai">
      <header className="view-header">
        <h1>AI</h1>
        <span className="muted">Hand your connections to AI assistants over MCP — read-only unless you allow more, every call logged.</span>
      </header>
      <div className="ai-body">
        <ApprovalsPanel />
        <div className="ai-columns">
          <ClientsPanel />
          <div className="ai-side">
            <EndpointPanel />
            <AiStatsPanel />
            <AccessPanel />
          </div>
        </div>
        <TokensPanel />
        <AuditPanel />
      </div>
    </div>
  );
}
