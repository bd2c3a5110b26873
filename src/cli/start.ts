/**
 * `sne-gateway start [--config FILE]`: runs the gateway until SIGTERM/SIGINT.
 *
 * With a configuration (`--config FILE` or `SNE_GATEWAY_CONFIG`): loads, validates and freezes it,
 * loads the interface specification, builds and starts the gateway. Without one (`npm start`):
 * makes the dev PKI under `certs/` once, starts the embedded école simulator on loopback, then the
 * gateway in front of it, and prints a first call to make with curl.
 *
 * Shutdown: the first signal stops accepting, drains in-flight calls (bounded by
 * `shutdown.drainTimeoutMs`), closes the dispatchers, the simulator, and flushes the logs; a second
 * signal, or the drain deadline plus a margin, forces the exit (close-with-grace).
 *
 * SIGHUP reloads the configuration file's reloadable part (certificates, keys, CRL, upstream
 * credentials, guichet mapping: config/reload.ts) and reopens the log file; SIGUSR2 only reopens
 * the log file (logrotate). Neither drops a connection or a call.
 */
import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { dirname, relative, resolve } from 'node:path'
import { cwd as processCwd, env as processEnv, stderr, stdout } from 'node:process'
import closeWithGrace from 'close-with-grace'
import type { Logger } from 'pino'
import { CONFIG_FILE_VARIABLE } from '../config/env-overrides.js'
import { devConfig } from '../config/dev.js'
import { loadConfig, resolveConfig, type LoadedConfig } from '../config/load.js'
import { buildGateway, type Gateway } from '../gateway.js'
import { writeFirstCall } from './first-call.js'
import { writeDatedExamples } from '../contract/dated-examples.js'
import type { GatewayConfig } from '../config/schema.js'
import { pino } from 'pino'

import { createMetrics } from '../observability/metrics.js'
import { restApiDocs } from '../ops/api-docs.js'
import { censusOpsPlugins } from '../ops/census-plugins.js'
import { createLogger, flushLogger } from '../observability/logger.js'
import { buildSimulator } from '../simulator/index.js'
import { defaultSpecDir, loadSpec } from '../contract/index.js'
import type { InterfaceSpec } from '../contract/types.js'
import { tlsCensusOptions } from '../census/census-config.js'
import { ensureDevPki, type DevPki } from '../tls/dev-pki.js'
import { buildTlsCensus } from '../census/tls-census.js'

/** The log file's stream (pino.destination): appends, and reopens the path on demand. */
type LogFile = ReturnType<typeof pino.destination>

const USAGE = `usage: sne-gateway start [--config FILE]

  --config FILE   the configuration file (default: $${CONFIG_FILE_VARIABLE}; with neither, a
                  development gateway in front of the embedded école simulator)

Every option can be overridden by an SNE_GATEWAY_… environment variable: see docs/configuration.md.
`.replace('$$', '$')

/** The sample message of the first call (a creation), beside its content type, under examples/. */
export const SAMPLE_REQUEST = 'requests/getNumUnique-CRE.mtom'
export const SAMPLE_CONTENT_TYPE = 'requests/getNumUnique-CRE.content-type'
/** The JSON of the same creation, for the REST API's first call, under examples/. */
export const REST_SAMPLE = 'rest/demande-cre.json'

interface Args {
  config: string | undefined
  help: boolean
}

export function parseStartArgs (args: readonly string[]): Args | string {
  const out: Args = { config: undefined, help: false }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string
    if (arg === '--help' || arg === '-h') out.help = true
    else if (arg === '--config') {
      const value = args[++i]
      if (value === undefined || value.startsWith('--')) return '--config needs a file'
      out.config = value
    } else if (arg.startsWith('--config=')) out.config = arg.slice('--config='.length)
    else return `unknown argument '${arg}'`
  }
  return out
}

