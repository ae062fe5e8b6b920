/**
 * How long an answer waits after notifications on the same event stream. SDK clients handle the
 * notifications of one read a turn after its answer, and drop progress for a request already
 * answered: the answer must arrive in a later read. A turn of the event loop is not enough when
 * the client is busy (its next read then takes both); a few milliseconds are, in practice.
 */
const SETTLE_MS = 5

/** Resolves when an answer may follow the notifications written before it. */
export function notificationsFirst(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, SETTLE_MS))
}
