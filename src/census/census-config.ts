/**
 * The `census` section of the configuration, as the options of `buildTlsCensus`. The section
 * itself (names, defaults, bounds) is declared in `config/schema.ts`; documented in
 * docs/tls-census.md.
 */
import type { GatewayConfig } from '../config/schema.js'
import type { TlsCensusOptions } from './tls-census.js'

export type CensusConfig = GatewayConfig['census']

const DAY_MS = 86_400_000

/** The census options a validated `census` section asks for. */
export function tlsCensusOptions (census: CensusConfig): TlsCensusOptions {
  return {
    census: {
      file: census.file,
      flushIntervalMs: census.flushIntervalMs,
      readyAfterMs: Math.round(census.readyAfterDays * DAY_MS),
      maxClients: census.maxClients,
      maxRowsPerAddress: census.maxRowsPerAddress,
      newRowsPerAddress: { burst: census.newRowsPerAddress.burst, ratePerHour: census.newRowsPerAddress.ratePerHour },
      snapshotIntervalMs: census.snapshotIntervalMs,
      maxSnapshots: census.maxSnapshots
    },
    inspector: {
      helloTimeoutMs: census.helloTimeoutMs,
      maxHelloBytes: census.maxHelloBytes,
      maxRecords: census.maxHelloRecords
    },
    log: {
      ratePerSecond: census.log.ratePerSecond,
      burst: census.log.burst
    }
  }
}
