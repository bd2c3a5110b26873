/**
 * The census's metrics, on the gateway's prom-client registry: every inspected connection by
 * negotiated version and outcome, every refusal by offered version and reason, and the addresses
 * of the census by readiness. Label values are bounded: version names, three outcomes, the
 * parser's and inspector's reasons and OpenSSL's reason table (slugs cut at 64 characters).
 */
import { Counter, Gauge, type Registry } from 'prom-client'
import type { Census } from './census.js'
import type { HandshakeRecord } from './inspector.js'
import { versionName } from './tls-versions.js'

export interface CensusMetrics {
  readonly handshakes: Counter<'version' | 'outcome'>
  readonly rejections: Counter<'offered_version' | 'reason'>
  readonly suppressedLogLines: Counter
  readonly evictions: Counter<'reason'>
  observe (record: HandshakeRecord): void
}

/** Registers the census metrics on `registry` (names `<prefix>tls_…`, prefix `sne_gateway_` by default). */
export function createCensusMetrics (registry: Registry, options: { prefix?: string, census?: Census } = {}): CensusMetrics {
  const p = options.prefix ?? 'sne_gateway_'
  const registers = [registry]
  const handshakes = new Counter({
    name: `${p}tls_census_handshakes_total`,
    help: 'Data-plane connections seen by the ClientHello inspector, by negotiated TLS version (none when not established) and outcome (success, failure: refused by node:tls, rejected: never reached it)',
    labelNames: ['version', 'outcome'] as const,
    registers
  })
  const rejections = new Counter({
    name: `${p}tls_rejections_total`,
    help: 'Data-plane connections not established, by highest TLS version offered (none without a ClientHello) and reason',
    labelNames: ['offered_version', 'reason'] as const,
    registers
  })
  const suppressedLogLines = new Counter({
    name: `${p}tls_rejection_log_suppressed_total`,
    help: 'Rejection log lines left out by the rate limit',
    registers
  })
  const evictions = new Counter({
    name: `${p}tls_census_evictions_total`,
    help: 'Census rows evicted, by reason: address_budget (a new row of an address at census.maxRowsPerAddress), capacity (a new row beyond census.maxClients); and rows not made: address_rate (a new row of an address beyond census.newRowsPerAddress, nothing evicted)',
    labelNames: ['reason'] as const,
    registers
  })
  const census = options.census
  if (census !== undefined) {
    // The gauge is computed when scraped, from the census itself: nothing to keep in step.
    const addresses = new Gauge({
      name: `${p}tls_census_addresses`,
      help: 'Client addresses in the TLS census by readiness (legacy-only, migrating, ready, other)',
      labelNames: ['status'] as const,
      registers,
      collect () {
        for (const [status, n] of Object.entries(census.summary().addresses)) this.set({ status }, n)
      }
    })
    void addresses
  }
  return {
    handshakes,
    rejections,
    suppressedLogLines,
    evictions,
    observe (record) {
      if (record.outcome === 'success') {
        handshakes.inc({ version: record.negotiatedVersion ?? 'unknown', outcome: 'success' })
        return
      }
      if (record.reason !== 'empty') handshakes.inc({ version: 'none', outcome: record.outcome })
      rejections.inc({ offered_version: record.offeredVersion === undefined ? 'none' : versionName(record.offeredVersion), reason: record.reason ?? 'unknown' })
    }
  }
}
