#!/usr/bin/env bash
# Runs in Sentry's AI Agents views, and a failed run as a Sentry issue linked to its trace.
# Needs SENTRY_DSN and @sentry/node installed beside claudia (npm install -g @sentry/node).
set -euo pipefail
: "${SENTRY_DSN:?set SENTRY_DSN to the DSN of your Sentry project}"
export SENTRY_ENVIRONMENT="${SENTRY_ENVIRONMENT:-ci}"
export SENTRY_TRACES_SAMPLE_RATE="${SENTRY_TRACES_SAMPLE_RATE:-1.0}"
claudia --model "${CLAUDE_MODEL:-sonnet}" --max-turns 10 "${1:-Find and fix the failing test}"
