import type { SessionSharing } from '../cluster/clustered-session.ts'
import { upstreamUnavailable } from '../forward/unavailable.ts'
import { probeLink, type UpstreamLink } from '../upstream/link.ts'
import { isSessionGone } from '../upstream/to-proxy-error.ts'
import type { SessionLinkOptions, Upstream } from '../upstream/upstream.ts'

/**
 * A session's link to a Streamable HTTP upstream in cluster mode: every replica serving the
 * session speaks in one upstream session, so an upstream that keeps state per session sees one
 * client. The first replica to need it opens it and records it; the others resume it by its id.
 * `check`: the recorded session is probed first (this replica's last link to it was lost), and
 * replaced if the upstream no longer knows it.
 */
export async function openSharedLink(
  upstream: Upstream,
  options: SessionLinkOptions,
  sharing: SessionSharing,
  check: boolean,
): Promise<UpstreamLink> {
  const { requestIdPrefix } = sharing
  const recorded = await sharing.upstreamSession(upstream)
  if (recorded) {
    const resumed = await upstream.openSessionLink({
      ...options,
      sharing: { requestIdPrefix, resume: recorded },
    })
    const gone = check && (await probeLink(resumed).then(() => false, isSessionGone))
    if (!gone) return resumed
    await resumed.disconnect()
  }
  const link = await upstream.openSessionLink({ ...options, sharing: { requestIdPrefix } })
  const opened = link.upstreamSession
  // Not a 2025-era session (a modern upstream's connection, borrowed): nothing to share.
  if (!opened) return link
  // Without Redis this replica goes on in a session of its own, which the others cannot learn of.
  const kept = await sharing.shareUpstreamSession(upstream, opened, recorded).catch(() => opened)
  if (kept?.id === opened.id) return link
  // Another replica recorded its session first (or the session ended): this one is ended.
  await link.close()
  if (!kept) throw upstreamUnavailable(upstream)
  return upstream.openSessionLink({ ...options, sharing: { requestIdPrefix, resume: kept } })
}
