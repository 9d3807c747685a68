// An SSH jump host whose key DB Dock has never seen: the question to the user, asked once
// wherever a connection failed with HOST_KEY_UNKNOWN (the Test button, the schema, a query),
// and its answer. Accepting writes the key to DB Dock's known-hosts file and retries what
// failed; rejecting keeps the key unknown (and background loads stop asking for it).

import { api, toAppError, type AppError } from "../api";
import { unknownHostKey, type UnknownHostKey } from "../lib/network";
import { createStore } from "./store";

export type HostKeyPrompt = {
  profile: string;
  key: UnknownHostKey;
  /** Runs again what failed, once the key is trusted. */
  retry: (() => unknown) | null;
};

export type HostKeyState = {
  prompt: HostKeyPrompt | null;
  busy: boolean;
  error: AppError | null;
};

export const hostKeyStore = createStore<HostKeyState>({ prompt: null, busy: false, error: null });

/** Keys the user rejected this session, as `profile fingerprint`. */
const rejected = new Set<string>();

const id = (profile: string, key: UnknownHostKey): string => `${profile.toLowerCase()} ${key.fingerprint}`;

/**
 * Asks the user about the host key when `error` is HOST_KEY_UNKNOWN, and says whether it
 * did. A key rejected before is asked about again only when `asked` (the user asked for
 * this connection just now, e.g. with Test).
 */
export function offerHostKey(profile: string, error: AppError, retry: (() => unknown) | null = null, asked = false): boolean {
  const key = unknownHostKey(error);
  if (key === null) return false;
  if (!asked && rejected.has(id(profile, key))) return false;
  const current = hostKeyStore.get().prompt;
  if (current !== null && id(current.profile, current.key) === id(profile, key)) {
    // Already asking: the newest retry is the one to run.
    if (retry !== null) hostKeyStore.set((s) => (s.prompt === null ? s : { ...s, prompt: { ...s.prompt, retry } }));
    return true;
  }
  if (current !== null && hostKeyStore.get().busy) return true;
  hostKeyStore.set({ prompt: { profile, key, retry }, busy: false, error: null });
  return true;
}

/** Trusts the key shown, then retries what failed. */
export async function acceptHostKey(): Promise<void> {
  const { prompt, busy } = hostKeyStore.get();
  if (prompt === null || busy) return;
  hostKeyStore.set((s) => ({ ...s, busy: true, error: null }));
  try {
    await api.trustHostKey(prompt.profile, prompt.key.fingerprint);
  } catch (error) {
    hostKeyStore.set((s) => ({ ...s, busy: false, error: toAppError(error) }));
    return;
  }
  rejected.delete(id(prompt.profile, prompt.key));
  hostKeyStore.set({ prompt: null, busy: false, error: null });
  try {
    await prompt.retry?.();
  } catch {
    // What is retried shows its own outcome.
  }
}

/** Closes the question without trusting the key. */
export function rejectHostKey(): void {
  const { prompt, busy } = hostKeyStore.get();
  if (prompt === null || busy) return;
  rejected.add(id(prompt.profile, prompt.key));
  hostKeyStore.set({ prompt: null, busy: false, error: null });
}
