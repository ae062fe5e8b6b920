import { bodyLimit } from 'hono/body-limit'
import { jsonRpcErrorResponse } from '../errors.ts'
import type { ProxyMetrics } from '../metrics/proxy-metrics.ts'

/** Refuses bodies over the limit with 413, before any of it is parsed. */
export function limitBody(maxSize: number, metrics: ProxyMetrics) {
  return bodyLimit({
    maxSize,
    onError: () => {
      metrics.rejected.inc({ reason: 'too_large' })
      return jsonRpcErrorResponse(413, -32000, `Payload Too Large: the limit is ${maxSize} bytes`)
    },
  })
}
