import { bodyLimit } from 'hono/body-limit'
import { errorResponse, proxyErrors } from '../errors.ts'
import type { ProxyMetrics } from '../metrics/proxy-metrics.ts'

/** Refuses bodies over the limit with 413, before any of it is parsed. */
export function limitBody(maxSize: number, metrics: ProxyMetrics) {
  return bodyLimit({
    maxSize,
    onError: () => {
      metrics.rejected.inc({ reason: 'too_large' })
      return errorResponse(proxyErrors.payloadTooLarge(maxSize))
    },
  })
}
