import { unref } from '../unref.ts'

/**
 * Tells of spans lost on the way to the collector without a line per batch: the first loss at
 * once, then what was lost since, at most once a minute.
 */
export function lossReport(warn: (message: string) => void, everyMs = 60_000) {
  let lost = 0
  let reason = ''
  let quietUntil = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  const tell = () => {
    timer = undefined
    quietUntil = Date.now() + everyMs
    warn(`tracing: ${lost} spans were not exported (${reason})`)
    lost = 0
  }
  return (spans: number, why: string) => {
    lost += spans
    reason = why
    if (Date.now() >= quietUntil) tell()
    else if (!timer) timer = unref(setTimeout(tell, quietUntil - Date.now()))
  }
}
