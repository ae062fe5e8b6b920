import { join } from 'node:path'

/** The MCP clients whose config files ProxMCP can read and write snippets for. */
export const CLIENTS = ['claude', 'cursor', 'vscode', 'windsurf', 'claude-code'] as const
export type ClientName = (typeof CLIENTS)[number]

export interface Places {
  home: string
  cwd: string
  platform: NodeJS.Platform
  /** %APPDATA% on Windows. */
  appData?: string
}

/** Where each client keeps its servers, most specific first: the project's file, then the user's. */
export function clientConfigPaths(client: ClientName, { home, cwd, platform, appData }: Places): string[] {
  const userData = (...parts: string[]) => {
    if (platform === 'darwin') return join(home, 'Library', 'Application Support', ...parts)
    if (platform === 'win32') return join(appData ?? join(home, 'AppData', 'Roaming'), ...parts)
    return join(home, '.config', ...parts)
  }
  switch (client) {
    case 'claude':
      return [userData('Claude', 'claude_desktop_config.json')]
    case 'cursor':
      return [join(cwd, '.cursor', 'mcp.json'), join(home, '.cursor', 'mcp.json')]
    case 'vscode':
      return [join(cwd, '.vscode', 'mcp.json'), userData('Code', 'User', 'mcp.json')]
    case 'windsurf':
      return [join(home, '.codeium', 'windsurf', 'mcp_config.json')]
    case 'claude-code':
      return [join(cwd, '.mcp.json'), join(home, '.claude.json')]
  }
}
