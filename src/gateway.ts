/**
 * `buildGateway(config, deps)`: builds the data plane (HTTPS Fastify behind the TCP listener of
 * `tls/listener.ts`) and the ops plane (plain HTTP Fastify), and returns them with `listen()` and
 * `close()`. Pure build (STYLE rule 3): it never listens, reads the environment or installs
 * signal handlers — the CLI and the tests do. Everything it needs arrives in `deps`.
 *
 * Shutdown (`close`): stop accepting → refuse new calls on open connections (503, connection close)
 * → wait for in-flight calls, bounded by `shutdown.drainTimeoutMs` → cut what is left → close the
 * planes (the data plane's `onClose` closes the upstream dispatchers) → the caller flushes the logs.
 */
import { stat } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { availableParallelism, hostname } from 'node:os'
import type { Server as HttpsServer } from 'node:https'
import { createSecureContext, type Server as TlsServer, type TLSSocket } from 'node:tls'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify'
import type pg from 'pg'
import type { Logger } from 'pino'
import { checkOperationNames } from './config/rules.js'
import { lazyChildLoggerFactory } from './observability/lazy-child-logger.js'
import type { GatewayConfig } from './config/schema.js'
import { createAuditLog } from './observability/audit.js'
import { createMetrics, type GatewayMetrics } from './observability/metrics.js'
import { buildOpsPlane } from './ops/index.js'
import { defaultAllowedHosts, opsBearer, opsExposureWarning, readOpsToken } from './ops/access.js'
import { createUpstreamProber } from './proxy/probe.js'
import type { DispatcherFactory } from './proxy/upstream-pool.js'
import { buildUpstreams, type Upstreams } from './proxy/upstreams.js'
import { buildEnvironmentAccess } from './routes/environment-access.js'
import { identityReader } from './routes/client-identity.js'
import { registerDataPlane } from './routes/index.js'
import { buildOperationPolicy } from './routes/operation-policy.js'
import { requestId } from './routes/request-id.js'
import { closeQueuedResponsesOnDisconnect } from './routes/pipelined-responses.js'
import { answerConnect, buildClientErrorHandler } from './routes/client-errors.js'
import { buildGuichetAuthorization, type GuichetAuthorization } from './guichets/authorization.js'
import { createBodyBudget } from './limits/body-budget.js'
import { buildCallLimits } from './routes/call-limits.js'
import { statusLookup } from './routes/validation-failure.js'
import { codes as soapCodes } from './soap/errors.js'
import { codes as specCodes } from './contract/errors.js'
import { inlineChecker, type MessageChecker } from './contract/message-check.js'
import type { InterfaceSpec } from './contract/types.js'
import { startValidationPool, validationWorkers } from './contract/validation-pool.js'
import { addressMatcher } from './tls/address-list.js'
import { createRefusalReporter } from './tls/connection-refusals.js'
import { createDataPlaneListener, type ConnectionInspector, type DataPlaneListener } from './tls/listener.js'
import { createDataPlaneServer, readServerTlsMaterial, secureContextOptions } from './tls/server-options.js'
import { refusalReason } from './tls/client-certificate-refusals.js'
import { contractOf } from './contract/json-contract.js'
import { createMessageBuilder } from './rest/message-builder.js'
import { readMessageCertificates } from './rest/message-certificates.js'
import { restOpenApi } from './rest/openapi.js'
import { loadRestOpenApiSources } from './rest/openapi-sources.js'
import { codes as configCodes } from './config/errors.js'
import { restartOnlyChanges } from './config/reload.js'
import { openSqliteIdempotencyStore } from './idempotency/sqlite-store.js'
import { StoreHealth, type StoreObserver } from './store/health.js'
import { openSharedStore } from './store/postgres.js'
import { auditRecordsSince, startAuditShipper } from './store/audit-shipper.js'
import { auditRoute, fileAuditSource } from './ops/audit-route.js'
import { startRetention } from './idempotency/retention.js'
import type { IdempotencyStore } from './idempotency/store.js'

export interface ConnectionObserver {
  inspect: ConnectionInspector
  attach (server: TlsServer, identify?: (socket: TLSSocket) => string | undefined): void
  /** with the shared store (`store.url`): keeps what it observes there, beside the other instances' */
  share?: (pool: pg.Pool, observer: StoreObserver) => Promise<void>
  /** with the shared store: writes what is pending, called once the listener closed and before the pool closes */
  settle?: () => Promise<void>
}

