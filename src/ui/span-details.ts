/**
 * The selected span: its content as readable messages (prompt, answer, tool arguments and results,
 * the model's text, reasoning and tool calls), then every attribute and event. Text only: nothing
 * from the journal is ever parsed as HTML.
 */
import { html } from "htm/preact";
import type { ViewSpan } from "./api.ts";
import { duration } from "./format.ts";

interface Message {
  role: string;
  label: string;
  text: string;
  code?: boolean;
}

/** JSON text pretty-printed when it parses, else as it is. */
function pretty(value: unknown): string {
  if (typeof value !== "string") return JSON.stringify(value, null, 2);
  try {
    return JSON.stringify(JSON.parse(value), null, 2);
  } catch {
    return value;
  }
}

interface Part {
  type?: unknown;
  content?: unknown;
  name?: unknown;
  id?: unknown;
  arguments?: unknown;
  response?: unknown;
  result?: unknown;
}

/** GenAI messages (`gen_ai.input.messages`, `gen_ai.output.messages`): role and parts. */
function genAiMessages(value: unknown): Message[] {
  let list: unknown;
  try {
    list = typeof value === "string" ? JSON.parse(value) : value;
  } catch {
    return [{ role: "assistant", label: "output", text: String(value) }];
  }
  if (!Array.isArray(list)) return [];
  const out: Message[] = [];
  for (const message of list as { role?: unknown; parts?: unknown }[]) {
    const role = typeof message?.role === "string" ? message.role : "message";
    for (const part of Array.isArray(message?.parts) ? (message.parts as Part[]) : []) {
      const type = String(part?.type ?? "");
      if (type === "text") out.push({ role, label: role, text: String(part.content ?? "") });
      else if (type === "reasoning" || type === "thinking")
        out.push({ role: "reasoning", label: "reasoning", text: String(part.content ?? "") });
      else if (type === "tool_call")
        out.push({
          role: "tool",
          label: `calls ${String(part.name ?? "a tool")}`,
          text: part.arguments === undefined ? String(part.id ?? "") : pretty(part.arguments),
          code: part.arguments !== undefined,
        });
      else if (type === "tool_call_response")
        out.push({ role: "tool", label: "tool result", text: pretty(part.response ?? part.result ?? ""), code: true });
      else out.push({ role, label: type || role, text: pretty(part), code: true });
    }
  }
  return out;
}

function eventText(span: ViewSpan, event: string, key: string): string | undefined {
  const value = span.events.find((e) => e.name === event)?.attributes[key];
  return value === undefined ? undefined : String(value);
}

export function messagesOf(span: ViewSpan): Message[] {
  const a = span.attributes;
  const out: Message[] = [];
  const prompt = eventText(span, "user.prompt", "gen_ai.prompt");
  if (prompt !== undefined) out.push({ role: "user", label: "prompt", text: prompt });
  if (a["gen_ai.input.messages"] !== undefined) out.push(...genAiMessages(a["gen_ai.input.messages"]));
  if (a["gen_ai.tool.call.arguments"] !== undefined)
    out.push({ role: "tool", label: "arguments", text: pretty(a["gen_ai.tool.call.arguments"]), code: true });
  if (a["gen_ai.tool.call.result"] !== undefined)
    out.push({ role: "tool", label: "result", text: pretty(a["gen_ai.tool.call.result"]), code: true });
  if (a["gen_ai.output.messages"] !== undefined) out.push(...genAiMessages(a["gen_ai.output.messages"]));
  const answer = eventText(span, "agent.completed", "gen_ai.completion");
  if (answer !== undefined) out.push({ role: "assistant", label: "answer", text: answer });
  return out;
}

const show = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

function Attributes({ attributes }: { attributes: Record<string, unknown> }) {
  const keys = Object.keys(attributes).sort();
  if (keys.length === 0) return html`<p class="muted">none</p>`;
  return html`<table class="attrs">
    ${keys.map((k) => html`<tr><th>${k}</th><td>${show(attributes[k])}</td></tr>`)}
  </table>`;
}

export function SpanDetails({ span, runStart }: { span: ViewSpan; runStart: number }) {
  const messages = messagesOf(span);
  const failed = span.status.code === 2;
  return html`
    <aside class="details">
      <h2 class="span-title">${span.name}</h2>
      <p class="muted">
        ${duration(span.endMs - span.startMs)} · starts at +${duration(span.startMs - runStart)} · span${" "}<span class="mono">${span.spanId}</span>
      </p>
      ${
        failed
          ? html`<p class="error-box">✗ ${show(span.attributes["error.type"] ?? "error")}${span.status.message ? `: ${span.status.message}` : ""}</p>`
          : null
      }
      ${
        messages.length > 0
          ? html`<h3>Messages</h3>
            <div class="messages">
              ${messages.map(
                (m) => html`<div class=${`message ${m.role}`}>
                  <div class="message-label">${m.label}</div>
                  ${m.code ? html`<pre>${m.text}</pre>` : html`<div class="message-text">${m.text}</div>`}
                </div>`,
              )}
            </div>`
          : null
      }
      <h3>Attributes</h3>
      <${Attributes} attributes=${span.attributes} />
      ${
        span.events.length > 0
          ? html`<h3>Events</h3>
            ${span.events.map(
              (e) => html`<div class="event">
                <div><strong>${e.name}</strong> <span class="muted">+${duration(e.timeMs - runStart)}</span></div>
                <${Attributes} attributes=${e.attributes} />
              </div>`,
            )}`
          : null
      }
    </aside>
  `;
}
