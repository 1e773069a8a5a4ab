/** claudia's help and messages. */
export { packageVersion } from "../version.ts";

export const HELP = `Usage: claudia [claudia options] [claude options] PROMPT     (headless, like \`claude -p\`)
       claudia [claudia options] [claude options]            (Claude Code's terminal UI)

Runs Claude Code and records each run (in the UI: each prompt) as an OpenTelemetry trace.
stdout and the exit code are Claude Code's own; claudia's progress goes to stderr (in the UI: one
summary line after it exits).

claudia options (each also settable by environment):
  --otel-endpoint URL        OTLP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT)
  --otel-headers k=v,k2=v2   OTLP headers (OTEL_EXPORTER_OTLP_HEADERS)
  --service-name NAME        service.name of the traces (OTEL_SERVICE_NAME, default claude-agents)
  --logfire-token TOKEN      send traces and metrics to Pydantic Logfire too (LOGFIRE_TOKEN)
  --sentry-dsn DSN           send traces and failed runs to Sentry too (SENTRY_DSN; needs @sentry/node)
  --quiet                    no progress lines (CLAUDIA_QUIET=1)
  --claudia-debug            claudia's own diagnostics on stderr (CLAUDIA_DEBUG=1)
  --config                   print the effective telemetry configuration (secrets masked) and exit
  --version, -v              print claudia's and Claude Code's versions
  --help, -h                 this help

Every other option is Claude Code's and passes through unchanged (see \`claude --help\`);
\`--flag=value\` always works. Claude Code's subcommands (mcp, config, doctor, …) run untraced.

claudia's own commands:
  claudia traces [list|show|export|push]   the runs recorded in the local journal (see claudia traces --help)
  claudia demo                             a traced run of the real Claude Code against a scripted model
`;
