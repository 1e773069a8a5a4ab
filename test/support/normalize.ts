/**
 * Claude Code's printed output with what differs between two runs of the same scenario replaced:
 * ids, timings, tool-use ids, token counts the cache shifts, costs. What remains must be the same
 * with and without claudia.
 */
export function normalize(text: string): string {
  return text
    .replace(
      /"(session_id|uuid|request_id|parent_uuid|prompt_id|task_id|run_id|runId|agentId|agent_id)":"[^"]*"/g,
      '"$1":"X"',
    )
    .replace(
      /"(duration_ms|duration_api_ms|ttft_ms|ttft_stream_ms|time_to_request_ms|first_content_frame_ms|totalDurationMs|durationMs|duration)":\d+/g,
      '"$1":0',
    )
    .replace(/"timestamp":"[^"]*"/g, '"timestamp":"T"')
    .replace(/cc-socks\/\d+\.sock/g, "cc-socks/PID.sock")
    .replace(/msg_scripted_\d+/g, "msg_N")
    .replace(/toolu_scripted_\d+/g, "toolu_N")
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "UUID")
    .replace(/\/tmp\/claudia-test-[^/"]+/g, "TMP")
    .replace(/"cache_read_input_tokens":\d+|"cacheReadInputTokens":\d+/g, "CACHE_READ")
    .replace(/"cache_creation_input_tokens":\d+|"cacheCreationInputTokens":\d+/g, "CACHE_CREATION")
    .replace(
      /"(ephemeral_5m_input_tokens|ephemeral_1h_input_tokens|cacheCreationEphemeral5mInputTokens|cacheCreationEphemeral1hInputTokens)":\d+/g,
      '"$1":0',
    )
    .replace(/"(total_cost_usd|costUSD)":[\d.e-]+/g, '"$1":0')
    .replace(/"(input_tokens|inputTokens|output_tokens|outputTokens)":\d+/g, '"$1":0');
}
