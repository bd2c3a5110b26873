/** `/metrics`: the gateway's registry in the Prometheus text format. */
import type { FastifyInstance } from 'fastify'
import type { Registry } from 'prom-client'

export function metricsRoute (registry: Registry) {
  return async function metrics (app: FastifyInstance): Promise<void> {
    app.get('/metrics', async (_request, reply) => {
      return await reply.type(registry.contentType).send(await registry.metrics())
    })
  }
}
