/**
 * The span tree of a stored run as text: one line per span with its duration, a timing bar,
 * tokens and cost on agent and chat spans, tool titles, and errors marked. Pure.
 */
import type { AttributeValue } from "@opentelemetry/api";
import { attributesOf, nanos, type OtlpSpan } from "../../export/journal-store.ts";
import { messagesText } from "../../trace/messages.ts";
import { ATTR, EVENT, LEGACY, OPERATION, STATUS_CODE } from "../../trace/semconv.ts";
import { ellipsize, stripControl } from "../../trace/text.ts";
import { toolTitle } from "../../trace/tool-title.ts";

/**
 * Text from a session made safe for a terminal (`stripControl`), on one line: for a cell of a table
 * or a tree, where a line break would start a row of its own.
 */
export const printableLine = (text: string): string => stripControl(text).replace(/[\t\n\r\u2028\u2029]+/g, " ");

export interface TreeOptions {
  /** Add captured content (prompt, arguments, results, answers) under each span. */
  full: boolean;
  color: boolean;
  /** Width of the timing bar, in characters. */
  barWidth?: number;
}

export interface TreeNode {
  span: OtlpSpan;
  attributes: Record<string, AttributeValue>;
  children: TreeNode[];
  startMs: number;
  endMs: number;
}

/** Arrange spans into trees (roots: spans whose parent is not among them), children by start time. */
export function buildTree(spans: OtlpSpan[]): TreeNode[] {
  const nodes = new Map<string, TreeNode>();
  for (const span of spans) {
    nodes.set(span.spanId, {
      span,
      attributes: attributesOf(span.attributes) as Record<string, AttributeValue>,
      children: [],
      startMs: Number(nanos(span.startTimeUnixNano) / 1000n) / 1000,
      endMs: Number(nanos(span.endTimeUnixNano) / 1000n) / 1000,
    });
  }
  const roots: TreeNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.span.parentSpanId ? nodes.get(node.span.parentSpanId) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  const sort = (list: TreeNode[]) => {
    list.sort((a, b) => a.startMs - b.startMs || a.span.name.localeCompare(b.span.name));
    for (const n of list) sort(n.children);
  };
  sort(roots);
  return roots;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(2)}s`;
  return `${Math.floor(ms / 60000)}m${Math.round((ms % 60000) / 1000)}s`;
}

export const formatCost = (usd: number) => `$${usd.toFixed(usd < 0.01 ? 6 : 4)}`;

function usageText(a: Record<string, AttributeValue>): string {
  const parts: string[] = [];
  const input = a[ATTR.inputTokens];
  const output = a[ATTR.outputTokens];
  const cost = a[ATTR.cost];
  if (typeof input === "number") parts.push(`in ${input}`);
  if (typeof output === "number") parts.push(`out ${output}`);
  if (typeof cost === "number") parts.push(formatCost(cost));
  return parts.join(" · ");
}

function label(node: TreeNode): string {
  const a = node.attributes;
  if (a[ATTR.operationName] === OPERATION.executeTool) {
    const name = String(a[ATTR.toolName] ?? node.span.name);
    let input: unknown;
    try {
      input = JSON.parse(String(a[ATTR.toolArguments] ?? "{}"));
    } catch {
      input = {};
    }
    if (a[ATTR.ccToolDescription] !== undefined) input = { description: a[ATTR.ccToolDescription] };
    return `${node.span.name}  ${toolTitle(name, input).detail ?? ""}`.trimEnd();
  }
  return node.span.name;
}

function bar(node: TreeNode, root: TreeNode, width: number): string {
  const total = Math.max(root.endMs - root.startMs, 1);
  // Clamped: a span can start a little before the root (transcript and claudia clocks differ).
  const from = Math.max(0, Math.min(width - 1, Math.floor(((node.startMs - root.startMs) / total) * width)));
  const length = Math.max(1, Math.round(((node.endMs - node.startMs) / total) * width));
  const to = Math.min(width, from + length);
  return " ".repeat(from) + "█".repeat(to - from) + " ".repeat(width - to);
}

const CONTENT_KEYS = [ATTR.inputMessages, ATTR.toolArguments, ATTR.toolResult, ATTR.outputMessages];

/** Render every tree of a run. */
export function renderTree(spans: OtlpSpan[], options: TreeOptions): string {
  const width = options.barWidth ?? 24;
  const red = (t: string) => (options.color ? `\u001b[31m${t}\u001b[0m` : t);
  const dim = (t: string) => (options.color ? `\u001b[2m${t}\u001b[0m` : t);
  const lines: string[] = [];
  for (const root of buildTree(spans)) {
    const rows: { text: string; node: TreeNode; prefix: string }[] = [];
    const walk = (node: TreeNode, prefix: string, childPrefix: string) => {
      rows.push({ text: `${prefix}${printableLine(label(node))}`, node, prefix: childPrefix });
      node.children.forEach((child, i) => {
        const last = i === node.children.length - 1;
        walk(child, `${childPrefix}${last ? "└─ " : "├─ "}`, `${childPrefix}${last ? "   " : "│  "}`);
      });
    };
    walk(root, "", "");
    const nameWidth = Math.min(70, Math.max(...rows.map((r) => r.text.length)));
    for (const row of rows) {
      const a = row.node.attributes;
      const failed = row.node.span.status?.code === STATUS_CODE.error;
      const name = row.text.length > nameWidth ? ellipsize(row.text, nameWidth) : row.text.padEnd(nameWidth);
      const duration = formatDuration(row.node.endMs - row.node.startMs).padStart(7);
      const op = a[ATTR.operationName];
      const usage = op === OPERATION.chat || op === OPERATION.invokeAgent ? usageText(a) : "";
      const error = failed
        ? red(
            printableLine(
              `✗ ${a[ATTR.errorType] ?? "error"}${row.node.span.status?.message ? `: ${row.node.span.status.message}` : ""}`,
            ),
          )
        : "";
      lines.push(
        [`${failed ? red(name) : name}`, duration, bar(row.node, root, width), usage, error]
          .filter((p) => p !== "")
          .join("  ")
          .trimEnd(),
      );
      if (options.full) {
        const indent = `${row.prefix}${row.node.children.length > 0 ? "│  " : "   "}`;
        const agent = op === OPERATION.invokeAgent;
        // Runs recorded by earlier versions carry the prompt and answer as span events.
        const prompt = agent
          ? (messagesText(a[ATTR.inputMessages]) ?? eventText(row.node.span, EVENT.userPrompt, LEGACY.prompt))
          : undefined;
        const answer = agent
          ? (messagesText(a[ATTR.outputMessages]) ?? eventText(row.node.span, EVENT.agentCompleted, LEGACY.completion))
          : undefined;
        for (const [key, value] of [
          ["prompt", prompt],
          ...(agent ? [] : CONTENT_KEYS).map((k) => [k.replace(/^gen_ai\./, ""), a[k]] as const),
          ["answer", answer],
        ] as const) {
          if (value === undefined || value === "") continue;
          const text = stripControl(String(value)).replace(/\s+/g, " ");
          lines.push(dim(`${indent}  ${key}: ${ellipsize(text, 300)}`));
        }
      }
    }
  }
  return `${lines.join("\n")}\n`;
}

function eventText(span: OtlpSpan, event: string, key: string): string | undefined {
  const found = span.events?.find((e) => e.name === event);
  const value = found ? attributesOf(found.attributes)[key] : undefined;
  return value === undefined ? undefined : String(value);
}
