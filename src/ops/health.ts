/**
 * `/health/live` (the process answers) and `/health/ready` (it can serve calls: the interface
 * specification is loaded, the gateway is not draining, and each enabled environment's upstream
 * answered its last periodic probe). The probe timer starts in `onReady` and stops in `onClose`.
 * The stores' state is shown but does not make the gateway unready: without its idempotency store
 * it still serves reads and SOAP calls, and refuses only the REST writes.
 */
import type { FastifyInstance } from 'fastify'
import type { UpstreamProber } from '../proxy/probe.js'
import type { InterfaceSpec } from '../contract/types.js'
import type { StoreStatus } from '../store/health.js'

export interface HealthOptions {
  spec: InterfaceSpec
  prober: UpstreamProber
  /** enabled environments, each expected in the probe results */
  environments: readonly string[]
  draining: () => boolean
  /** each store's state (`store/health.ts`) */
  stores?: () => Record<string, StoreStatus>
}

export function healthRoutes (options: HealthOptions) {
  return async function health (app: FastifyInstance): Promise<void> {
    app.addHook('onReady', async () => { options.prober.start() })
    app.addHook('onClose', async () => { options.prober.stop() })

    app.get('/health/live', async () => ({ status: 'live' }))

    app.get('/health/ready', async (_request, reply) => {
      const results = options.prober.results()
      const upstreams: Record<string, unknown> = {}
      let upstreamsOk = true
      for (const env of options.environments) {
        const result = results.get(env)
        upstreams[env] = result ?? { ok: false, error: 'not probed yet' }
        if (result?.ok !== true) upstreamsOk = false
      }
      const specOk = options.spec.operations.size > 0
      const draining = options.draining()
      const ready = specOk && upstreamsOk && !draining
      return await reply.code(ready ? 200 : 503).send({
        status: ready ? 'ready' : 'not_ready',
        draining,
        spec: { ok: specOk, operations: options.spec.operations.size, interfaceVersions: options.spec.interfaceVersions },
        upstreams,
        ...(options.stores === undefined ? {} : { stores: options.stores() })
      })
    })
  }
}
