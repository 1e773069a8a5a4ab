/**
 * The session `claudia demo` plays: read a file, run a command, delegate to a subagent that uses
 * a tool, write a file, answer. Decided from the conversation, like every scripted scenario.
 */
import {
  bash,
  firstLine,
  type Scenario,
  type ScenarioContext,
  text,
  tools,
  workingDirectory,
} from "./scenario-types.ts";

export const DEMO_NOTES = `# Release notes draft

- The parser now accepts trailing commas.
- Start-up is faster on large projects.
- Fixed a crash when the config file is empty.
`;

/** What the demo asks; the scripted model recognises its own helper by the helper's task. */
export const DEMO_PROMPT = "Read notes.md, count its words, have a helper check the workspace, and write summary.md.";
const HELPER_TASK = "List the files in the workspace and report back.";

const helper = (c: ScenarioContext) =>
  c.toolResults.length === 0
    ? tools(bash("ls -1", "List the workspace"))
    : text(`The workspace holds: ${listing(c.toolResults[0]?.text)}.`);

/** The file names of an `ls -1` result (Claude Code may append notes after a blank line). */
const listing = (output: string | undefined) => (output ?? "").trim().split("\n\n")[0]?.split("\n").join(", ") ?? "";

export const demoScenarios: Record<string, Scenario> = {
  demo: (c) => {
    if (c.firstUserText.includes(HELPER_TASK)) return helper(c);
    const dir = workingDirectory(c) ?? ".";
    switch (c.toolResults.length) {
      case 0:
        return tools(
          { type: "text", text: "I'll start by reading the notes." },
          { type: "tool_use", name: "Read", input: { file_path: `${dir}/notes.md` } },
        );
      case 1:
        return tools(bash("wc -w notes.md", "Count the words in the notes"));
      case 2:
        return tools({
          type: "tool_use",
          name: "Agent",
          input: {
            description: "Check the workspace",
            prompt: HELPER_TASK,
            subagent_type: "general-purpose",
            run_in_background: false,
          },
        });
      case 3:
        return tools({
          type: "tool_use",
          name: "Write",
          input: {
            file_path: `${dir}/summary.md`,
            content: `# Summary\n\nThree changes: trailing commas, faster start-up, an empty-config crash fixed.\nThe notes have ${firstLine(c.toolResults[1]?.text).split(" ")[0]} words.\n`,
          },
        });
      default:
        return text(
          "Done: I read notes.md, counted its words, had a helper check the workspace, and wrote summary.md.",
        );
    }
  },
};
