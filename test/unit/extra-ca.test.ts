/** Putting `NODE_EXTRA_CA_CERTS` back where the `claudia` command's launcher set it aside. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFERRED_VARIABLE, restoreDeferredExtraCa } from "../../src/export/extra-ca.ts";

test("the launcher's variable becomes NODE_EXTRA_CA_CERTS again, and is gone", () => {
  const env: NodeJS.ProcessEnv = { [DEFERRED_VARIABLE]: "/etc/ca.pem", PATH: "/bin" };
  restoreDeferredExtraCa(env);
  assert.deepEqual(env, { NODE_EXTRA_CA_CERTS: "/etc/ca.pem", PATH: "/bin" });
});

test("a NODE_EXTRA_CA_CERTS node was started with is left as it is; the launcher's variable still goes", () => {
  const env: NodeJS.ProcessEnv = { [DEFERRED_VARIABLE]: "/planted.pem", NODE_EXTRA_CA_CERTS: "/etc/ca.pem" };
  restoreDeferredExtraCa(env);
  assert.deepEqual(env, { NODE_EXTRA_CA_CERTS: "/etc/ca.pem" });
});

test("an empty launcher variable sets nothing", () => {
  const env: NodeJS.ProcessEnv = { [DEFERRED_VARIABLE]: "" };
  restoreDeferredExtraCa(env);
  assert.deepEqual(env, {});
});
