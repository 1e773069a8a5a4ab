/**
 * A short human title for a tool call, as parts: the tool (`Bash`, `github/search_issues` for an
 * MCP tool) and what it was asked to do (`npm test`, `index.ts`, `label:bug is:open`). Each place
 * that shows a title formats the parts itself. Pure.
 */
import { basename } from "node:path";

export interface ToolTitle {
  label: string;
  detail?: string;
}

const text = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v : undefined);

export function toolTitle(name: string, input: unknown): ToolTitle {
  const i = (input ?? {}) as Record<string, unknown>;
  const mcp = /^mcp__(.+?)__(.+)$/.exec(name);
  const label = mcp ? `${mcp[1]}/${mcp[2]}` : name;
  const filePath = text(i.file_path);
  const detail =
    text(i.description) ??
    text(i.command) ??
    (filePath ? basename(filePath) : undefined) ??
    text(i.pattern) ??
    text(i.url) ??
    text(i.query);
  return detail === undefined ? { label } : { label, detail };
}

/** `label: detail`, or the label alone. */
export function formatToolTitle(title: ToolTitle): string {
  return title.detail === undefined ? title.label : `${title.label}: ${title.detail}`;
}
