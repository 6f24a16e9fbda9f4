// `bgt mcp`: the five Background Tasks tools over MCP (stdio), for agents started from an
// integrated terminal. Same names, inputs and answers as the language model tools in VS Code
// (both come from control/tools.ts); the window's engine is behind the socket.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { clientAccess } from '../control/clientAccess';
import { Exit } from '../control/protocol';
import { runTool, TOOL_DESCRIPTIONS, TOOL_NAMES, TOOL_SCHEMAS } from '../control/tools';
import { terminalEnv } from './waiting';

const VERSION = '0.1.0';

/** Serves until the agent closes stdin; resolves with bgt's exit code. */
export async function serveMcp(socketPath: string): Promise<number> {
  const access = clientAccess(socketPath);
  const server = new Server({ name: 'background-tasks', version: VERSION }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: TOOL_NAMES.map((name) => ({
      name,
      description: TOOL_DESCRIPTIONS[name],
      inputSchema: TOOL_SCHEMAS[name] as { type: 'object'; properties?: Record<string, object> },
    })),
  }));
  // Tasks run where the agent runs, with its environment, as `bgt run` would.
  const ctx = { cwd: process.cwd(), env: terminalEnv(), caller: 'an agent (MCP)' };
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const answer = await runTool(access, request.params.name, request.params.arguments ?? {}, ctx);
    return { content: [{ type: 'text' as const, text: answer.text }], isError: answer.isError };
  });
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    server.onclose = resolve;
    process.stdin.once('end', resolve);
  });
  await server.connect(transport);
  await closed;
  access.close();
  await server.close().catch(() => undefined);
  return Exit.ok;
}
