/**
 * The SNE école simulator: `buildSimulator(options, deps)` returns its HTTPS service (mutual
 * TLS, TLS 1.2 minimum, as the SNE) and its plain-HTTP admin API, neither listening: the caller
 * listens (`await sim.app.listen({ host: '127.0.0.1', port: 0 })`) and calls `close()`.
 *
 * Built on `soap/` and `contract/`: the spec validates each request and the codec writes each
 * answer; the simulator adds the SNE's behaviour (demande-service.ts) over its store.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Server as HttpsServer } from 'node:https'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { InterfaceSpec } from '../contract/types.js'
import { adminRoutes } from './admin-routes.js'
import { type Clock, systemClock } from './clock.js'
import { createCallCounters } from './counters.js'
import { createDemandeService } from './demande-service.js'
import { createFaultInjector } from './faults.js'
import { type SimulatorOptions, resolveOptions } from './options.js'
import { generateDemandes } from './seed.js'
import { createSoapHandler } from './soap-handler.js'
import { soapRoutes } from './soap-routes.js'
import { openStore } from './store.js'
import { createWsdlPublication } from './wsdl-publication.js'

export type { SimulatorOptions } from './options.js'
export type { FaultRuleInput, FaultKind } from './faults.js'
export { SERVICE_PATH } from './wsdl-publication.js'

export interface SimulatorDeps {
  /** the loaded interface specification (loadSpec); the caller disposes of it */
  spec: InterfaceSpec
  /** "now" for every date and window; the system clock by default */
  clock?: Clock
  logger?: Logger
  /** uniform in [0, 1) for probabilistic fault rules; Math.random by default */
  random?: () => number
}

export interface Simulator {
  /** the SNE service over HTTPS with client certificates, not listening */
  app: FastifyInstance<HttpsServer, IncomingMessage, ServerResponse, FastifyBaseLogger>
  /** the admin API over plain HTTP (bind it to loopback), not listening */
  admin: FastifyInstance
  /** closes both servers, then the store */
  close (): Promise<void>
}

/** Builds the simulator. Throws GW_SIM_OPTIONS_INVALID or GW_SIM_STORE_… errors. */
export async function buildSimulator (options: SimulatorOptions, deps: SimulatorDeps): Promise<Simulator> {
  const resolved = resolveOptions(options)
  const clock = deps.clock ?? systemClock
  const { spec } = deps
  const store = openStore({ file: resolved.dataFile })
  try {
    const answerVersion = [...spec.interfaceVersions].sort().at(-1) ?? '02.01'
    const service = createDemandeService({ store, clock, answerVersion })
    const counts = store.counts()
    if (resolved.seed > 0 && counts.ACTIVE + counts.RADIEE + counts.SUPPRIMEE === 0) {
      // Seeding fills an empty store only: a restart on a data file keeps what is there.
      store.transaction(() => {
        for (const d of generateDemandes(resolved.seed, resolved.seedRandom, clock())) service.createAt(d.demandeLogement, answerVersion, d.createdAt)
      })
      service.sweep()
    }
    const faults = createFaultInjector({ operations: [...spec.operations.keys()], ...(deps.random === undefined ? {} : { random: deps.random }) })
    for (const rule of resolved.faults) faults.add(rule)
    const counters = createCallCounters(clock)
    const handler = createSoapHandler({ spec, service })
    const publication = createWsdlPublication(spec)
    const closing = new AbortController()

    const logging = deps.logger === undefined ? { logger: false as const } : { loggerInstance: deps.logger as FastifyBaseLogger }
    const app = Fastify({
      ...logging,
      https: {
        cert: resolved.tls.cert,
        key: resolved.tls.key,
        ca: resolved.tls.ca,
        minVersion: 'TLSv1.2',
        // As the SNE: a client without a certificate signed by the CA never gets past the handshake.
        requestCert: true,
        rejectUnauthorized: true
      },
      bodyLimit: resolved.bodyLimit,
      routerOptions: { ignoreTrailingSlash: true }
    })
    await app.register(soapRoutes, { spec, handler, faults, counters, publication, bodyLimit: resolved.bodyLimit, publicUrl: resolved.publicUrl, closing: closing.signal })
    const admin = Fastify({ ...logging })
    await admin.register(adminRoutes, { faults, counters, store })

    let closed: Promise<void> | undefined
    return {
      app,
      admin,
      async close () {
        closed ??= (async () => {
          closing.abort()
          try {
            await Promise.all([app.close(), admin.close()])
          } finally {
            store.close()
          }
        })()
        await closed
      }
    }
  } catch (err) {
    store.close()
    throw err
  }
}
