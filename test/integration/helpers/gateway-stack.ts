// A real stack for the gateway's integration tests: the école simulator on 127.0.0.1:0 (mutual
// TLS), the gateway in front of it on 127.0.0.1:0, a capturing logger, and an undici client with
// the demo guichet's certificate. Everything is closed by the caller's teardown.
import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { Agent, request, type Dispatcher } from 'undici'
import { createConfigValidator } from '../../../src/config/validate.js'
import type { GatewayConfig } from '../../../src/config/schema.js'
import { buildGateway, type Gateway, type GatewayDeps } from '../../../src/gateway.js'
import { createLogger } from '../../../src/observability/logger.js'
import { buildSimulator, type Simulator } from '../../../src/simulator/index.js'
import { defaultSpecDir, loadSpec } from '../../../src/contract/index.js'
import type { InterfaceSpec } from '../../../src/contract/types.js'
import type { DevPki } from '../../../src/tls/dev-pki.js'
import { testPki } from '../../helpers/pki.js'

/** The corpus clock: every example date is before it. */
export const NOW = new Date('2026-01-01T00:00:00Z')

let specPromise: Promise<InterfaceSpec> | undefined
/** One compiled spec per test process. */
export async function sharedSpec (): Promise<InterfaceSpec> {
  specPromise ??= loadSpec({ dir: defaultSpecDir(), clock: () => NOW })
  return await specPromise
}

/** Log lines captured from a logger, parsed. */
export class LogCapture extends Writable {
  readonly raw: string[] = []
  override _write (chunk: Buffer, _encoding: string, callback: () => void): void {
    for (const line of chunk.toString('utf8').split('\n')) if (line !== '') this.raw.push(line)
    callback()
  }

  lines (): Array<Record<string, unknown>> {
    return this.raw.map((l) => JSON.parse(l) as Record<string, unknown>)
  }

  access (): Array<Record<string, unknown>> {
    return this.lines().filter((l) => l.access === true)
  }
}

export interface Stack {
  pki: DevPki
  spec: InterfaceSpec
  sim: Simulator | undefined
  simulatorUrl: string
  gateway: Gateway
  config: GatewayConfig
  /** https://127.0.0.1:port */
  gatewayUrl: string
  opsUrl: string | undefined
  logs: LogCapture
  /** a client presenting the demo guichet certificate */
  client: Dispatcher
  post (path: string, body: Buffer, contentType: string, headers?: Record<string, string>): Promise<{ status: number, headers: Record<string, string | string[] | undefined>, body: Buffer }>
  simulatorStats (): Promise<{ total: number, calls: Record<string, Record<string, number>> }>
  close (): Promise<void>
}

export interface StackOptions {
  /** edits the raw gateway configuration before validation */
  edit?: (raw: Record<string, any>) => void // eslint-disable-line @typescript-eslint/no-explicit-any
  /** no simulator: the upstream URL points at `upstreamUrl` */
  upstreamUrl?: string
  deps?: Partial<GatewayDeps>
}

