import { errorResponse, ProxyError, proxyErrors } from '../errors.ts'
import type { Logger } from '../logger.ts'
import type { ProxMCPContext, ProxMCPPlugin, ProxMCPResult, ProxMCPTool } from './types.ts'

/**
 * Runs plugin hooks in plugin order. A plugin that throws is logged and answered with an error
 * for that request; it never takes the proxy down.
 */
export class PluginPipeline {
  private plugins: ProxMCPPlugin[] = []
  /** The plugins with each per-request hook, so a request pays nothing for hooks no plugin has. */
  private withRequest: ProxMCPPlugin[] = []
  private withResponse: ProxMCPPlugin[] = []
  private withError: ProxMCPPlugin[] = []
  private withResult: ProxMCPPlugin[] = []
  private filters: ProxMCPPlugin[] = []
  private readonly initialized = new WeakSet<ProxMCPPlugin>()

  constructor(
    plugins: ProxMCPPlugin[],
    private readonly logger: Logger,
  ) {
    this.use(plugins)
  }

  /**
   * Swaps in a new plugin list (config reload) and closes the plugins it drops; call init() to
   * run the new plugins' onInit.
   */
  async replace(plugins: ProxMCPPlugin[]): Promise<void> {
    const dropped = this.plugins.filter((plugin) => !plugins.includes(plugin))
    this.use(plugins)
    await this.close(dropped)
  }

  private use(plugins: ProxMCPPlugin[]): void {
    this.plugins = plugins
    this.withRequest = plugins.filter((plugin) => plugin.onRequest)
    this.withResponse = plugins.filter((plugin) => plugin.onResponse)
    this.withError = plugins.filter((plugin) => plugin.onError)
    this.withResult = plugins.filter((plugin) => plugin.onResult)
    this.filters = plugins.filter((plugin) => plugin.filterTools)
  }

  /** Runs onClose, for every plugin or the ones given. */
  async close(plugins = this.plugins): Promise<void> {
    for (const plugin of plugins) {
      try {
        await plugin.onClose?.()
      } catch (error) {
        this.logger.error(`plugin '${plugin.name}' failed in onClose: ${describe(error)}`)
      }
    }
  }

  /** Runs onInit once per plugin, in plugin order. */
  async init(): Promise<void> {
    for (const plugin of this.plugins) {
      if (this.initialized.has(plugin)) continue
      this.initialized.add(plugin)
      await plugin.onInit?.()
    }
  }

  /** The first Response a plugin returns ends the request; undefined lets it through. */
  async onRequest(ctx: ProxMCPContext, request: Request): Promise<Response | undefined> {
    for (const plugin of this.withRequest) {
      try {
        const answer = plugin.onRequest?.(ctx, request)
        const response = answer instanceof Promise ? await answer : answer
        if (response) return response
      } catch (error) {
        this.logger.error(`plugin '${plugin.name}' failed in onRequest: ${describe(error)}`)
        return errorResponse(proxyErrors.pluginFailed(plugin.name), ctx.rpc?.id ?? null)
      }
    }
    return undefined
  }

  /** Observers only: they get the status and headers, never a body they could consume. */
  async onResponse(ctx: ProxMCPContext, response: Response, durationMs: number): Promise<void> {
    if (this.withResponse.length === 0) return
    const observed = new Response(null, { status: response.status, headers: response.headers })
    await this.each(this.withResponse, 'onResponse', (plugin) =>
      plugin.onResponse?.(ctx, observed, durationMs),
    )
  }

  async onError(ctx: ProxMCPContext, error: unknown): Promise<void> {
    await this.each(this.withError, 'onError', (plugin) => plugin.onError?.(ctx, error))
  }

  /** Whether a plugin rewrites results: then every result must pass through `onResult`. */
  get hasResultHooks(): boolean {
    return this.withResult.length > 0
  }

  /**
   * Each `onResult` in plugin order, on what the one before returned. A hook that throws fails
   * the call: a ProxyError as it is (a guardrail's verdict), anything else as the plugin's failure.
   */
  async onResult(ctx: ProxMCPContext, result: ProxMCPResult): Promise<ProxMCPResult> {
    let current = result
    for (const plugin of this.withResult) {
      try {
        current = (await plugin.onResult?.(ctx, current)) ?? current
      } catch (error) {
        if (error instanceof ProxyError) throw error
        this.logger.error(`plugin '${plugin.name}' failed in onResult: ${describe(error)}`)
        throw proxyErrors.pluginFailed(plugin.name)
      }
    }
    return current
  }

  /** Fails closed: a filter that throws fails the request rather than showing what it would hide. */
  filterTools(tools: ProxMCPTool[], ctx: ProxMCPContext | undefined): ProxMCPTool[] {
    let current = tools
    for (const plugin of this.filters) {
      try {
        current = plugin.filterTools?.(current, ctx) ?? current
      } catch (error) {
        this.logger.error(`plugin '${plugin.name}' failed in filterTools: ${describe(error)}`)
        throw proxyErrors.pluginFailed(plugin.name)
      }
    }
    return current
  }

  /** Awaits only the hooks that return a promise: most observers (the logger) are synchronous. */
  private async each(
    plugins: ProxMCPPlugin[],
    hook: string,
    run: (plugin: ProxMCPPlugin) => unknown,
  ): Promise<void> {
    for (const plugin of plugins) {
      try {
        const done = run(plugin)
        if (done instanceof Promise) await done
      } catch (error) {
        this.logger.error(`plugin '${plugin.name}' failed in ${hook}: ${describe(error)}`)
      }
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
