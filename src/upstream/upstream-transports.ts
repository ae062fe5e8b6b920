import type { Transport } from '@modelcontextprotocol/client'
import type { UpstreamConfig } from '../config/resolve.ts'
import type { Credential } from '../credentials/credential.ts'
import { createTransport, type SharedSessionTransport, spawnOptions } from './create-transport.ts'
import { PrestartedProcesses } from './prestarted-processes.ts'
import { describeProcessExit, type ProcessExit } from './stdio-transport.ts'
import type { UpstreamDeps } from './upstream-deps.ts'

/** Processes kept started for the next sessions of a stdio upstream with a process per session. */
const DEFAULT_PRESTART = 1

/**
 * Makes one upstream's transports, and says in the log what they report: stderr lines, protocol
 * slips read past (each once), and processes that exit by themselves. A stdio upstream with a
 * process per session takes its sessions' processes from those it started ahead.
 */
export class UpstreamTransports {
  /** How the shared connection's process last exited, when it exited by itself. */
  lastExit: ProcessExit | undefined
  private readonly tolerated = new Set<string>()
  private readonly prestarted: PrestartedProcesses | undefined

  constructor(
    private readonly config: UpstreamConfig,
    private readonly deps: UpstreamDeps,
  ) {
    const size = config.prestart ?? DEFAULT_PRESTART
    // Processes that run as each identity cannot be started before the identity is known.
    const perIdentity = config.credentials !== undefined
    if (config.transport === 'stdio' && !config.shareProcess && !perIdentity && deps.spawn && size > 0) {
      const say = (message: string) => deps.logger.debug(`upstream '${config.id}': ${message}`)
      this.prestarted = new PrestartedProcesses(deps.spawn, spawnOptions(config), size, say)
    }
  }

  /** The upstream started: processes for its next sessions are started now. */
  prestart(): void {
    this.prestarted?.fill()
  }

  /** The upstream stopped: the processes started for sessions that never came are ended. */
  close(): void {
    this.prestarted?.close()
  }

  /**
   * A transport for the shared connection, or for one session's or identity's (whose process
   * exiting only they see), with the credential it connects with.
   */
  create(owner: 'shared' | 'session', credential: Credential, shared?: SharedSessionTransport): Transport {
    const { id } = this.config
    const { logger } = this.deps
    if (owner === 'shared') this.lastExit = undefined
    return createTransport(
      this.config,
      {
        spawn: owner === 'session' && this.prestarted ? this.prestarted.take : this.deps.spawn,
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
      },
      credential,
      shared,
    )
  }
}
