/**
 * The gateway's metrics: one prom-client `Registry` per gateway instance (never the global default
 * registry, so that two gateways in one process — tests — never mix or collide), with the process
 * metrics and the data plane's counters and histograms. Exposed by the ops plane at `/metrics`.
 * Label values are bounded sets (environment names, operation names, outcomes, codes, kinds), never
 * client text.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

/** What became of a data-plane call (label `outcome`). */
export type Outcome =
  /** forwarded, and the upstream answered */
  | 'forwarded'
  /** refused by validation: a Fault, nothing forwarded */
  | 'invalid'
  /** validate-only call answered */
  | 'validated'
  /** WSDL or XSD served */
  | 'published'
  /** refused before validation: unknown environment, identity not allowed, size, media type, route */
  | 'refused'
  /** the upstream failed before a complete answer */
  | 'upstream_error'
  /** a write failed after it was sent: the upstream may have done it (audit record) */
  | 'outcome_unknown'
  /** the client went away before the answer */
  | 'aborted'
  /** the gateway failed */
  | 'error'

export interface GatewayMetrics {
  readonly registry: Registry
  readonly requests: Counter<'env' | 'operation' | 'outcome' | 'status'>
  readonly duration: Histogram<'env' | 'operation' | 'outcome'>
  readonly upstreamDuration: Histogram<'env' | 'operation'>
  readonly validationDuration: Histogram<'operation'>
  readonly validationFailures: Counter<'env' | 'operation' | 'code' | 'mode'>
  readonly validationWorkerRestarts: Counter
  /** identify-only checks (mode off) on the event loop: `answered` by the byte scanner, `deferred` to the full decode */
  readonly identifyScans: Counter<'result'>
  readonly schemaFallbacks: Gauge<'version'>
  readonly guichetRefusals: Counter<'env' | 'identity' | 'code'>
  readonly limitRefusals: Counter<'env' | 'limit' | 'scope'>
  /** request-body bytes held by the calls in progress; reads what `bodyBytesSource` is set to */
  readonly bodyBytesInFlight: Gauge
  /** where `bodyBytesInFlight` reads from (the data plane's body budget), set once it is built */
  bodyBytesSource: () => number
  readonly responseDrift: Counter<'env' | 'operation' | 'code'>
  readonly upstreamErrors: Counter<'env' | 'kind'>
  readonly upstreamRetries: Counter<'env' | 'operation'>
  readonly upstreamUp: Gauge<'env'>
  readonly upstreamShed: Counter<'env' | 'reason'>
  /** calls waiting for an upstream connection; reads what `upstreamWaitingSource` is set to */
  readonly upstreamWaiting: Gauge<'env'>
  /** per environment, the calls waiting now (set once the upstreams are built) */
  upstreamWaitingSource: () => Iterable<[string, number]>
  /** 1 per store whose last statement succeeded; reads what `storeUpSource` is set to */
  readonly storeUp: Gauge<'store' | 'backend'>
  /** each store and its state, set once the stores are open */
  storeUpSource: () => Iterable<{ store: string, backend: string, up: boolean }>
  readonly storeErrors: Counter<'store' | 'backend' | 'operation'>
  readonly inflight: Gauge
  readonly tlsHandshakes: Counter<'version'>
  readonly clientCertificateRefusals: Counter<'reason'>
  readonly upstreamPools: Gauge
  readonly reloads: Counter<'trigger' | 'result'>
  readonly reloadedAt: Gauge
  readonly connectionsRefused: Counter<'reason'>
  readonly idempotency: Counter<'env' | 'outcome'>
}

const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

