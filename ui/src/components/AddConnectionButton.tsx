import { editConnection } from "../stores/ui";

/** The call to action of every view that has no connection to work with yet. */
export function AddConnectionButton() {
  return (
    <button type="button" className="button primary" onClick={() => editConnection({ mode: "new" })}>
      Add a connection
    </button>
  );
}
