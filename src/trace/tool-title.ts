/**
 * A tool call's short human title, as parts (`label`, `detail`) and as one line. Pure: used by the
 * progress lines, `claudia traces show` and the Logfire exporter alike.
 */
import { basename } from "node:path";

const MAX_TITLE = 80;

/** One line of at most `max` characters, whitespace folded, cut with an ellipsis. */
export const cut = (text: string, max = MAX_TITLE) => {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

export interface ToolTitleParts {
  /** The tool, `server/tool` for an MCP tool. */
  label: string;
  /** What it was asked to do: its description, command, file, pattern, URL or query. */
  detail?: string;
}

/** The parts of a tool call's title: `{label: "Bash", detail: "npm test"}`. */
export function toolTitleParts(name: string, input: unknown): ToolTitleParts {
  const i: Record<string, unknown> = typeof input === "object" && input !== null ? { ...input } : {};
  const s = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v : undefined);
  const mcp = /^mcp__(.+?)__(.+)$/.exec(name);
  const label = mcp ? `${mcp[1]}/${mcp[2]}` : name;
  const file = s(i.file_path);
  const detail =
    s(i.description) ?? s(i.command) ?? (file ? basename(file) : undefined) ?? s(i.pattern) ?? s(i.url) ?? s(i.query);
  return detail === undefined ? { label } : { label, detail };
}

/** A short human title for a tool call: `Bash: npm test`, `Read: index.ts`, `Agent: Review code`. */
export function toolTitle(name: string, input: unknown): string {
  const { label, detail } = toolTitleParts(name, input);
  return cut(detail ? `${label}: ${detail}` : label);
}
