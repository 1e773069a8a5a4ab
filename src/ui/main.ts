/**
 * The viewer page: a runs list (`#/`), one run (`#/runs/<trace id>`) and the statistics over time
 * (`#/stats`). Everything from the journal is rendered as text through preact (never as HTML): it
 * is session text, untrusted. The journal's version is polled so new runs show up by themselves.
 */
import { html } from "htm/preact";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { getJson } from "./api.ts";
import { RunPage } from "./run-page.ts";
import { RunsPage } from "./runs-page.ts";
import { StatsPage } from "./stats-page.ts";

const POLL_MS = 2000;

/** The journal's version: changes whenever a run is recorded or removed. */
function useJournalVersion(): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let stopped = false;
    const poll = async () => {
      try {
        const { version: v } = await getJson<{ version: number }>("version");
        if (!stopped) setVersion(v);
      } catch {
        // The viewer was stopped, or is busy: try again at the next tick.
      }
    };
    const timer = setInterval(poll, POLL_MS);
    void poll();
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, []);
  return version;
}

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const onChange = () => setHash(location.hash);
    addEventListener("hashchange", onChange);
    return () => removeEventListener("hashchange", onChange);
  }, []);
  return hash;
}

function App() {
  const hash = useHash();
  const version = useJournalVersion();
  const run = /^#\/runs\/([0-9a-f]+)$/.exec(hash)?.[1];
  const page = run
    ? html`<${RunPage} traceId=${run} version=${version} />`
    : hash === "#/stats"
      ? html`<${StatsPage} version=${version} />`
      : html`<${RunsPage} version=${version} />`;
  const tab = run ? "run" : hash === "#/stats" ? "stats" : "runs";
  return html`
    <header class="top">
      <a class="brand" href="#/">claudia traces</a>
      <nav>
        <a href="#/" class=${tab === "runs" ? "current" : ""}>Runs</a>
        <a href="#/stats" class=${tab === "stats" ? "current" : ""}>Over time</a>
      </nav>
      <span class="live" title="New runs appear by themselves">● live</span>
    </header>
    <main>${page}</main>
  `;
}

const root = document.getElementById("app");
if (root) render(html`<${App} />`, root);