/** Creates a registry with every metric of the gateway and the process metrics. */
export function createMetrics (options: { prefix?: string } = {}): GatewayMetrics {
  const p = options.prefix ?? 'sne_gateway_'
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: p })
  const registers = [registry]
  const metrics: GatewayMetrics = {
    registry,
    bodyBytesSource: () => 0,
    upstreamWaitingSource: () => [],
    storeUpSource: () => [],
    requests: new Counter({ name: `${p}requests_total`, help: 'Data-plane calls by environment, operation, outcome and HTTP status', labelNames: ['env', 'operation', 'outcome', 'status'], registers }),
    duration: new Histogram({ name: `${p}request_duration_seconds`, help: 'Data-plane call duration, from request to last response byte', labelNames: ['env', 'operation', 'outcome'], buckets: SECONDS, registers }),
    upstreamDuration: new Histogram({ name: `${p}upstream_duration_seconds`, help: 'Upstream time to response headers', labelNames: ['env', 'operation'], buckets: SECONDS, registers }),
    validationDuration: new Histogram({ name: `${p}validation_duration_seconds`, help: 'Message validation duration, including the wait for a validation worker thread', labelNames: ['operation'], buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1], registers }),
    limitRefusals: new Counter({ name: `${p}limit_refusals_total`, help: 'Calls refused by a limit: limit rate, concurrency or body_memory; scope identity, guichet or total', labelNames: ['env', 'limit', 'scope'], registers }),
    bodyBytesInFlight: new Gauge({ name: `${p}body_bytes_in_flight`, help: 'Request-body bytes held by the data-plane calls in progress (dataPlane.bodyMemory)', registers, collect () { this.set(metrics.bodyBytesSource()) } }),
    guichetRefusals: new Counter({ name: `${p}guichet_refusals_total`, help: 'Calls refused because the caller may not act for the guichets or the demande the message names, by configured identity (else "unknown") and code', labelNames: ['env', 'identity', 'code'], registers }),
    schemaFallbacks: new Gauge({ name: `${p}schema_libxml2_versions`, help: 'Interface versions validated with libxml2 because their XSD has a construct the schema compiler does not support (1 per such version)', labelNames: ['version'], registers }),
    validationWorkerRestarts: new Counter({ name: `${p}validation_worker_restarts_total`, help: 'Validation worker threads replaced after they stopped', registers }),
    identifyScans: new Counter({ name: `${p}identify_scans_total`, help: 'Identify-only checks (validation mode off) made on the event loop, by who made them: answered by the byte scanner, deferred to the full decode, or failed (the scanner threw; the full decode answered)', labelNames: ['result'], registers }),
    validationFailures: new Counter({ name: `${p}validation_failures_total`, help: 'Validation violations by code (mode enforce: refused; report: forwarded anyway)', labelNames: ['env', 'operation', 'code', 'mode'], registers }),
    responseDrift: new Counter({ name: `${p}response_drift_total`, help: 'Upstream answers that do not match the interface specification (response validation in report mode), by violation code', labelNames: ['env', 'operation', 'code'], registers }),
    upstreamErrors: new Counter({ name: `${p}upstream_errors_total`, help: 'Upstream failures by kind (refused, reset, dns, tls, connect_timeout, timeout, unavailable, other)', labelNames: ['env', 'kind'], registers }),
    upstreamRetries: new Counter({ name: `${p}upstream_retries_total`, help: 'Read operations retried once after a connection-phase failure', labelNames: ['env', 'operation'], registers }),
    upstreamUp: new Gauge({ name: `${p}upstream_up`, help: '1 when the last readiness probe of the environment\'s upstream succeeded', labelNames: ['env'], registers }),
    upstreamShed: new Counter({ name: `${p}upstream_shed_total`, help: 'Calls refused with a 503 because the upstream\'s connections were busy: reason queue_full (too many waiting) or queue_timeout (waited too long)', labelNames: ['env', 'reason'], registers }),
    upstreamWaiting: new Gauge({ name: `${p}upstream_waiting_calls`, help: 'Calls waiting for an upstream connection (environments.<name>.upstream.queue)', labelNames: ['env'], registers, collect () { for (const [env, n] of metrics.upstreamWaitingSource()) this.set({ env }, n) } }),
    storeUp: new Gauge({ name: `${p}store_up`, help: '1 when the last statement of the store succeeded, 0 while it fails (store: idempotency or census; backend: sqlite or postgresql)', labelNames: ['store', 'backend'], registers, collect () { for (const s of metrics.storeUpSource()) this.set({ store: s.store, backend: s.backend }, s.up ? 1 : 0) } }),
    storeErrors: new Counter({ name: `${p}store_errors_total`, help: 'Failed statements of a store, by operation (begin, update, takeOver, release, get, list, purge; census merge, census read, census history; an fsync as "<operation>\'s fsync")', labelNames: ['store', 'backend', 'operation'], registers }),
    inflight: new Gauge({ name: `${p}inflight_requests`, help: 'Data-plane calls in progress', registers }),
    tlsHandshakes: new Counter({ name: `${p}tls_handshakes_total`, help: 'Successful data-plane TLS handshakes by negotiated version', labelNames: ['version'], registers }),
    clientCertificateRefusals: new Counter({ name: `${p}client_certificate_refusals_total`, help: 'Data-plane handshakes refused for their client certificate: revoked, expired, not_yet_valid, untrusted, missing, crl (the CRL itself is expired or unusable), other', labelNames: ['reason'], registers }),
    upstreamPools: new Gauge({ name: `${p}upstream_pools`, help: 'Upstream connection pools open: one per environment credential in use, plus those a reload replaced that still finish their calls', registers }),
    reloads: new Counter({ name: `${p}config_reloads_total`, help: 'Configuration reloads by trigger (sighup, crl) and result (applied, refused)', labelNames: ['trigger', 'result'], registers }),
    reloadedAt: new Gauge({ name: `${p}config_reloaded_timestamp_seconds`, help: 'When the running TLS material, credentials and guichet mapping were last loaded (start or reload), Unix seconds', registers }),
    idempotency: new Counter({ name: `${p}idempotency_total`, help: 'REST writes by what their Idempotency-Key decided: new, replayed, in_flight, key_reused, reconciled, resent, outcome_unknown', labelNames: ['env', 'outcome'], registers }),
    connectionsRefused: new Counter({ name: `${p}connections_refused_total`, help: 'Data-plane connections refused or closed by the listener\'s limits, by reason (max_connections, per_address, proxy_header, idle_before_request)', labelNames: ['reason'], registers })
  }
  return metrics
}
