/**
 * The start-up floor plus the MCP SDK: the minimal server, after loading both halves of the v2 SDK
 * that ProxMCP loads (and using neither). The difference to the minimal server is the SDK's load cost.
 */
import '@modelcontextprotocol/server'
import '@modelcontextprotocol/client'
import './minimal-server.ts'
