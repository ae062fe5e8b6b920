import pkg from '../package.json' with { type: 'json' }

export const VERSION: string = pkg.version

/** How the proxy introduces itself to upstreams. */
export const PROXY_INFO = { name: 'proxmcp', version: VERSION }
