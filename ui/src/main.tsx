import "./localeGuard";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { insideTauri, setBackend } from "./api";
import { App } from "./App";
import { loadEngineSpecs } from "./stores/engines";
import { installTestHooks } from "./testHooks";
import "./styles/base.css";
import "./styles/layout.css";
import "./styles/components.css";
import "./styles/query.css";
import "./styles/events.css";
import "./styles/data.css";
import "./styles/kafka.css";
import "./styles/keys.css";

async function start(): Promise<void> {
  // In a plain browser during development there is no Rust side: use the in-memory demo
  // backend. Production builds leave it out entirely.
  if (import.meta.env.DEV && !insideTauri) {
    const { demoBackend } = await import("./dev/demoBackend");
    setBackend(demoBackend);
  }
  // What each engine can do decides what the views offer; knowing it before the first render
  // means no view ever shows (and then hides) an option its engine lacks. It never throws.
  await loadEngineSpecs();
  installTestHooks();
  const root = document.getElementById("root");
  if (!root) throw new Error("index.html has no #root element");
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}

void start();
