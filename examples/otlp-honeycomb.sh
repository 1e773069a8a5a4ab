#!/usr/bin/env bash
# Traces of a headless Claude Code run in Honeycomb (any OTLP backend works the same way).
# Needs HONEYCOMB_API_KEY; the endpoint can be overridden (e.g. a local collector).
set -euo pipefail
export OTEL_EXPORTER_OTLP_ENDPOINT="${OTEL_EXPORTER_OTLP_ENDPOINT:-https://api.honeycomb.io}"
export OTEL_EXPORTER_OTLP_HEADERS="x-honeycomb-team=${HONEYCOMB_API_KEY}"
export OTEL_SERVICE_NAME="${OTEL_SERVICE_NAME:-nightly-agent}"
claudia --model "${CLAUDE_MODEL:-sonnet}" --max-turns 10 "${1:-Summarize the README in three bullet points}"
