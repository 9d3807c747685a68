// WebKitGTK reports the POSIX locale "C" (LANG=C.UTF-8, common in containers) as
// navigator.language, which is not a BCP 47 tag: `new Intl.NumberFormat("C")` throws, and
// libraries that format numbers at import time (uPlot) would take the whole app down with
// a blank window. Fall back to en-US when the reported language is unusable. Imported
// first in main.tsx, before any such library loads.
function usable(tag: string): boolean {
  try {
    new Intl.NumberFormat(tag);
    return true;
  } catch {
    return false;
  }
}

if (!usable(navigator.language)) {
  Object.defineProperty(navigator, "language", { value: "en-US", configurable: true });
  Object.defineProperty(navigator, "languages", { value: ["en-US"], configurable: true });
}

export {};
