/**
 * The upstreams of the configured environments, built once at start: each enabled environment's
 * dispatcher composed with the request-phase and retry interceptors. Closed by the data plane's
 * `onClose` (in-flight calls finish; `close` waits for them).
 */
import type { Dispatcher } from 'undici'
import type { GatewayConfig } from '../config/schema.js'
import { requestPhase } from './interceptors/request-phase.js'
import { retryConnect } from './interceptors/retry-connect.js'
import { createUpstreamPool, readUpstreamTlsMaterial, type DispatcherFactory, type UpstreamDefinition } from './upstream-pool.js'

export interface Upstream extends UpstreamDefinition {
  /** the composed dispatcher every call goes through */
  readonly dispatcher: Dispatcher
  /** path and query of the readiness probe (GET) */
  readonly probePath: string
}

export interface Upstreams {
  /** enabled environments only */
  readonly byName: ReadonlyMap<string, Upstream>
  /** closes every dispatcher, letting in-flight requests finish */
  close (): Promise<void>
  /** aborts whatever is still in flight */
  destroy (): Promise<void>
}

export interface UpstreamsOptions {
  createDispatcher?: DispatcherFactory
  /** a read was retried after a connection-phase failure */
  onRetry?: (env: string, err: Error) => void
}

/** Builds the upstream of every enabled environment. */
export async function buildUpstreams (config: GatewayConfig, options: UpstreamsOptions = {}): Promise<Upstreams> {
  const factory = options.createDispatcher ?? createUpstreamPool
  const byName = new Map<string, Upstream>()
  const bases: Dispatcher[] = []
  for (const [name, env] of Object.entries(config.environments)) {
    if (!env.enabled) continue
    const url = new URL(env.upstream.url)
    const definition: UpstreamDefinition = { name, origin: url.origin, path: url.pathname, config: env, tls: await readUpstreamTlsMaterial(name, env) }
    const base = factory(definition)
    bases.push(base)
    // Order matters: retryConnect (outer) must see the phase requestPhase (inner) records per attempt.
    const dispatcher = base.compose(requestPhase(), retryConnect({ onRetry: (err) => options.onRetry?.(name, err) }))
    byName.set(name, { ...definition, dispatcher, probePath: env.upstream.probePath ?? `${url.pathname}?wsdl` })
  }
  return {
    byName,
    async close () {
      await Promise.all(bases.map(async (d) => { await d.close() }))
    },
    async destroy () {
      await Promise.all(bases.map(async (d) => { await d.destroy() }))
    }
  }
}
