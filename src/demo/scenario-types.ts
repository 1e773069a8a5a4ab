/** What a scripted model scenario sees and answers. */

export interface ScenarioContext {
  scenario: string;
  model: string;
  toolNames: string[];
  toolResults: { toolUseId: string; text: string; isError: boolean }[];
  assistantTurns: number;
  lastUserText: string;
  allText: string;
  /** The text of the conversation's first user message. */
  firstUserText: string;
  /** The system prompt's text. */
  system: string;
}

export type Block = { type: "text"; text: string } | { type: "tool_use"; name: string; input: Record<string, unknown> };

export type Reply =
  | { content: Block[]; stop_reason: "end_turn" | "tool_use" | "max_tokens" }
  | { error: { status: number; type: string; message: string } };

/** A scenario is a pure function of the conversation so far: it never counts calls. */
export type Scenario = (context: ScenarioContext) => Reply;

export const text = (t: string): Reply => ({ content: [{ type: "text", text: t }], stop_reason: "end_turn" });
export const tools = (...blocks: Block[]): Reply => ({ content: blocks, stop_reason: "tool_use" });
export const bash = (command: string, description: string): Block => ({
  type: "tool_use",
  name: "Bash",
  input: { command, description },
});
export const firstLine = (t: string | undefined): string => (t ?? "").trim().split("\n")[0] ?? "";

/** The session's working directory, as Claude Code tells the model. */
export function workingDirectory(context: ScenarioContext): string | undefined {
  const pattern = /working directory:\s*(\/[^\s"'<>]+)/i;
  return pattern.exec(context.system)?.[1] ?? pattern.exec(context.allText)?.[1];
}

/** A `[[key:value]]` parameter from the conversation (e.g. the workspace a scenario uses). */
export function param(context: ScenarioContext, key: string): string | undefined {
  return new RegExp(`\\[\\[${key}:([^\\]]+)\\]\\]`).exec(context.allText)?.[1];
}
