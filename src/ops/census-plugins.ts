/**
 * The census's routes and the ops page, as the ops-plane plugins `buildGateway` registers
 * (`deps.opsPlugins`): `GET /ops/tls/clients`, `/ops/tls/report.csv`, `/ops/tls/summary`,
 * `GET /ops/overview` and the page at `/`.
 */
import type { FastifyPluginAsync } from 'fastify'
import type { Registry } from 'prom-client'
import type { TlsCensus } from '../census/tls-census.js'
import { censusRoutes } from './census-routes.js'
import { opsPage } from './page.js'

export function censusOpsPlugins (tlsCensus: TlsCensus, options: { registry: Registry, metricsPrefix?: string, clock?: () => Date }): FastifyPluginAsync[] {
  return [
    censusRoutes({ census: tlsCensus.census, ...options }),
    opsPage({ registry: options.registry, ...(options.metricsPrefix === undefined ? {} : { metricsPrefix: options.metricsPrefix }) })
  ]
}
