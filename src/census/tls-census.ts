/**
 * The legacy-TLS census assembled: the census and its store, its metrics, the rate-limited
 * rejection log, and the inspector that feeds them, for `buildGateway` to wire between the data
 * plane's TCP listener and its HTTPS server:
 *
 *   const tlsCensus = buildTlsCensus(options, { logger, registry, clock })
 *   createDataPlaneListener(httpsServer, { inspect: tlsCensus.inspect })
 *   tlsCensus.attach(httpsServer, identify)        before listening
 *   … after the listener closed: tlsCensus.close()
 */
import type { Server as TlsServer, TLSSocket } from 'node:tls'
import type pg from 'pg'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import { createCensus, type Census, type CensusOptions, type EvictionReason } from './census.js'
import { createCensusMetrics, type CensusMetrics } from './census-metrics.js'
import { postgresCensusStore } from './postgres-census-store.js'
import type { StoreObserver } from '../store/health.js'
import { createInspector, type HandshakeRecord, type Inspector, type InspectorOptions } from './inspector.js'
import { createRejectionLog, type RejectionLog, type RejectionLogOptions } from './rejection-log.js'

export interface TlsCensusOptions {
  census?: CensusOptions
  inspector?: InspectorOptions
  log?: RejectionLogOptions
}

export interface TlsCensusDeps {
  logger: Logger
  /** the gateway's metrics registry */
  registry: Registry
  /** metric name prefix (default `sne_gateway_`) */
  metricsPrefix?: string
  clock?: () => Date
}

export interface TlsCensus {
  readonly census: Census
  readonly metrics: CensusMetrics
  readonly log: RejectionLog
  /** the data-plane listener's `inspect` hook (`tls/listener.ts` ConnectionInspector) */
  readonly inspect: Inspector['inspect']
  /** follows the handshakes of the server `inspect` hands sockets to; call before listening */
  attach (server: TlsServer, identify?: (socket: TLSSocket) => string | undefined): void
  /** connections still sending their hello */
  readonly pending: number
  /** feeds one connection's record to the census, the metrics and the log */
  observe (record: HandshakeRecord): void
  /** moves the census to the shared store on `pool` (`store.url`); `observer` hears each statement's outcome */
  share (pool: pg.Pool, observer?: StoreObserver): Promise<void>
  /** writes what is pending to the shared store, before its pool closes */
  settle (): Promise<void>
  /** closes the hellos in progress, writes what is pending and closes the store */
  close (): void
}

/** Opens the census store (throws `GW_TLS_CENSUS_STORE` when it cannot) and assembles the rest. */
export function buildTlsCensus (options: TlsCensusOptions, deps: TlsCensusDeps): TlsCensus {
  // The metrics need the census (its gauge reads it) and count its evictions: bound once both exist.
  let evicted: (reason: EvictionReason) => void = () => {}
  const census = createCensus(options.census ?? {}, { logger: deps.logger, onEvict: (reason) => { evicted(reason) }, ...(deps.clock === undefined ? {} : { clock: deps.clock }) })
  const metrics = createCensusMetrics(deps.registry, { census, ...(deps.metricsPrefix === undefined ? {} : { prefix: deps.metricsPrefix }) })
  evicted = (reason) => { metrics.evictions.inc({ reason }) }
  const log = createRejectionLog(options.log ?? {}, {
    logger: deps.logger,
    ...(deps.clock === undefined ? {} : { clock: deps.clock }),
    onSuppressed: () => metrics.suppressedLogLines.inc()
  })
  const timer = setInterval(() => log.flush(), options.census?.flushIntervalMs ?? 5000)
  timer.unref()

  function observe (record: HandshakeRecord): void {
    census.observe(record)
    metrics.observe(record)
    log.log(record)
  }

  const inspector = createInspector(options.inspector ?? {}, {
    onRecord: observe,
    ...(deps.clock === undefined ? {} : { clock: deps.clock })
  })

  let closed = false
  return {
    census,
    metrics,
    log,
    inspect: inspector.inspect,
    attach: (server, identify) => { inspector.attach(server, identify) },
    get pending () { return inspector.pending },
    observe,
    share: async (pool, observer) => { await census.share(postgresCensusStore(pool, observer)) },
    settle: async () => { await census.settle() },
    close () {
      if (closed) return
      closed = true
      clearInterval(timer)
      inspector.close()
      log.flush()
      census.close()
    }
  }
}