export interface GatewayDeps {
  /** the loaded interface specification (the caller disposes of it after `close`) */
  spec: InterfaceSpec
  logger: Logger
  /** wall clock (audit records, probe times); default `new Date()` */
  clock?: () => Date
  /** monotonic milliseconds (durations); default `performance.now()` */
  now?: () => number
  /** one dispatcher per environment; default an undici Pool (tests inject a MockAgent) */
  createDispatcher?: DispatcherFactory
  /**
   * Sees each accepted data-plane socket before TLS and the handshakes after (the legacy-TLS
   * census): `inspect` is the listener's hook, `attach` receives the HTTPS server and the identity
   * reader before anything listens. Its owner closes it after `close()`.
   */
  connectionObserver?: ConnectionObserver
  /** metrics created beforehand, when another capability registers its own on the same registry */
  metrics?: GatewayMetrics
  /** further ops-plane routes */
  opsPlugins?: readonly FastifyPluginAsync[]
  /**
   * Validates request messages; default per `validation.workers`: a pool of worker threads
   * loading `spec.dir`, or `spec` inline. The gateway closes it on `close()` either way.
   */
  checker?: MessageChecker
  /**
   * The idempotency store of the REST writes (default: the SQLite file `idempotency.file`, which
   * the gateway then closes on `close()`) and the wall clock of its leases and retention (default
   * `new Date()`, not `clock`: leases are real durations even where message dates are fixed).
   */
  idempotency?: { store?: IdempotencyStore, clock?: () => Date }
}

export interface ListeningAddresses {
  dataPlane: AddressInfo
  ops: AddressInfo | undefined
}

export interface Gateway {
  /** the data plane (HTTPS); `inject()` works without listening */
  readonly app: FastifyInstance
  /** validates request messages (inline or worker threads) */
  readonly checker: MessageChecker
  /** the ops plane, undefined when `ops.enabled` is false */
  readonly ops: FastifyInstance | undefined
  readonly server: HttpsServer
  readonly listener: DataPlaneListener
  readonly metrics: GatewayMetrics
  readonly upstreams: Upstreams
  /** listens on the configured hosts and ports (0: any free port) */
  listen (): Promise<ListeningAddresses>
  /** graceful, idempotent shutdown, bounded by `shutdown.drainTimeoutMs` */
  close (): Promise<void>
  /**
   * Applies the reloadable part of `next` (TLS material, upstream credentials, guichet mapping:
   * config/reload.ts; the ops token read again) without dropping a connection or a call; a refused reload changes nothing.
   * Logs one line and counts it either way.
   */
  reload (next: GatewayConfig): Promise<ReloadOutcome>
}

export interface ReloadOutcome {
  applied: boolean
  /** why it was refused */
  error?: string
  /** the upstream credentials whose pools were replaced, as `env/credential` */
  replacedCredentials: string[]
}

/**
 * Counts and logs, once at start, the interface versions whose XSD did not compile to code
 * (they validate with libxml2), with the construct in the way, its file and line.
 */
export function recordSchemaFallbacks (spec: Pick<InterfaceSpec, 'schemaFallbacks'>, metrics: Pick<GatewayMetrics, 'schemaFallbacks'>, logger: Pick<Logger, 'warn'>): void {
  for (const f of spec.schemaFallbacks) {
    metrics.schemaFallbacks.set({ version: f.version }, 1)
    logger.warn({ version: f.version, file: f.file, line: f.line, construct: f.construct }, 'this interface version validates with libxml2: its XSD has a construct the schema compiler does not support')
  }
}

export async function buildGateway (config: GatewayConfig, deps: GatewayDeps): Promise<Gateway> {
  const { spec, logger } = deps
  const clock = deps.clock ?? (() => new Date())
  const now = deps.now ?? (() => performance.now())
  checkOperationNames(config, spec.operations.keys())

  const metrics = deps.metrics ?? createMetrics()
  recordSchemaFallbacks(spec, metrics, logger)
  const material = await readServerTlsMaterial(config.dataPlane.tls)
  const workers = validationWorkers(config.validation.workers, availableParallelism())
  const checker = deps.checker ?? (workers === 0
    ? inlineChecker(spec)
    : await startValidationPool({
      size: workers,
      dir: spec.dir,
      xmlLimits: spec.xmlLimits,
      logger: logger.child({ component: 'validation-pool' }),
      inline: { spec, below: config.validation.inlineBelow },
      onRestart: () => { metrics.validationWorkerRestarts.inc() }
    }))
  try {
    return await assemble(config, deps, { metrics, material, checker, clock, now })
  } catch (err) {
    await checker.close()
    throw err
  }
}