/** The curl command of the first call, for the dev setup; `sample` is the MTOM message, `restSample` its JSON twin. */
export function firstCallHint (pki: DevPki, dataPlaneUrl: string, contentType: string, sample: string, from: string, restSample = resolve(dirname(sample), '..', REST_SAMPLE), idempotencyKey: string = randomUUID(), datedExamples?: string): string {
  const rel = (p: string): string => relative(from, p) || p
  return [
    '',
    'sne-gateway is ready (development setup: the école environment is the embedded simulator).',
    'First call — a creation (getNumUnique) through the gateway, answered by the simulator:',
    '',
    `  curl --cacert ${rel(pki.ca.cert)} --cert ${rel(pki.client.cert)} --key ${rel(pki.client.key)} \\`,
    `    -H 'Content-Type: ${contentType}' \\`,
    `    --data-binary @${rel(sample)} \\`,
    `    ${dataPlaneUrl}/ecole/services/DemandeLogementImplService/`,
    '',
    `WSDL: ${dataPlaneUrl}/ecole/services/DemandeLogementImplService/?wsdl   (same client certificate)`,
    '',
    'The same creation with JSON alone (REST API, docs/rest.md). Sent twice, it answers the same',
    'demande: the Idempotency-Key makes a retry safe; a new creation needs a new key.',
    '',
    `  curl --cacert ${rel(pki.ca.cert)} --cert ${rel(pki.client.cert)} --key ${rel(pki.client.key)} \\`,
    "    -H 'Content-Type: application/json' \\",
    `    -H 'Idempotency-Key: ${idempotencyKey}' \\`,
    `    --data-binary @${rel(restSample)} \\`,
    `    ${dataPlaneUrl}/ecole/api/v1/demandes`,
    '',
    'then read it back (the demo identity may act for any guichet here, so it names the acting one):',
    '',
    `  curl --cacert ${rel(pki.ca.cert)} --cert ${rel(pki.client.cert)} --key ${rel(pki.client.key)} \\`,
    `    -H 'SNE-Guichet: G1226' ${dataPlaneUrl}/ecole/api/v1/demandes/<numUnique>`,
    ...(datedExamples === undefined ? [] : [`Every example of examples/, dated for today (theirs are fixed, 2025): ${rel(datedExamples)}/`]),
    `A TLS 1.0 attempt is refused: openssl s_client -connect ${new URL(dataPlaneUrl).host} -tls1 -cipher DEFAULT@SECLEVEL=0`,
    ''
  ].join('\n')
}

async function devSetup (cwd: string, env: NodeJS.ProcessEnv, logger: Logger, spec: InterfaceSpec): Promise<{ loaded: Omit<LoadedConfig, 'file'>, pki: DevPki, closeSimulator: () => Promise<void> }> {
  const pki = await ensureDevPki(resolve(cwd, 'certs'))
  const [cert, key, ca] = await Promise.all([readFile(pki.simulator.cert), readFile(pki.simulator.key), readFile(pki.ca.cert)])
  const simulator = await buildSimulator({ tls: { cert, key, ca } }, { spec, logger: logger.child({ component: 'simulator' }) })
  await simulator.app.listen({ host: '127.0.0.1', port: 0 })
  const address = simulator.app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  logger.info({ url: `https://127.0.0.1:${port}` }, 'embedded école simulator listening')
  const loaded = resolveConfig(devConfig(pki, `https://127.0.0.1:${port}`), { env, cwd, baseDir: cwd })
  return { loaded, pki, closeSimulator: async () => { await simulator.close() } }
}

