/**
 * Where Claude Code sends its model calls, for the `server.address` / `server.port` of `chat`
 * spans: `ANTHROPIC_BASE_URL` of Claude Code's environment, else the Anthropic API. Unknown (and
 * left out) when Claude Code talks to Bedrock, Vertex AI or Foundry, whose endpoints it picks itself.
 */

export interface ApiServer {
  address: string;
  port: number;
}

const DEFAULT: ApiServer = { address: "api.anthropic.com", port: 443 };
const OTHER_PROVIDERS = ["CLAUDE_CODE_USE_BEDROCK", "CLAUDE_CODE_USE_VERTEX", "CLAUDE_CODE_USE_FOUNDRY"];

const isSet = (value: string | undefined) => value !== undefined && value !== "" && value !== "0" && value !== "false";

export function apiServerOf(env: NodeJS.ProcessEnv): ApiServer | undefined {
  if (OTHER_PROVIDERS.some((name) => isSet(env[name]))) return undefined;
  const base = env.ANTHROPIC_BASE_URL?.trim();
  if (!base) return DEFAULT;
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  // An IPv6 host comes bracketed in a URL; the attribute holds the address itself.
  return { address: url.hostname.replace(/^\[(.*)\]$/, "$1"), port };
}
