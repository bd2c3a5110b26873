/**
 * The readiness probe of the upstreams: a periodic GET of each enabled environment's WSDL (or its
 * configured probe path) through the environment's own dispatcher, so that it proves what a call
 * needs — DNS, TCP, the TLS handshake with the gateway's client credential, and an HTTP answer.
 * `start` is called from the ops plane's `onReady`, `stop` from its `onClose`.
 */
import type { Logger } from 'pino'
import { upstreamErrorKind } from './upstream-errors.js'
import type { Upstream as FullUpstream } from './upstreams.js'

/** What the probe needs of an upstream: it probes with the default credential. */
type Upstream = Pick<FullUpstream, 'name' | 'origin' | 'probePath' | 'dispatcher'>

export interface ProbeResult {
  ok: boolean
  /** ISO time of the probe */
  checkedAt: string
  statusCode?: number
  /** the failure kind (refused, dns, tls, timeout, …) or `status` for a 5xx answer */
  error?: string
}

export interface UpstreamProber {
  start (): void
  stop (): void
  /** runs one probe of every upstream now */
  probeAll (): Promise<void>
  /** last result per environment; absent until the first probe completes */
  results (): ReadonlyMap<string, ProbeResult>
}

export interface ProberOptions {
  intervalMs: number
  timeoutMs: number
  clock: () => Date
  logger: Logger
  onResult?: (env: string, result: ProbeResult) => void
}

async function probeOne (upstream: Upstream, options: ProberOptions): Promise<ProbeResult> {
  const checkedAt = options.clock().toISOString()
  try {
    const res = await upstream.dispatcher.request({
      origin: upstream.origin,
      path: upstream.probePath,
      method: 'GET',
      // Not retried (retryConnect retries idempotent requests): a probe reports what it finds.
      idempotent: false,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      signal: AbortSignal.timeout(options.timeoutMs)
    })
    // The body is not needed: drain it so the connection returns to the pool.
    await res.body.dump()
    return res.statusCode < 500 ? { ok: true, checkedAt, statusCode: res.statusCode } : { ok: false, checkedAt, statusCode: res.statusCode, error: 'status' }
  } catch (err) {
    return { ok: false, checkedAt, error: upstreamErrorKind(err) }
  }
}

export function createUpstreamProber (upstreams: Iterable<Upstream>, options: ProberOptions): UpstreamProber {
  const list = [...upstreams]
  const results = new Map<string, ProbeResult>()
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined

  const probeAll = async (): Promise<void> => {
    await Promise.all(list.map(async (upstream) => {
      const result = await probeOne(upstream, options)
      const previous = results.get(upstream.name)
      if (previous?.ok !== result.ok) {
        options.logger[result.ok ? 'info' : 'warn']({ env: upstream.name, probe: result }, result.ok ? 'upstream reachable' : 'upstream unreachable')
      }
      results.set(upstream.name, result)
      options.onResult?.(upstream.name, result)
    }))
  }

  const tick = (): void => {
    // Never two probes of the same upstream at once, whatever the interval.
    if (running !== undefined) return
    running = probeAll().finally(() => { running = undefined })
  }

  return {
    start () {
      if (timer !== undefined) return
      tick()
      timer = setInterval(tick, options.intervalMs)
      timer.unref()
    },
    stop () {
      if (timer !== undefined) clearInterval(timer)
      timer = undefined
    },
    probeAll,
    results: () => results
  }
}
