const isMac = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform);

/** The platform's name for the primary modifier: ⌘ on macOS, Ctrl elsewhere. */
export const MOD = isMac ? "⌘" : "Ctrl";

/** A keyboard shortcut; "Mod" becomes ⌘ or Ctrl. */
export function Kbd({ keys }: { keys: string }) {
  return (
    <kbd className="kbd">
      {keys
        .split("+")
        .map((k) => (k === "Mod" ? MOD : k))
        .join(isMac ? "" : "+")}
    </kbd>
  );
}
