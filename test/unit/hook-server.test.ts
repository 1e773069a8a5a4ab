import assert from "node:assert/strict";
import { test } from "node:test";
import { type HookInput, startHookServer } from "../../src/sources/hook-server.ts";

test("the hook endpoint takes only requests with the run's secret, in the path and the header", async () => {
  const received: HookInput[] = [];
  const server = await startHookServer((input) => received.push(input));
  try {
    const body = JSON.stringify({
      hook_event_name: "UserPromptSubmit",
      session_id: "s",
      transcript_path: "/tmp/x.jsonl",
    });
    const post = (url: string, headers: Record<string, string>) =>
      fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
    const [name, secret] = server.header;
    const base = new URL(server.url);
    assert.match(base.hostname, /^127\.0\.0\.1$/);
    assert.equal((await post(server.url, {})).status, 403, "no header");
    assert.equal((await post(server.url, { [name]: "wrong" })).status, 403, "wrong header");
    assert.equal((await post(`${base.origin}/hooks/wrong`, { [name]: secret })).status, 403, "wrong path");
    assert.equal(received.length, 0, "refused requests leave nothing");
    const ok = await post(server.url, { [name]: secret });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), {});
    assert.equal(received.length, 1);
    assert.equal(received[0]?.transcript_path, "/tmp/x.jsonl");
  } finally {
    server.close();
  }
});