/** What buildGateway made first: the worker threads must be stopped if the rest fails. */
interface Made {
  metrics: GatewayMetrics
  material: Awaited<ReturnType<typeof readServerTlsMaterial>>
  checker: MessageChecker
  clock: () => Date
  now: () => number
}

async function assemble (config: GatewayConfig, deps: GatewayDeps, made: Made): Promise<Gateway> {
  const { spec, logger } = deps
  const { metrics, material, checker, clock, now } = made
  const upstreams = await buildUpstreams(config, {
    ...(deps.createDispatcher === undefined ? {} : { createDispatcher: deps.createDispatcher }),
    onPools: (count) => { metrics.upstreamPools.set(count) },
    onRetry: (env, err) => {
      metrics.upstreamRetries.inc({ env })
      logger.info({ env, cause: (err as { code?: string }).code }, 'read retried after a connection-phase failure')
    }
  })

  metrics.upstreamWaitingSource = function * () {
    for (const [env, upstream] of upstreams.byName) yield [env, upstream.waiting()]
  }

  let draining = false
  let inflight = 0
  let drained: (() => void) | undefined
  const lifecycle = {
    draining: () => draining,
    onStart: () => { inflight++; metrics.inflight.inc() },
    onEnd: () => {
      inflight--
      metrics.inflight.dec()
      if (inflight === 0) drained?.()
    }
  }

  let server: HttpsServer | undefined
  const app = Fastify({
    loggerInstance: logger.child({ plane: 'data' }) as FastifyBaseLogger,
    // Fastify's own per-request lines are off: routes/access-log.ts writes one allowlisted line per call.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'reqId' }),
    // request.log is made on its first line: most calls write none through it.
    childLoggerFactory: lazyChildLoggerFactory,
    bodyLimit: config.dataPlane.bodyLimit,
    genReqId: () => requestId(),
    // Errors before routing, and CONNECT below: Faults, not Fastify's JSON nor silence.
    clientErrorHandler: buildClientErrorHandler(logger.child({ plane: 'data' })),
    routerOptions: { ignoreTrailingSlash: true },
    serverFactory: (handler) => {
      server = createDataPlaneServer(config.dataPlane, material, handler)
      return server
    }
  }) as unknown as FastifyInstance
  if (server === undefined) throw new Error('fastify did not call serverFactory')
  const httpsServer: HttpsServer = server
  httpsServer.on('connect', answerConnect(logger.child({ plane: 'data' })))
  // A queued pipelined answer whose connection closes must close like any other (drain, limits).
  closeQueuedResponsesOnDisconnect(httpsServer)
  httpsServer.on('secureConnection', (socket: TLSSocket) => {
    metrics.tlsHandshakes.inc({ version: socket.getProtocol() ?? 'unknown' })
  })
  // Handshakes refused for their client certificate (revoked, expired, untrusted…), counted by reason.
  httpsServer.on('tlsClientError', (err: Error & { code?: string }, socket: TLSSocket) => {
    const reason = refusalReason((socket as TLSSocket & { authorizationError?: unknown }).authorizationError, err)
    if (reason !== undefined) metrics.clientCertificateRefusals.inc({ reason })
  })

  let drainTimedOut = false
  app.addHook('onClose', async () => {
    // After a drain that timed out, what is still in flight upstream is aborted, not awaited.
    if (drainTimedOut) await upstreams.destroy()
    else await upstreams.close()
  })
  // The REST API's JSON contract, from the same specification files, built once per spec.
  const contract = contractOf(spec)
  const messageCertificates = await readMessageCertificates(config)
  // The published OpenAPI documents, made at their first request (they read examples/).
  let openapiSources: ReturnType<typeof loadRestOpenApiSources> | undefined
  const openapiTexts = new Map<string, string>()
  const identityOf = identityReader(config.dataPlane.tls.identityFrom)
  // The guichet mapping in force: a reload swaps it between two calls, never during one.
  let guichetRules = buildGuichetAuthorization(config)
  const guichets: GuichetAuthorization = {
    get unguarded () { return guichetRules.unguarded },
    authorize: (...args) => { guichetRules.authorize(...args) },
    knows: (env, identity) => guichetRules.knows(env, identity),
    guichetsOf: (env, identity) => guichetRules.guichetsOf(env, identity)
  }
  const warnUnguarded = (): void => {
    for (const env of guichets.unguarded) {
      logger.warn({ env }, 'environment without guichets configuration: every client identity may act for every guichet there (see docs/security.md)')
    }
  }
  warnUnguarded()
  deps.connectionObserver?.attach(httpsServer, identityOf)
  const ownStore = deps.idempotency?.store === undefined
  const { url: storeUrl, ...storeOptions } = config.store
  const storeHealth = new StoreHealth(storeUrl === undefined ? 'sqlite' : 'postgresql', (operation) => {
    metrics.storeErrors.inc({ store: 'idempotency', backend: storeHealth.backend, operation })
  })
  const sharedStore = ownStore && storeUrl !== undefined ? await openSharedStore({ url: storeUrl, ...storeOptions }, logger.child({ component: 'store' }), storeHealth) : undefined
  // The legacy-TLS census moves to the shared store too: every instance's rows, one union.
  const censusHealth = sharedStore !== undefined && deps.connectionObserver?.share !== undefined
    ? new StoreHealth('postgresql', (operation) => { metrics.storeErrors.inc({ store: 'census', backend: 'postgresql', operation }) })
    : undefined
  if (censusHealth !== undefined) await deps.connectionObserver!.share!(sharedStore!.pool, censusHealth)
  metrics.storeUpSource = () => [
    { store: 'idempotency', backend: storeHealth.backend, up: storeHealth.up },
    ...(censusHealth === undefined ? [] : [{ store: 'census', backend: censusHealth.backend, up: censusHealth.up }])
  ]
  const idempotencyStore = deps.idempotency?.store ?? sharedStore?.idempotency ?? openSqliteIdempotencyStore(config.idempotency.file, { observer: storeHealth })
  // Audit records: to the local file first, then (with the shared store) to its table.
  const auditShipper = sharedStore !== undefined && config.audit.file !== undefined
    ? startAuditShipper({ file: config.audit.file, pool: sharedStore.pool, instance: `${hostname()}:${process.pid}`, logger: logger.child({ component: 'audit' }), intervalMs: 5000 })
    : undefined
  if (sharedStore !== undefined && config.audit.file === undefined) logger.warn('store.url is set without audit.file: this instance\'s audit records go to its log only, not to the shared store')
  const auditSource = sharedStore === undefined
    ? fileAuditSource(config.audit.file)
    : async (since: string, limit: number) => { await auditShipper?.ship(); return await auditRecordsSince(sharedStore.pool, since, limit) }
  const idempotencyClock = deps.idempotency?.clock ?? (() => new Date())
  const stopRetention = startRetention(idempotencyStore, { ...config.idempotency, clock: idempotencyClock, logger: logger.child({ component: 'idempotency' }) })
  const bodyBudget = createBodyBudget(config.dataPlane.bodyMemory)
  metrics.bodyBytesSource = bodyBudget.inFlight
  await registerDataPlane(app, {
    config,
    spec,
    upstreams,
    checker,
    access: buildEnvironmentAccess(config),
    policy: buildOperationPolicy(config, spec),
    guichets,
    limits: buildCallLimits(config, metrics, now),
    bodyBudget,
    identityOf,
    metrics,
    audit: createAuditLog({ file: config.audit.file, logger: logger.child({ plane: 'data' }), clock, ...(auditShipper === undefined ? {} : { afterWrite: auditShipper.kick }) }),
    statusOf: statusLookup(soapCodes, specCodes),
    // Same bindings as request.log (plane, reqId in the line); see DataPlaneContext.accessLog.
    accessLog: logger.child({ plane: 'data' }, { redact: [] }),
    now,
    rest: {
      contract,
      builder: createMessageBuilder({ contract, clock }),
      idempotency: { store: idempotencyStore, clock: idempotencyClock },
      certificateOf: (env, guichet) => messageCertificates.get(env)?.get(guichet) ?? { pem: Buffer.alloc(0), name: undefined },
      openapi: async (env) => {
        let text = openapiTexts.get(env)
        if (text === undefined) {
          openapiSources ??= loadRestOpenApiSources(contract, { xmlLimits: spec.xmlLimits })
          const sources = await openapiSources
          text = JSON.stringify(restOpenApi(contract, { env, ...sources, ...(config.dataPlane.publicUrl === undefined ? {} : { serverUrl: config.dataPlane.publicUrl }) }))
          openapiTexts.set(env, text)
        }
        return text
      }
    }
  }, lifecycle)

  const proxyProtocol = config.dataPlane.proxyProtocol
  const listener = createDataPlaneListener(httpsServer, {
    maxConnections: config.dataPlane.maxConnections,
    perAddress: config.dataPlane.connections.perAddress,
    firstRequestMs: config.dataPlane.timeouts.firstRequestMs,
    ...(proxyProtocol.enabled ? { proxyProtocol: { trusted: addressMatcher(proxyProtocol.trustedAddresses), timeoutMs: proxyProtocol.timeoutMs } } : {}),
    onRefused: createRefusalReporter({}, { counter: metrics.connectionsRefused, logger: logger.child({ plane: 'data' }) }),
    ...(deps.connectionObserver === undefined ? {} : { inspect: deps.connectionObserver.inspect })
  })

  const prober = createUpstreamProber(upstreams.byName.values(), {
    intervalMs: config.ops.probeIntervalMs,
    timeoutMs: config.ops.probeTimeoutMs,
    clock,
    logger,
    onResult: (env, result) => metrics.upstreamUp.set({ env }, result.ok ? 1 : 0)
  })
  const opsToken = config.ops.enabled ? await readOpsToken(config.ops.tokenFile) : undefined
  const exposure = config.ops.enabled ? opsExposureWarning(config.ops.host, opsToken) : undefined
  if (exposure !== undefined) logger.warn({ host: config.ops.host }, exposure)
  // The token in force: a reload reads the file again and swaps it.
  const bearer = opsToken === undefined ? undefined : opsBearer(opsToken)
  const ops = config.ops.enabled
    ? await buildOpsPlane({
      logger,
      access: { token: bearer, allowedHosts: defaultAllowedHosts(config.ops.host, config.ops.allowedHosts) },
      registry: metrics.registry,
      health: { spec, prober, environments: [...upstreams.byName.keys()], draining: lifecycle.draining, stores: () => ({ idempotency: storeHealth.status(), ...(censusHealth === undefined ? {} : { census: censusHealth.status() }) }) },
      plugins: [auditRoute(auditSource, sharedStore !== undefined), ...(deps.opsPlugins ?? [])]
    })
    : undefined

  let running = config
  let crlStamp = await fileStamp(config.dataPlane.tls.clientCrl)
  metrics.reloadedAt.set(clock().getTime() / 1000)
  let reloading: Promise<unknown> = Promise.resolve()

  /**
   * Applies what a reload may change (config/reload.ts) from `next`: everything is read and checked
   * first, then swapped in at once; on any failure nothing changes. Serialized: a second signal
   * waits for the first reload.
   */
  const reload = async (next: GatewayConfig, trigger: 'sighup' | 'crl'): Promise<ReloadOutcome> => {
    const run = reloading.then(async (): Promise<ReloadOutcome> => {
      try {
        const blockers = restartOnlyChanges(running, next)
        if (blockers.length > 0) throw new configCodes.GW_CONFIG_RELOAD_NEEDS_RESTART(blockers.join(', '))
        const tls = await readServerTlsMaterial(next.dataPlane.tls)
        const options = secureContextOptions(next.dataPlane.tls, tls)
        // Throws on a key that does not match its certificate, before anything is swapped.
        createSecureContext(options)
        const rules = buildGuichetAuthorization(next)
        const stamp = await fileStamp(next.dataPlane.tls.clientCrl)
        // The file is the same (ops.tokenFile needs a restart to change), its content may not be.
        const token = bearer === undefined ? undefined : await readOpsToken(next.ops.tokenFile)
        const replaced = await upstreams.reload(next)
        httpsServer.setSecureContext(options)
        if (token !== undefined) bearer?.replace(token)
        guichetRules = rules
        running = next
        crlStamp = stamp
        metrics.reloads.inc({ trigger, result: 'applied' })
        metrics.reloadedAt.set(clock().getTime() / 1000)
        logger.info({ reload: trigger, replacedCredentials: replaced }, 'configuration reloaded: TLS material, upstream credentials and guichet mapping')
        if (trigger === 'sighup') warnUnguarded()
        return { applied: true, replacedCredentials: replaced }
      } catch (err) {
        const error = err as Error & { code?: string }
        metrics.reloads.inc({ trigger, result: 'refused' })
        logger.error({ reload: trigger, code: error.code, reason: error.message }, 'configuration reload refused: the running configuration stays')
        return { applied: false, error: error.message, replacedCredentials: [] }
      }
    })
    reloading = run
    return await run
  }

  // The CRL is re-read when its file changes, so that publishing a new one needs no signal.
  const crlTimer = config.dataPlane.tls.clientCrl === undefined
    ? undefined
    : setInterval(() => {
      void fileStamp(running.dataPlane.tls.clientCrl).then(async (stamp) => {
        if (stamp !== crlStamp) await reload(running, 'crl')
      })
    }, config.dataPlane.tls.crlCheckIntervalMs).unref()

  let closing: Promise<void> | undefined
  const close = async (): Promise<void> => {
    draining = true
    clearInterval(crlTimer)
    const stopped = listener.close()
    httpsServer.closeIdleConnections()
    if (inflight > 0) {
      const allDone = new Promise<void>((resolve) => { drained = resolve })
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(true), config.shutdown.drainTimeoutMs) })
      drainTimedOut = await Promise.race([allDone.then(() => false), timeout])
      clearTimeout(timer)
      if (drainTimedOut) logger.warn({ inflight }, 'drain timed out: remaining calls are cut')
    }
    httpsServer.closeAllConnections()
    listener.destroyConnections()
    // Stops node:http's connection checks; it never listened itself, hence ERR_SERVER_NOT_RUNNING.
    httpsServer.close(() => {})
    await stopped
    await app.close()
    await ops?.close()
    stopRetention()
    if (ownStore) await idempotencyStore.close()
    await auditShipper?.stop()
    // The listener is closed: the census has seen its last connection.
    if (censusHealth !== undefined) await deps.connectionObserver?.settle?.().catch((err: unknown) => { logger.error({ err }, 'the TLS census could not write its last changes to the shared store') })
    await sharedStore?.close()
    // After the drain: no call is waiting for a check any more.
    await checker.close()
  }

  return {
    app,
    checker,
    ops,
    server: httpsServer,
    listener,
    metrics,
    upstreams,
    async listen () {
      await app.ready()
      if (ops !== undefined) await ops.ready()
      const dataPlane = await listener.listen(config.dataPlane.host, config.dataPlane.port)
        .catch((err: unknown) => { throw listenFailed('/dataPlane/port', config.dataPlane.host, config.dataPlane.port, err) })
      let opsAddress: AddressInfo | undefined
      if (ops !== undefined) {
        await ops.listen({ host: config.ops.host, port: config.ops.port })
          .catch(async (err: unknown) => {
            await listener.close()
            throw listenFailed('/ops/port', config.ops.host, config.ops.port, err)
          })
        opsAddress = ops.server.address() as AddressInfo
      }
      logger.info({ dataPlane: `https://${config.dataPlane.host}:${dataPlane.port}`, ops: opsAddress === undefined ? undefined : `http://${config.ops.host}:${opsAddress.port}` }, 'gateway listening')
      return { dataPlane, ops: opsAddress }
    },
    async close () {
      closing ??= close()
      await closing
    },
    async reload (next) {
      return await reload(next, 'sighup')
    }
  }
}

/** What changed on disk: modification time and size, '' for an absent option or file. */
async function fileStamp (file: string | undefined): Promise<string> {
  if (file === undefined) return ''
  try {
    const s = await stat(file)
    return `${s.mtimeMs}:${s.size}:${s.ino}`
  } catch {
    return ''
  }
}

/** A listen that failed, named by its option and address, with a hint for the usual causes. */
function listenFailed (option: string, host: string, port: number, err: unknown): Error {
  const code = (err as { code?: string }).code
  const why = code === 'EADDRINUSE'
    ? 'the address is in use (another process listens there: stop it, or choose another port)'
    : code === 'EACCES'
      ? 'permission denied (a port below 1024 needs privileges: choose a port above 1023)'
      : code === 'EADDRNOTAVAIL'
        ? 'no interface of this machine has that address'
        : `${code ?? 'error'}: ${(err as Error).message}`
  return new configCodes.GW_CONFIG_LISTEN_FAILED(option, host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`, why, { cause: err })
}
