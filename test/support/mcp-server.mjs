// A stdio MCP server for tests: one tool, `shout`, that upper-cases its text.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";

const server = new McpServer({ name: "fixtures", version: "1.0.0" });
server.registerTool(
  "shout",
  { description: "Upper-cases the text it is given", inputSchema: { text: z.string() } },
  async ({ text }) => ({ content: [{ type: "text", text: text.toUpperCase() }] }),
);
await server.connect(new StdioServerTransport());
