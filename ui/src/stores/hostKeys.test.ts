import { beforeEach, describe, expect, it, vi } from "vitest";
import type { AppError, Backend } from "../api";

beforeEach(() => {
  vi.resetModules();
});

async function withBackend(backend: Partial<Backend>) {
  const api = await import("../api");
  api.setBackend(backend as unknown as Backend);
  return import("./hostKeys");
}

const FP = "SHA256:uW3bYq0Jk1n+Zt9XvC4pD7sL2mR5aE8hG6fN0oI1yQ/";
const unknown: AppError = {
  code: "HOST_KEY_UNKNOWN",
  message: `ssh 127.0.0.1:2222: the host key is unknown (ssh-ed25519 ${FP}); if that is the jump host's key, accept it: dbdock profile trust-host pg --fingerprint ${FP}`,
};

describe("an unknown host key", () => {
  it("is asked about, trusted by fingerprint, and what failed runs again", async () => {
    const trustHostKey = vi.fn(() => Promise.resolve());
    const hostKeys = await withBackend({ trustHostKey });
    const retry = vi.fn();
    expect(hostKeys.offerHostKey("pg", unknown, retry, true)).toBe(true);
    expect(hostKeys.hostKeyStore.get().prompt?.key).toEqual({ fingerprint: FP, host: "127.0.0.1:2222", algorithm: "ssh-ed25519" });
    await hostKeys.acceptHostKey();
    expect(trustHostKey).toHaveBeenCalledWith("pg", FP);
    expect(retry).toHaveBeenCalledOnce();
    expect(hostKeys.hostKeyStore.get().prompt).toBeNull();
  });

  it("stays open with the error when trusting fails", async () => {
    const failure: AppError = { code: "HOST_KEY_MISMATCH", message: "changed" };
    const { ApiError } = await import("../api");
    const hostKeys = await withBackend({ trustHostKey: () => Promise.reject(new ApiError(failure)) });
    const retry = vi.fn();
    hostKeys.offerHostKey("pg", unknown, retry);
    await hostKeys.acceptHostKey();
    expect(retry).not.toHaveBeenCalled();
    expect(hostKeys.hostKeyStore.get()).toMatchObject({ busy: false, error: failure });
    expect(hostKeys.hostKeyStore.get().prompt?.profile).toBe("pg");
  });

  it("once rejected, is asked about again only when the user asks", async () => {
    const hostKeys = await withBackend({});
    hostKeys.offerHostKey("pg", unknown);
    hostKeys.rejectHostKey();
    expect(hostKeys.offerHostKey("pg", unknown)).toBe(false);
    expect(hostKeys.hostKeyStore.get().prompt).toBeNull();
    expect(hostKeys.offerHostKey("pg", unknown, null, true)).toBe(true);
    expect(hostKeys.hostKeyStore.get().prompt?.profile).toBe("pg");
  });

  it("is not asked about for other errors, a changed key included", async () => {
    const hostKeys = await withBackend({});
    expect(hostKeys.offerHostKey("pg", { code: "HOST_KEY_MISMATCH", message: `WARNING ${FP}` }, null, true)).toBe(false);
    expect(hostKeys.offerHostKey("pg", { code: "CONNECTION_FAILED", message: "refused" }, null, true)).toBe(false);
    expect(hostKeys.hostKeyStore.get().prompt).toBeNull();
  });
});
