/**
 * One log line per refused connection, rate-limited by a token bucket so that a scan cannot flood
 * the logs: lines beyond the budget are counted, and the count goes out with the next line that
 * passes (`suppressed`), or on its own at the next `flush`. Fields are the census's: address, SNI,
 * offered version, reason, JA3/JA4; never a byte of the connection beyond the ClientHello's.
 * Connections closed without a byte (health checks) are not logged.
 */
import type { Logger } from 'pino'
import { createLogBudget } from '../observability/log-budget.js'
import type { HandshakeRecord } from './inspector.js'
import { ja3Hash, ja3Text } from './ja3.js'
import { isLegacyVersion, versionName } from './tls-versions.js'

export interface RejectionLogOptions {
  /** lines per second once the burst is spent (default 5) */
  ratePerSecond?: number
  /** lines allowed at once (default 20) */
  burst?: number
}

export interface RejectionLog {
  log (record: HandshakeRecord): void
  /** writes the pending suppressed count, if any */
  flush (): void
  /** lines suppressed since the last line written */
  readonly suppressed: number
}

export function createRejectionLog (options: RejectionLogOptions, deps: { logger: Logger, clock?: () => Date, onSuppressed?: () => void }): RejectionLog {
  const rate = options.ratePerSecond ?? 5
  const burst = options.burst ?? 20
  const clock = deps.clock
  const now = clock === undefined ? Date.now : () => clock().getTime()
  const logger = deps.logger
  const budget = createLogBudget(rate, burst, now)
  let suppressed = 0

  return {
    get suppressed () { return suppressed },
    log (record) {
      if (record.outcome === 'success' || record.reason === 'empty') return
      if (!budget.take()) {
        suppressed++
        deps.onSuppressed?.()
        return
      }
      const offered = record.offeredVersion
      const fields = {
        event: 'tls_rejected',
        remoteAddress: record.remoteAddress,
        outcome: record.outcome,
        reason: record.reason,
        offeredVersion: offered === undefined ? undefined : versionName(offered),
        sni: record.hello?.sni,
        ja4: record.ja4,
        ja3: record.hello === undefined ? undefined : ja3Hash(ja3Text(record.hello)),
        ...(suppressed > 0 ? { suppressed } : {})
      }
      suppressed = 0
      const msg = offered !== undefined && isLegacyVersion(offered)
        ? 'legacy TLS handshake refused'
        : record.outcome === 'failure' ? 'TLS handshake failed' : 'non-TLS connection closed'
      logger.warn(fields, msg)
    },
    flush () {
      if (suppressed === 0) return
      logger.warn({ event: 'tls_rejected_suppressed', suppressed }, 'TLS rejection log lines suppressed by the rate limit')
      suppressed = 0
    }
  }
}
