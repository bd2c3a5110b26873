// The gateway stack of the integration tests with the legacy-TLS census wired in as the CLI does:
// metrics made first, the census on their registry, its inspector as the connection observer, its
// routes and the ops page on the ops plane.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execFile } from 'node:child_process'
import tls from 'node:tls'
import { readFileSync } from 'node:fs'
import { request } from 'undici'
import { createMetrics } from '../../../src/observability/metrics.js'
import { createLogger } from '../../../src/observability/logger.js'
import { censusRoutes } from '../../../src/ops/census-routes.js'
import { opsPage } from '../../../src/ops/page.js'
import { buildTlsCensus, type TlsCensus, type TlsCensusOptions } from '../../../src/census/tls-census.js'
import { LogCapture, startStack, type Stack, type StackOptions } from '../../integration/helpers/gateway-stack.js'

export interface CensusStack extends Stack {
  tlsCensus: TlsCensus
  censusLogs: LogCapture
  ops (path: string): Promise<{ status: number, contentType: string, body: string }>
  port: number
}

/** A temporary directory removed by the test's teardown. */
export function tempDir (t: { teardown: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'census-it-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

export async function startCensusStack (options: { census?: TlsCensusOptions, clock?: () => Date, stack?: StackOptions } = {}): Promise<CensusStack> {
  const metrics = createMetrics()
  const censusLogs = new LogCapture()
  const logger = createLogger({ level: 'info', destination: censusLogs })
  const tlsCensus = buildTlsCensus(options.census ?? {}, { logger, registry: metrics.registry, ...(options.clock === undefined ? {} : { clock: options.clock }) })
  let stack: Stack
  try {
    stack = await startStack({
      ...options.stack,
      deps: {
        metrics,
        connectionObserver: tlsCensus,
        opsPlugins: [
          censusRoutes({ census: tlsCensus.census, registry: metrics.registry, ...(options.clock === undefined ? {} : { clock: options.clock }) }),
          opsPage({ registry: metrics.registry })
        ],
        ...options.stack?.deps
      }
    })
  } catch (err) {
    tlsCensus.close()
    throw err
  }
  return {
    ...stack,
    tlsCensus,
    censusLogs,
    port: Number(new URL(stack.gatewayUrl).port),
    async ops (path) {
      const res = await request(`${stack.opsUrl!}${path}`)
      return { status: res.statusCode, contentType: String(res.headers['content-type']), body: await res.body.text() }
    },
    async close () {
      await stack.close()
      tlsCensus.close()
    }
  }
}

/** Runs `openssl s_client` against the gateway (stdin closed: it ends after the handshake). */
export function sClient (port: number, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    const child = execFile('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, ...args], { timeout: 20000 }, (_err, stdout, stderr) => resolve(stdout + stderr))
    child.stdin?.end()
  })
}

/**
 * A Node TLS handshake; resolves with the negotiated protocol or the error code. Once established
 * it makes one HTTP request and waits for the answer: with TLS 1.3 the client is done before the
 * server has read its certificate and Finished, and leaving at once would fail the server's side.
 * `localAddress` (which node:tls hands to net.connect) makes another client address on loopback.
 */
export function nodeHandshake (port: number, options: tls.ConnectionOptions & { localAddress?: string }): Promise<string> {
  return new Promise((resolve) => {
    let protocol: string | undefined
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options }, () => {
      protocol = socket.getProtocol() ?? 'unknown'
      socket.end('GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')
    })
    socket.resume()
    socket.on('close', () => { if (protocol !== undefined) resolve(protocol) })
    socket.on('error', (err: NodeJS.ErrnoException) => { if (protocol === undefined) resolve(err.code ?? err.message) })
  })
}

/** Client credentials of the demo guichet, for node:tls. */
export function guichetCredentials (pki: { client: { cert: string, key: string }, ca: { cert: string } }): tls.ConnectionOptions {
  return { cert: readFileSync(pki.client.cert), key: readFileSync(pki.client.key), ca: readFileSync(pki.ca.cert), rejectUnauthorized: true, servername: 'localhost' }
}

/** Waits (bounded) until the census holds `n` rows matching `accept`. */
export async function waitForRows (tlsCensus: TlsCensus, n: number, accept: (row: ReturnType<TlsCensus['census']['clients']>[number]) => boolean = () => true): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (tlsCensus.census.clients().filter(accept).length >= n) return
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`the census did not reach ${n} rows`)
}
