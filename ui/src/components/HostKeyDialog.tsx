import { hostKeyFile } from "../lib/network";
import { acceptHostKey, hostKeyStore, rejectHostKey } from "../stores/hostKeys";
import { useStore } from "../stores/store";
import { ConfirmDialog } from "./ConfirmDialog";
import { ErrorNotice } from "./ErrorNotice";

/**
 * The question asked when an SSH jump host's key is unknown (HOST_KEY_UNKNOWN): its
 * fingerprint, and how to compare it with the server's before accepting. One for the
 * window, whichever connection asked.
 */
export function HostKeyDialog() {
  const { prompt, busy, error } = useStore(hostKeyStore);
  if (prompt === null) return null;
  const { profile, key } = prompt;
  // Trusting was refused because the host now offers another key: nothing to accept.
  const refused = error?.code === "HOST_KEY_MISMATCH";
  return (
    <ConfirmDialog
      title="Trust this SSH host key?"
      confirmLabel={busy ? "Trusting…" : "Accept and connect"}
      cancelLabel="Reject"
      busy={busy || refused}
      wide
      testId="host-key-dialog"
      confirmTestId="host-key-accept"
      cancelTestId="host-key-reject"
      onConfirm={() => void acceptHostKey()}
      onCancel={rejectHostKey}
    >
      <p>
        The jump host{" "}
        <strong className="mono" data-testid="host-key-host">
          {key.host ?? "of this connection"}
        </strong>{" "}
        (connection <strong>{profile}</strong>) answered with a host key{key.algorithm ? ` (${key.algorithm})` : ""} that DB Dock
        has never seen. Its fingerprint:
      </p>
      <code className="host-key-fingerprint mono" data-testid="host-key-fingerprint">
        {key.fingerprint}
      </code>
      <p>Before you accept, compare it with what the server itself prints (ask its administrator if it is not yours):</p>
      <code className="host-key-command mono">ssh-keygen -lf {hostKeyFile(key.algorithm)}</code>
      <p>
        Accept only if the two are the same: a different fingerprint means you may not be talking to that server. An accepted
        key is kept in DB Dock's own known_hosts file, and a later change is refused.
      </p>
      {error && <ErrorNotice error={error} testId="host-key-error" />}
    </ConfirmDialog>
  );
}
