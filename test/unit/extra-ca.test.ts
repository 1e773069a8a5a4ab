/** Putting `NODE_EXTRA_CA_CERTS` back where the `claudia` command's launcher set it aside. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFERRED_VARIABLE, restoreDeferredExtraCa } from "../../src/export/extra-ca.ts";

test("the launcher's value (its process id, then the file) becomes NODE_EXTRA_CA_CERTS again, and is gone", () => {
  const env: NodeJS.ProcessEnv = { [DEFERRED_VARIABLE]: "4242 /etc/my ca.pem", PATH: "/bin" };
  restoreDeferredExtraCa(env, 4242);
  assert.deepEqual(env, { NODE_EXTRA_CA_CERTS: "/etc/my ca.pem", PATH: "/bin" });
});

test("a value that is not this process's launcher's is removed and not taken", () => {
  for (const planted of ["/planted.pem", "4243 /planted.pem", " /planted.pem", "4242"]) {
    const env: NodeJS.ProcessEnv = { [DEFERRED_VARIABLE]: planted };
    restoreDeferredExtraCa(env, 4242);
    assert.deepEqual(env, {}, planted);
  }
});

test("a NODE_EXTRA_CA_CERTS node was started with is left as it is; the launcher's variable still goes", () => {
  const env: NodeJS.ProcessEnv = { [DEFERRED_VARIABLE]: "4242 /planted.pem", NODE_EXTRA_CA_CERTS: "/etc/ca.pem" };
  restoreDeferredExtraCa(env, 4242);
  assert.deepEqual(env, { NODE_EXTRA_CA_CERTS: "/etc/ca.pem" });
});
