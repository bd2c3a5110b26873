/**
 * The ops plane: a separate plain-HTTP Fastify instance (loopback by default) for health, metrics
 * and the routes other capabilities add (the legacy-TLS census). Routes are registered from
 * separate modules, each a Fastify plugin; `buildOpsPlane` never listens.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import { healthRoutes, type HealthOptions } from './health.js'
import { metricsRoute } from './metrics.js'
import { installOpsAccess, type OpsAccessOptions } from './access.js'

export interface OpsPlaneOptions {
  logger: Logger
  registry: Registry
  health: HealthOptions
  /** further ops routes (census API, report, page), registered after health and metrics */
  plugins?: readonly FastifyPluginAsync[]
  /** the Host check and the bearer token (ops/access.ts); absent: neither */
  access?: OpsAccessOptions
}

export async function buildOpsPlane (options: OpsPlaneOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger.child({ plane: 'ops' }) as FastifyBaseLogger,
    // Probes and scrapes every few seconds: no access line for each.
    logController: new LogController({ disableRequestLogging: true })
  })
  if (options.access !== undefined) installOpsAccess(app, options.access)
  await app.register(healthRoutes(options.health))
  await app.register(metricsRoute(options.registry))
  for (const plugin of options.plugins ?? []) await app.register(plugin)
  return app
}
