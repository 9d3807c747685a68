import { AddConnectionButton } from "../../components/AddConnectionButton";
import { EmptyState } from "../../components/EmptyState";
import { ErrorNotice } from "../../components/ErrorNotice";
import { findProfile, profilesStore, refreshProfiles } from "../../stores/profiles";
import { useStore } from "../../stores/store";
import { editConnection, uiStore } from "../../stores/ui";
import { ProfileForm } from "./ProfileForm";
import { ProfileTable } from "./ProfileTable";
import { ConfigBackup } from "./ConfigBackup";
import { ProfileHistory } from "./ProfileHistory";
import { ProfileTransfer } from "./ProfileTransfer";
import { ServerDiscovery } from "./ServerDiscovery";

/** Connections: the list of saved connections, the add/edit form, import and export. */
export function ConnectionsView() {
  const { profiles, error } = useStore(profilesStore);
  const { connectionsTarget, formKey } = useStore(uiStore);
  const editing = connectionsTarget?.mode === "edit" ? findProfile(profiles, connectionsTarget.name) : null;
  const showForm = connectionsTarget?.mode === "new" || editing !== null;

  return (
    <div className="view connections-view" data-testid="view-connections">
      <header className="view-header">
        <h1>Connections</h1>
        <span className="spacer" />
        <button type="button" className="button" onClick={() => void refreshProfiles()}>
          Refresh
        </button>
        <button type="button" className="button primary" data-testid="new-connection" onClick={() => editConnection({ mode: "new" })}>
          New connection
        </button>
      </header>
      <div className="connections-body">
        <div className="connections-list-pane">
          {error && <ErrorNotice error={error} testId="profiles-error" />}
          {profiles && profiles.length > 0 && <ProfileTable profiles={profiles} selected={editing?.name ?? null} />}
          {profiles?.length === 0 && (
            <EmptyState
              title="No connections yet"
              actions={
                <AddConnectionButton />
              }
            >
              Paste a URL such as <code>postgres://user@localhost:5432/db</code> or a SQLite file path.
            </EmptyState>
          )}
          <ServerDiscovery />
          <ProfileTransfer />
          <ConfigBackup />
          <ProfileHistory />
        </div>
        <div className="connections-form-pane">
          {showForm ? (
            <ProfileForm key={formKey} profile={editing} />
          ) : (
            <EmptyState title="Select a connection to edit it">
              Or press <strong>New connection</strong> to add one. Passwords go to the OS keyring, never to a file.
            </EmptyState>
          )}
        </div>
      </div>
    </div>
  );
}
