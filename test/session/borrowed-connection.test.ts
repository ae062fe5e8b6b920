import { expect, test } from 'bun:test'
import { createMcpHandler } from '@modelcontextprotocol/server'
import { createV2Server } from '../fixtures/v2-server.ts'
import { connectClient } from '../helpers/clients.ts'
import { startProxy } from '../helpers/start-proxy.ts'
import { waitFor } from '../helpers/wait.ts'

test('a 2025 session that ends keeps the modern-only upstream connection it shared with every client', async () => {
  const modernOnly = createMcpHandler(() => createV2Server('modern', []), { legacy: 'reject' })
  const http = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: (request) => modernOnly.fetch(request) })
  const proxy = await startProxy({ upstreams: [{ id: 'modern', url: `http://127.0.0.1:${http.port}/mcp` }] })
  try {
    const leaving = await connectClient(proxy.url)
    const staying = await connectClient(proxy.url)
    await leaving.callTool({ name: 'echo', arguments: { text: 'bye' } })
    await (leaving.transport as unknown as { terminateSession(): Promise<void> }).terminateSession()
    await leaving.close()
    await waitFor(() => proxy.proxy.status().sessions === 1, 'the session to end')
    const answer = await staying.callTool({ name: 'echo', arguments: { text: 'still here' } })
    expect((answer as { structuredContent: { text: string } }).structuredContent.text).toBe('still here')
    expect(proxy.logs.filter((line) => line.includes('disconnected'))).toEqual([])
    expect(proxy.proxy.status().upstreams[0]?.reconnects).toBe(0)
    await staying.close()
  } finally {
    await proxy.stop()
    await http.stop(true)
  }
})
