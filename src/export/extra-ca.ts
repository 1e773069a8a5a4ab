/**
 * `NODE_EXTRA_CA_CERTS`, read only when claudia opens a TLS connection.
 *
 * node 20 reads the file named there, and every root certificate built into it, before it runs a
 * line of JavaScript: ~45 ms of CPU here for Debian's bundle of 144 certificates, on every run, and
 * before Claude Code can start. Most runs open no TLS connection at all (the journal only, a
 * collector on http://localhost). So the `claudia` command's launcher (the shell line at the top of
 * dist/bin/main.js, written by scripts/bundle-cli.mjs) starts node with the variable moved to
 * `DEFERRED_VARIABLE`, and the command's first file puts it back (`restoreDeferredExtraCa`) before
 * anything else reads the environment: Claude Code and every other program claudia starts get the
 * variable exactly as it was, and node reads it there as usual.
 *
 * In claudia's own process, `trustDeferredExtraCa` makes the certificates trusted before the first
 * TLS connection: every secure context made without its own `ca` (node's default roots, the case
 * `NODE_EXTRA_CA_CERTS` applies to) gets the file's certificates added, as node would have. It is
 * called wherever claudia may connect with TLS: an https OTLP endpoint, OTLP/gRPC, Sentry, and the
 * user's own endpoint for Claude Code's log events. A program using the library is never
 * concerned: its node read the variable at its own start.
 */
import type { SecureContext, SecureContextOptions } from "node:tls";
import { readRegularFile } from "../config/read-file.ts";

/** Where the launcher puts `NODE_EXTRA_CA_CERTS` while node starts (claudia's own name space). */
export const DEFERRED_VARIABLE = "CLAUDIA_DEFERRED_NODE_EXTRA_CA_CERTS";

/**
 * The deferred file and whether it is trusted yet, kept on the process: the launcher and the parts
 * of the command that connect are different bundles, each with its own copy of this module.
 */
const STATE = Symbol.for("claude-telemetry.deferredExtraCa");

/** Larger than this, the file is not a bundle of certificates (node's own bound is none). */
const MAX_BUNDLE = 16 * 1024 * 1024;

/** Options that change a secure context; a context is shared between option sets that agree on all. */
const CONTEXT_OPTIONS = [
  "cert",
  "key",
  "pfx",
  "passphrase",
  "ciphers",
  "ecdhCurve",
  "dhparam",
  "honorCipherOrder",
  "minVersion",
  "maxVersion",
  "secureOptions",
  "secureProtocol",
  "sessionIdContext",
  "sessionTimeout",
  "ticketKeys",
  "crl",
  "sigalgs",
  "privateKeyEngine",
  "privateKeyIdentifier",
  "clientCertEngine",
  "allowPartialTrustChain",
] as const;

/** More distinct option sets than this are not kept (a process makes a handful). */
const MAX_SHARED = 16;

interface Deferred {
  file: string;
  trusted: boolean;
}

const deferred = () => (globalThis as unknown as Record<symbol, Deferred | undefined>)[STATE];

/**
 * The command's first step: `NODE_EXTRA_CA_CERTS` back in the environment when the launcher moved
 * it, and the file noted for `trustDeferredExtraCa`. `DEFERRED_VARIABLE` is always removed, so it
 * never reaches Claude Code. It is taken only when it carries this process's id (the launcher's,
 * kept across its `exec`) and `NODE_EXTRA_CA_CERTS` is unset.
 */
export function restoreDeferredExtraCa(env: NodeJS.ProcessEnv = process.env, pid = process.pid): void {
  const value = env[DEFERRED_VARIABLE];
  delete env[DEFERRED_VARIABLE];
  // "PID FILE": the launcher's process id, which `exec` gives node. Another value (one set in the
  // environment, with node started some other way) is not the launcher's, and is not taken.
  const space = value?.indexOf(" ") ?? -1;
  if (value === undefined || space < 0 || value.slice(0, space) !== String(pid)) return;
  const file = value.slice(space + 1);
  if (!file || env.NODE_EXTRA_CA_CERTS !== undefined) return;
  env.NODE_EXTRA_CA_CERTS = file;
  (globalThis as unknown as Record<symbol, Deferred>)[STATE] = { file, trusted: false };
}

/**
 * Before claudia's first TLS connection: the deferred certificates added to every secure context
 * made with node's default roots. Nothing is read until a context is made; a file that cannot be
 * read is reported as node reports it at start, and the default roots are used alone.
 */
export function trustDeferredExtraCa(): void {
  const state = deferred();
  if (!state || state.trusted) return;
  state.trusted = true;
  const { file } = state;
  const tls = process.getBuiltinModule("node:tls");
  const original = tls.createSecureContext;
  let read = false;
  let certificates: string | null = null;
  const shared: { key: unknown[]; context: SecureContext }[] = [];
  tls.createSecureContext = (options?: SecureContextOptions): SecureContext => {
    if (options?.ca != null) return original(options);
    if (!read) {
      read = true;
      certificates = readBundle(file);
    }
    if (certificates === null) return original(options);
    const key = CONTEXT_OPTIONS.map((name) => options?.[name]);
    const found = shared.find((entry) => entry.key.every((value, i) => value === key[i]));
    if (found) return found.context;
    const context = withCertificates(original, options, certificates);
    if (shared.length < MAX_SHARED) shared.push({ key, context });
    return context;
  };
}

/** The file's text, or null (with node's own warning, once) when it cannot be read. */
function readBundle(file: string): string | null {
  try {
    return readRegularFile(file, MAX_BUNDLE).toString("latin1");
  } catch (error) {
    process.emitWarning(`Ignoring extra certs from \`${file}\`, load failed: ${(error as Error).message}`);
    return null;
  }
}

/**
 * A context with node's default roots (bundled, or the system's under `--use-openssl-ca`) and the
 * file's certificates, as node builds it when it read the file at start.
 */
function withCertificates(
  original: (options?: SecureContextOptions) => SecureContext,
  options: SecureContextOptions | undefined,
  certificates: string,
): SecureContext {
  const context = original(options);
  (context as unknown as { context: { addCACert(pem: string): void } }).context.addCACert(certificates);
  return context;
}
