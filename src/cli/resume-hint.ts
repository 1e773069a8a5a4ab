/**
 * The options in the "Resume this session with:" line Claude Code prints when its terminal UI
 * exits. Claude Code reads them from its own command line, which under claudia starts with
 * claudia's `--settings` (a private file, removed at exit): the line would lose the user's options,
 * or, in a wide terminal, name that file and fail when run. When Claude Code relaunches itself it
 * hands the line's options on in CLAUDE_CODE_RELAUNCH_RESUME_HINT_FLAGS (which it checks against
 * the same rules and removes from its environment at once): claudia sets it to what Claude Code
 * would read from the user's own arguments.
 *
 * The rules are those of the bundled binary; for another binary nothing is set.
 */
import { bundledCli, type ClaudeCli, type OptionSpec } from "./claude-help.ts";

export const RESUME_HINT_VARIABLE = "CLAUDE_CODE_RELAUNCH_RESUME_HINT_FLAGS";

/** Options a resume command leaves out (it names its own session). */
const LEFT_OUT = new Set([
  "resume",
  "continue",
  "from-pr",
  "fork-session",
  "session-id",
  "name",
  "teleport",
  "cloud",
  "remote",
  "desktop",
  "environment",
  "pool",
  "project",
  "ref",
  "on-branch",
  "correlation-id",
  "metadata",
  "forward-home-settings",
  "resume-session-at",
  "resume-drops-turn",
  "reply-on-resume",
  "rewind-files",
  "worktree",
  "tmux",
  "background",
  "routine",
  "file",
  "init",
  "init-only",
  "maintenance",
  "prefill",
  "prefill-b64",
  "deep-link-origin",
  "deep-link-repo",
  "deep-link-last-fetch",
  "deep-link-cwd-b64",
  "watch-artifact",
  "watch-artifact-no-autoreact",
]);
/** Options with which the line names no option at all. */
const NONE_AT_ALL = new Set([
  "agent-id",
  "agent-name",
  "team-name",
  "agent-color",
  "agent-type",
  "parent-session-id",
  "lead-verify-key",
  "plan-mode-required",
  "inherit-permission-mode",
  "agents-view-if-allowed",
  "attach-serve",
  "session-began-as-copy",
  "messaging-socket-path",
  "project-config-root",
  "hold-repository-while-parked",
]);
const OPTION_WORD = /^-[\w/:@=+-]*$/;
const VALUE_WORD = /^[\w./:+][\w./:@=+-]*$/;
const DEVICE = /(^|=)\/(dev|proc)\//;

const isOption = (word: string) => word.length > 1 && word.startsWith("-");
const nameOf = (spec: OptionSpec) =>
  (spec.names.find((n) => n.startsWith("--")) ?? spec.names[0] ?? "").replace(/^-+/, "");

/** The variable for Claude Code's environment: empty when the binary is not the bundled one, or the user set it. */
export function resumeHintEnv(claudePath: string, userArgs: string[], env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env[RESUME_HINT_VARIABLE] !== undefined) return {};
  const cli = bundledCli(claudePath);
  return cli ? { [RESUME_HINT_VARIABLE]: resumeHintFlags(userArgs, cli) } : {};
}

/** The options Claude Code would name in the line, read from `args` as its own command line. Pure. */
export function resumeHintFlags(args: string[], cli: ClaudeCli): string {
  const byName = new Map<string, OptionSpec>();
  for (const spec of cli.options) for (const name of spec.names) byName.set(name, spec);
  const out: string[] = [];
  let i = 0;
  while (i < args.length) {
    const word = args[i++] as string;
    if (word === "--") break;
    if (!isOption(word)) continue;
    const values: string[] = [];
    let spec = byName.get(word);
    if (spec) {
      if (spec.value === "required") {
        if (i >= args.length) return "";
        values.push(args[i++] as string);
      } else if (spec.value === "optional" && i < args.length && !isOption(args[i] as string)) {
        values.push(args[i++] as string);
      }
      if (spec.variadic) while (i < args.length && !isOption(args[i] as string)) values.push(args[i++] as string);
    } else {
      const eq = word.startsWith("--") ? word.indexOf("=") : -1;
      spec = eq > 2 ? byName.get(word.slice(0, eq)) : undefined;
      if (!spec || spec.value === "none") return "";
    }
    const name = nameOf(spec);
    if (NONE_AT_ALL.has(name)) return "";
    if (LEFT_OUT.has(name)) continue;
    const words = [word, ...values];
    if (!OPTION_WORD.test(word) || !values.every((v) => VALUE_WORD.test(v)) || words.some((w) => DEVICE.test(w))) {
      return "";
    }
    out.push(...words);
  }
  return out.join(" ");
}
