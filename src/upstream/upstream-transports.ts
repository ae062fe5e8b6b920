import type { Transport } from '@modelcontextprotocol/client'
import type { UpstreamConfig } from '../config/resolve.ts'
import { createTransport } from './create-transport.ts'
import { describeProcessExit, type ProcessExit } from './stdio-transport.ts'
import type { UpstreamDeps } from './upstream-deps.ts'

/**
 * Makes one upstream's transports, and says in the log what they report: stderr lines, protocol
 * slips read past (each once), and processes that exit by themselves.
 */
export class UpstreamTransports {
  /** How the shared connection's process last exited, when it exited by itself. */
  lastExit: ProcessExit | undefined
  private readonly tolerated = new Set<string>()

  constructor(
    private readonly config: UpstreamConfig,
    private readonly deps: UpstreamDeps,
  ) {}

  /** A transport for the shared connection, or for one session's (whose process exiting only that session sees). */
  create(owner: 'shared' | 'session'): Transport {
    const { id } = this.config
    const { logger } = this.deps
    if (owner === 'shared') this.lastExit = undefined
    return createTransport(this.config, {
      spawn: this.deps.spawn,
      fetch: this.deps.fetch,
      onStderrLine: (line) => logger.info(`[${id}] ${line}`),
      onTolerated: (deviation) => {
        if (!this.tolerated.has(deviation)) logger.debug(`upstream '${id}' ${deviation} (tolerated)`)
        this.tolerated.add(deviation)
      },
      onExit: (exit) => {
        if (owner === 'shared') this.lastExit = exit
        else logger.warn(`upstream '${id}': a session's process ended: ${describeProcessExit(exit)}`)
      },
    })
  }
}