export async function startStack (options: StackOptions = {}): Promise<Stack> {
  const pki = await testPki()
  const spec = await sharedSpec()
  let sim: Simulator | undefined
  let simulatorUrl = options.upstreamUrl ?? ''
  if (options.upstreamUrl === undefined) {
    const [cert, key, ca] = await Promise.all([readFile(pki.simulator.cert), readFile(pki.simulator.key), readFile(pki.ca.cert)])
    sim = await buildSimulator({ tls: { cert, key, ca } }, { spec, clock: () => NOW })
    await sim.app.listen({ host: '127.0.0.1', port: 0 })
    const address = sim.app.server.address()
    simulatorUrl = `https://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`
  }
  const raw: Record<string, any> = { // eslint-disable-line @typescript-eslint/no-explicit-any
    dataPlane: {
      host: '127.0.0.1',
      port: 0,
      tls: { cert: pki.server.cert, key: pki.server.key, clientCertificates: 'optional', clientCa: pki.ca.cert }
    },
    ops: { host: '127.0.0.1', port: 0, probeIntervalMs: 60000 },
    log: { level: 'info' },
    shutdown: { drainTimeoutMs: 5000 },
    // Keys in memory: each stack its own store (a test that needs the file sets one).
    idempotency: { file: ':memory:' },
    environments: {
      ecole: {
        upstream: {
          url: `${simulatorUrl}/services/DemandeLogementImplService/`,
          ca: pki.ca.cert,
          cert: pki.upstreamClient.cert,
          key: pki.upstreamClient.key,
          timeouts: { connectMs: 2000, headersMs: 5000, bodyMs: 5000 }
        }
      }
    }
  }
  options.edit?.(raw)
  // Inline validation with the shared spec and its fixed clock, unless a test asks for worker threads.
  raw.validation ??= {}
  raw.validation.workers ??= 0
  const config = createConfigValidator()(raw)
  const logs = new LogCapture()
  const logger = createLogger({ level: config.log.level, destination: logs })
  const gateway = await buildGateway(config, { spec, logger, ...options.deps })
  const addresses = await gateway.listen()
  const gatewayUrl = `https://127.0.0.1:${addresses.dataPlane.port}`
  const client = new Agent({
    connect: { ca: readFileSync(pki.ca.cert), cert: readFileSync(pki.client.cert), key: readFileSync(pki.client.key) }
  })
  return {
    pki,
    spec,
    sim,
    simulatorUrl,
    gateway,
    config,
    gatewayUrl,
    opsUrl: addresses.ops === undefined ? undefined : `http://127.0.0.1:${addresses.ops.port}`,
    logs,
    client,
    async post (path, body, contentType, headers = {}) {
      const before = logs.access().length
      const res = await request(gatewayUrl + path, { method: 'POST', body, headers: { 'content-type': contentType, ...headers }, dispatcher: client })
      const out = { status: res.statusCode, headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()) }
      // The access line is written when the server side of the response closes, which can come
      // just after the client has read it: wait for it (bounded), so that tests can read it.
      for (let i = 0; i < 2000 && logs.access().length <= before; i++) await new Promise((resolve) => setTimeout(resolve, 5))
      return out
    },
    async simulatorStats () {
      if (sim === undefined) return { total: 0, calls: {} }
      const res = await sim.admin.inject({ method: 'GET', url: '/stats' })
      return res.json()
    },
    async close () {
      await client.close()
      await gateway.close()
      await sim?.close()
    }
  }
}

/** A corpus case (test/fixtures/<name>/): its message and content type (cases generated at test time are skipped). */
export function corpusCase (name: string): { message: Buffer, contentType: string, soapAction?: string, operation: string | null, violations: string[] } | undefined {
  const dir = new URL(`../../fixtures/${name}/`, import.meta.url)
  const meta = JSON.parse(readFileSync(new URL('case.json', dir), 'utf8')) as { contentType?: string, soapAction?: string, generate?: string, operation: string | null, violations: string[] }
  if (meta.generate !== undefined || meta.contentType === undefined) return undefined
  const out = { message: readFileSync(new URL('message', dir)), contentType: meta.contentType, operation: meta.operation, violations: meta.violations }
  return meta.soapAction === undefined ? out : { ...out, soapAction: meta.soapAction }
}

/** A corpus message acting as another guichet: numGuichet and both file names (same length: the MIME framing holds). */
export function actingAs (name: string, guichet: string): { message: Buffer, contentType: string } {
  const c = corpusCase(name)!
  const text = c.message.toString('latin1')
    .replace(/<ns1:numGuichet>G1226</g, `<ns1:numGuichet>${guichet}<`)
    .replace(/DEMG1226-/g, `DEM${guichet}-`)
    .replace(/CERG1226-/g, `CER${guichet}-`)
  return { message: Buffer.from(text, 'latin1'), contentType: c.contentType }
}

export const FIXTURES_DIR = join(new URL('../../fixtures/', import.meta.url).pathname)

/**
 * Whether a refused message's HTTP status is its Fault's: 4xx for SOAP 1.2, 500 for a SOAP 1.1
 * Fault (SOAP 1.1 §6.2), but for HTTP's own conditions (413, 415).
 */
export function refusalStatusOk (status: number, body: Buffer): boolean {
  if (body.toString('utf8').includes('<soap:Fault>')) return status === 500 || status === 413 || status === 415
  return status >= 400 && status < 500
}
