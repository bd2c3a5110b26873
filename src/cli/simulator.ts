/**
 * `sne-gateway simulator [--port N] [--host H] [--config FILE] [--data FILE] [--seed N] [--admin-port N]`:
 * runs the SNE école simulator until SIGTERM/SIGINT. TLS material comes from the configuration
 * file, or without one from the dev PKI under certs/ (made on first use). The admin API (fault
 * injection, counters) listens on loopback only.
 */
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { cwd as processCwd, stderr, stdout } from 'node:process'
import closeWithGrace from 'close-with-grace'
import { createLogger, flushLogger } from '../observability/logger.js'
import { resolveConfigFile, loadConfigFile, type SimulatorConfigFile } from '../simulator/config-file.js'
import { SERVICE_PATH, buildSimulator } from '../simulator/index.js'
import { defaultSpecDir, loadSpec } from '../contract/index.js'
import { ensureDevPki } from '../tls/dev-pki.js'

const USAGE = `usage: sne-gateway simulator [options]

  --config FILE      JSON configuration (see docs/simulator.md)
  --host H           address of the SOAP service (default 127.0.0.1)
  --port N           port of the SOAP service (default 8444; 0: any free port)
  --admin-port N     port of the admin API, always on 127.0.0.1 (default 8445)
  --data FILE        keep the demandes in this SQLite file (default: in memory)
  --seed N           generate N demandes when the store is empty
`

export interface SimulatorArgs {
  config?: string
  host?: string
  port?: number
  adminPort?: number
  data?: string
  seed?: number
  help: boolean
}

const FLAGS: Record<string, keyof SimulatorArgs> = {
  '--config': 'config', '--host': 'host', '--port': 'port', '--admin-port': 'adminPort', '--data': 'data', '--seed': 'seed'
}
const NUMERIC = new Set<keyof SimulatorArgs>(['port', 'adminPort', 'seed'])

/** Parses the arguments; a string is a usage error. */
export function parseSimulatorArgs (args: readonly string[]): SimulatorArgs | string {
  const out: SimulatorArgs = { help: false }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === '--help' || arg === '-h') {
      out.help = true
      continue
    }
    const eq = arg.indexOf('=')
    const flag = eq > 0 ? arg.slice(0, eq) : arg
    const key = FLAGS[flag]
    if (key === undefined) return `unknown argument '${arg}'`
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i]
    if (value === undefined || value === '' || (eq < 0 && value.startsWith('--'))) return `${flag} needs a value`
    if (NUMERIC.has(key)) {
      if (!/^\d+$/.test(value)) return `${flag} needs a whole number`
      ;(out as unknown as Record<string, number>)[key] = Number(value)
    } else {
      ;(out as unknown as Record<string, string>)[key] = value
    }
  }
  return out
}

export default async function simulator (args: string[]): Promise<number> {
  const parsed = parseSimulatorArgs(args)
  if (typeof parsed === 'string') {
    stderr.write(`sne-gateway simulator: ${parsed}\n\n${USAGE}`)
    return 2
  }
  if (parsed.help) {
    stdout.write(USAGE)
    return 0
  }
  const cwd = processCwd()
  const file: Readonly<SimulatorConfigFile> = parsed.config === undefined ? resolveConfigFile({}, cwd) : await loadConfigFile(parsed.config)
  const config: SimulatorConfigFile = {
    ...file,
    ...(parsed.host === undefined ? {} : { host: parsed.host }),
    ...(parsed.port === undefined ? {} : { port: parsed.port }),
    ...(parsed.adminPort === undefined ? {} : { adminPort: parsed.adminPort }),
    ...(parsed.data === undefined ? {} : { dataFile: resolve(cwd, parsed.data) }),
    ...(parsed.seed === undefined ? {} : { seed: parsed.seed })
  }
  const logger = createLogger({ level: config.logLevel, pretty: stdout.isTTY === true }).child({ component: 'simulator' })
  let paths = config.tls
  if (paths === undefined) {
    const pki = await ensureDevPki(resolve(cwd, 'certs'))
    paths = { cert: pki.simulator.cert, key: pki.simulator.key, ca: pki.ca.cert }
    logger.info({ ca: pki.ca.cert }, 'no TLS configuration: using the dev PKI (clients need a certificate signed by its CA)')
  }
  const [cert, key, ca] = await Promise.all([readFile(paths.cert), readFile(paths.key), readFile(paths.ca)])
  const spec = await loadSpec({ dir: config.specDir ?? defaultSpecDir() })
  const sim = await buildSimulator({
    tls: { cert, key, ca },
    seed: config.seed,
    seedRandom: config.seedRandom,
    faults: config.faults,
    ...(config.dataFile === undefined ? {} : { dataFile: config.dataFile }),
    ...(config.bodyLimit === undefined ? {} : { bodyLimit: config.bodyLimit }),
    ...(config.publicUrl === undefined ? {} : { publicUrl: config.publicUrl })
  }, { spec, logger })

  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err !== undefined) logger.error({ err }, 'fatal error: shutting down')
    logger.info({ signal }, 'shutting down')
    await sim.close()
    spec.dispose()
    logger.info('stopped')
    await flushLogger(logger)
  })

  const url = await sim.app.listen({ host: config.host, port: config.port })
  // The admin API is for the operator of this machine only.
  const adminUrl = await sim.admin.listen({ host: '127.0.0.1', port: config.adminPort })
  logger.info({ url: `${url}${SERVICE_PATH}`, admin: adminUrl, data: config.dataFile ?? 'memory' }, 'simulator listening')
  // Also on stderr, at once: the JSON log is buffered, and a person (or a script) waits for this line.
  stderr.write(`sne-gateway simulator: ${url}${SERVICE_PATH} (WSDL: ?wsdl), admin API ${adminUrl}, state ${config.dataFile ?? 'in memory'}\n`)
  // Keeps running: close-with-grace exits the process once a signal has been handled.
  return await new Promise<number>(() => {})
}
