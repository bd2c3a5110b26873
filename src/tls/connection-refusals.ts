/**
 * What the data-plane listener refuses (`RefusalReason`), counted and logged: the counter
 * `sne_gateway_connections_refused_total{reason}` for every one, and a warn line
 * (`event: "connection_refused"`, the reason and the client address) within a token bucket, so
 * that a flood of connections cannot flood the logs too. The lines left out are counted and the
 * count rides on the next line that passes (`suppressed`). Nothing of the connection is logged:
 * it sent nothing that was read, or only a PROXY header.
 */
import type { Logger } from 'pino'
import type { Counter } from 'prom-client'
import { createLogBudget } from '../observability/log-budget.js'
import type { RefusalReason } from './listener.js'

export interface RefusalReporterOptions {
  /** lines per second once the burst is spent (default 5) */
  ratePerSecond?: number
  /** lines allowed at once (default 20) */
  burst?: number
}

const MESSAGES: Record<RefusalReason, string> = {
  max_connections: 'connection refused: maxConnections reached',
  per_address: 'connection refused: too many connections from this address',
  proxy_header: 'connection closed: bad or missing PROXY header from a trusted balancer',
  idle_before_request: 'connection closed: no request in time'
}

export function createRefusalReporter (
  options: RefusalReporterOptions,
  deps: { counter: Counter<'reason'>, logger: Logger, now?: () => number }
): (reason: RefusalReason, address: string) => void {
  const budget = createLogBudget(options.ratePerSecond ?? 5, options.burst ?? 20, deps.now)
  let suppressed = 0
  return (reason, address) => {
    deps.counter.inc({ reason })
    if (!budget.take()) {
      suppressed++
      return
    }
    deps.logger.warn({ event: 'connection_refused', reason, remoteAddress: address, ...(suppressed > 0 ? { suppressed } : {}) }, MESSAGES[reason])
    suppressed = 0
  }
}
