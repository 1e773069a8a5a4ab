#!/usr/bin/env bash
# Runs in Pydantic Logfire's LLM views. Needs LOGFIRE_TOKEN (a write token; its region is read from it).
set -euo pipefail
: "${LOGFIRE_TOKEN:?set LOGFIRE_TOKEN to a Logfire write token}"
claudia --model "${CLAUDE_MODEL:-sonnet}" "${1:-Explain what this project does}"