export default async function start (args: string[]): Promise<number> {
  const parsed = parseStartArgs(args)
  if (typeof parsed === 'string') {
    stderr.write(`sne-gateway start: ${parsed}\n\n${USAGE}`)
    return 2
  }
  if (parsed.help) {
    stderr.write(USAGE)
    return 0
  }
  const cwd = processCwd()
  const env = processEnv
  const file = parsed.config ?? env[CONFIG_FILE_VARIABLE]
  const pretty = stdout.isTTY === true

  let loaded: Omit<LoadedConfig, 'file'> & { file?: string | undefined }
  let logger: Logger
  let spec: InterfaceSpec
  let dev: Awaited<ReturnType<typeof devSetup>> | undefined
  let logFile: LogFile | undefined
  if (file !== undefined && file !== '') {
    loaded = await loadConfig(file, { env, cwd })
    const logTo = loaded.config.log.file
    logFile = logTo === undefined ? undefined : pino.destination({ dest: logTo, sync: false, mkdir: true, mode: 0o640 })
    logger = createLogger({ level: loaded.config.log.level, pretty: pretty && logFile === undefined, ...(logFile === undefined ? {} : { destination: logFile }) })
    spec = await loadSpec({ dir: loaded.config.spec.dir ?? defaultSpecDir() })
  } else {
    // The dev setup needs a logger and the spec before its configuration exists (the simulator's port).
    logger = createLogger({ level: env.SNE_GATEWAY_LOG_LEVEL ?? 'info', pretty })
    spec = await loadSpec({ dir: env.SNE_GATEWAY_SPEC_DIR ?? defaultSpecDir() })
    dev = await devSetup(cwd, env, logger, spec)
    loaded = dev.loaded
  }
  const config = loaded.config
  if (loaded.unknownVariables.length > 0) {
    logger.warn({ variables: loaded.unknownVariables }, 'environment variables with the SNE_GATEWAY_ prefix match no option (typo?)')
  }
  logger.info({ file: loaded.file, overrides: loaded.overrides, environments: Object.keys(config.environments) }, 'configuration loaded')

  // The REST API's reference on the ops plane: its JSON contract and documents, made once, here.
  const apiDocsPlugin = config.ops.enabled ? await restApiDocs(spec, Object.keys(config.environments)) : undefined
  // The legacy-TLS census registers its metrics on the gateway's registry, made here first.
  const metrics = createMetrics()
  // With the shared store the census lives there (the gateway hands it the pool): no file of its own.
  const tlsCensus = config.census.enabled
    ? buildTlsCensus(tlsCensusOptions(config.store.url === undefined ? config.census : { ...config.census, file: ':memory:' }), { logger: logger.child({ component: 'tls-census' }), registry: metrics.registry })
    : undefined
  const opsPlugins = [
    ...(tlsCensus === undefined ? [] : censusOpsPlugins(tlsCensus, { registry: metrics.registry })),
    ...(apiDocsPlugin === undefined ? [] : [apiDocsPlugin])
  ]
  const gateway = await buildGateway(config, {
    spec,
    logger,
    metrics,
    ...(tlsCensus === undefined ? {} : { connectionObserver: tlsCensus }),
    opsPlugins
  }).catch((err: unknown) => { tlsCensus?.close(); throw err })
  let closing = false
  // What the next SIGHUP loads: the file again, or the dev configuration (same PKI paths, same simulator).
  const reloadConfig = async (): Promise<GatewayConfig> => file !== undefined && file !== ''
    ? (await loadConfig(file, { env, cwd })).config
    : config
  installReloadSignals({ gateway, logger, logFile, reloadConfig })
  closeWithGrace({
    // SIGHUP and SIGUSR2 reload and reopen (installReloadSignals): they never stop the gateway.
    skip: ['SIGHUP', 'SIGUSR2'],
    // The drain is bounded by its own timeout; the margin covers closing the rest.
    delay: config.shutdown.drainTimeoutMs + 5000,
    logger: { error: (message: unknown) => { logger.error({ shutdown: true }, String(message)) } },
    onSecondSignal: (signal) => { logger.error({ signal }, 'second signal: exiting now, in-flight calls are cut') },
    onTimeout: (delay) => { logger.error({ delayMs: delay }, 'shutdown did not finish in time: exiting now') }
  }, async ({ signal, err }) => {
    closing = true
    if (err !== undefined) logger.error({ err }, 'fatal error: shutting down')
    logger.info({ signal }, 'shutting down: draining in-flight calls')
    await gateway.close()
    tlsCensus?.close()
    await dev?.closeSimulator()
    spec.dispose()
    logger.info('stopped')
    await flushLogger(logger)
  })

  const addresses = await gateway.listen()
  if (dev !== undefined && !closing) {
    // today's copies of the samples: the examples' fixed dates would make an expired demande
    const now = new Date()
    const first = await writeFirstCall(defaultExamplesDir(), { request: SAMPLE_REQUEST, contentType: SAMPLE_CONTENT_TYPE, rest: REST_SAMPLE }, resolve(cwd, 'certs', 'first-call'), now)
    const dated = resolve(cwd, 'certs', 'examples')
    await writeDatedExamples(defaultExamplesDir(), dated, now)
    const contentType = (await readFile(first.contentType, 'utf8')).trim()
    stderr.write(firstCallHint(dev.pki, `https://127.0.0.1:${addresses.dataPlane.port}`, contentType, first.request, cwd, first.rest, undefined, dated) + '\n')
  }
  // Keeps running: close-with-grace exits the process once a signal has been handled.
  return await new Promise<number>(() => {})
}

/**
 * SIGHUP: reopen the log file, then reload; SIGUSR2: reopen the log file. A configuration that no
 * longer loads is refused like one that does not apply: one log line and the refused-reload count.
 */
export function installReloadSignals (options: { gateway: Gateway, logger: Logger, logFile: LogFile | undefined, reloadConfig: () => Promise<GatewayConfig> }): void {
  const { gateway, logger, logFile, reloadConfig } = options
  const reopen = (signal: string): void => {
    if (logFile === undefined) return
    logFile.reopen()
    logger.info({ signal }, 'log file reopened')
  }
  process.on('SIGUSR2', () => { reopen('SIGUSR2') })
  process.on('SIGHUP', () => {
    reopen('SIGHUP')
    void reloadConfig().then(async (next) => await gateway.reload(next), (err: Error & { code?: string }) => {
      gateway.metrics.reloads.inc({ trigger: 'sighup', result: 'refused' })
      logger.error({ reload: 'sighup', code: err.code, reason: err.message }, 'configuration reload refused: the running configuration stays')
    })
  })
}

function defaultExamplesDir (): string {
  // examples/ sits beside wsdl/ in the repository and in the package.
  return resolve(defaultSpecDir(), '..', 'examples')
}
