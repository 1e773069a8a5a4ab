// Written by scripts/claude-cli-table.mjs (npm run build) from the bundled Claude Code: do not edit.
import type { BundledCli } from "./claude-help.ts";

export const BUNDLED_CLI: BundledCli = {
  packageVersion: "0.3.331",
  claudeVersion: "2.1.331",
  commands: [
    "agents",
    "attach",
    "auth",
    "auto-mode",
    "doctor",
    "gateway",
    "import",
    "install",
    "logs",
    "mcp",
    "plugin",
    "plugins",
    "purge",
    "respawn",
    "rm",
    "setup-token",
    "stop",
    "kill",
    "ultrareview",
    "update",
    "upgrade",
  ],
  options: [
    {
      names: ["--add-dir"],
      value: "required",
      variadic: true,
    },
    {
      names: ["--agent"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--agents"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--allow-dangerously-skip-permissions"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--allowedTools", "--allowed-tools"],
      value: "required",
      variadic: true,
    },
    {
      names: ["--append-system-prompt"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--autocompact"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--ax-screen-reader"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--bg", "--background"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--bare"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--betas"],
      value: "required",
      variadic: true,
    },
    {
      names: ["--brief"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--chrome"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--cloud"],
      value: "optional",
      variadic: false,
    },
    {
      names: ["-c", "--continue"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--dangerously-skip-permissions"],
      value: "none",
      variadic: false,
    },
    {
      names: ["-d", "--debug"],
      value: "optional",
      variadic: false,
    },
    {
      names: ["--debug-file"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--desktop"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--disable-slash-commands"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--disallowedTools", "--disallowed-tools"],
      value: "required",
      variadic: true,
    },
    {
      names: ["--effort"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--environment"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--exclude-dynamic-system-prompt-sections"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--fallback-model"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--file"],
      value: "required",
      variadic: true,
    },
    {
      names: ["--fork-session"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--forward-subagent-text"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--from-pr"],
      value: "optional",
      variadic: false,
    },
    {
      names: ["-h", "--help"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--ide"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--include-hook-events"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--include-partial-messages"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--input-format"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--json-schema"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--max-budget-usd"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--mcp-config"],
      value: "required",
      variadic: true,
    },
    {
      names: ["--model"],
      value: "required",
      variadic: false,
    },
    {
      names: ["-n", "--name"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--no-chrome"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--no-session-persistence"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--output-format"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--permission-mode"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--permission-prompts"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--plugin-dir"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--plugin-url"],
      value: "required",
      variadic: false,
    },
    {
      names: ["-p", "--print"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--prompt-suggestions"],
      value: "optional",
      variadic: false,
    },
    {
      names: ["--remote-control"],
      value: "optional",
      variadic: false,
    },
    {
      names: ["--remote-control-session-name-prefix"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--replay-user-messages"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--restricted"],
      value: "none",
      variadic: false,
    },
    {
      names: ["-r", "--resume"],
      value: "optional",
      variadic: false,
    },
    {
      names: ["--safe-mode"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--session-id"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--setting-sources"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--settings"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--strict-mcp-config"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--system-prompt"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--system-prompt-snapshot"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--teleport"],
      value: "optional",
      variadic: false,
    },
    {
      names: ["--tmux"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--tools"],
      value: "required",
      variadic: true,
    },
    {
      names: ["--verbose"],
      value: "none",
      variadic: false,
    },
    {
      names: ["-v", "--version"],
      value: "none",
      variadic: false,
    },
    {
      names: ["-w", "--worktree"],
      value: "optional",
      variadic: false,
    },
  ],
  hidden: [
    {
      names: ["-d2e", "--debug-to-stderr"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--init"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--init-only"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--maintenance"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--session-mirror"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--await-claim"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--await-initialize"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--thinking"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--thinking-display"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--max-thinking-tokens"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--max-turns"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--task-budget"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--enable-auth-status"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--permission-prompt-tool"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--system-prompt-file"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--append-system-prompt-file"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--append-subagent-system-prompt"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--append-subagent-system-prompt-file"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--plan-mode-instructions"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--inherit-permission-mode"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--watch-artifact"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--prefill"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--deep-link-origin"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--deep-link-repo"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--deep-link-last-fetch"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--prefill-b64"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--deep-link-cwd-b64"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--resume-session-at"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--resume-drops-turn"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--reply-on-resume"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--rewind-files"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--include-unsupported-models"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--workload"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--client-data-url"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--allow-other-models"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--managed-settings"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--managed-settings-in-initialize"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--host-auth-is-org-sign-in"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--project-config-root"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--plugin-dir-no-mcp"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--advisor"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--enable-auto-mode"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--channels"],
      value: "required",
      variadic: true,
    },
    {
      names: ["--dangerously-load-development-channels"],
      value: "required",
      variadic: true,
    },
    {
      names: ["--agent-id"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--agent-name"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--team-name"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--agent-color"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--plan-mode-required"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--parent-session-id"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--lead-verify-key"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--teammate-mode"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--agent-type"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--sdk-url"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--hold-repository-while-parked"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--session-began-as-copy"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--initialize-fields"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--forward-home-settings"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--remote"],
      value: "optional",
      variadic: false,
    },
    {
      names: ["--attach-serve"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--pool"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--correlation-id"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--metadata"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--ref"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--on-branch"],
      value: "required",
      variadic: false,
    },
    {
      names: ["--rc"],
      value: "optional",
      variadic: false,
    },
    {
      names: ["--gateway-json"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--organization-gateway"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--json"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--interview"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--from-link"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--resolve-only"],
      value: "none",
      variadic: false,
    },
    {
      names: ["--web"],
      value: "none",
      variadic: false,
    },
  ],
};
