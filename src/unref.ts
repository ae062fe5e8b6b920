/** A timer that must not keep the process alive by itself (Node and Bun timers have `unref`; Workers' do not). */
export function unref<T>(timer: T): T {
  ;(timer as { unref?: () => void }).unref?.()
  return timer
}
