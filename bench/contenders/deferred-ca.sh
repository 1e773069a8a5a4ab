#!/bin/sh
# Starts node as the `claudia` command's first line does (scripts/bundle-cli.mjs): with
# NODE_EXTRA_CA_CERTS set aside, so node does not read the certificates at start. node-parent.cjs
# puts it back for Claude Code. Without the command's own checks (its process id in the value,
# SHLVL under bash), which cost nothing measurable. argv: node's arguments.
unset CLAUDIA_DEFERRED_NODE_EXTRA_CA_CERTS
if [ -n "$NODE_EXTRA_CA_CERTS" ]; then
  CLAUDIA_DEFERRED_NODE_EXTRA_CA_CERTS=$NODE_EXTRA_CA_CERTS
  export CLAUDIA_DEFERRED_NODE_EXTRA_CA_CERTS
  unset NODE_EXTRA_CA_CERTS
fi
exec node "$@"
