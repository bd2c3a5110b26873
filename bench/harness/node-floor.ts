/**
 * The bare Node floor: what Node's TLS and HTTP cost on this machine for the gateway's job, with
 * nothing of the gateway's own (no Fastify, no validation, no access log, metrics or hooks).
 *
 * It reads the very configuration file the gateway is started with and builds its parts with the
 * gateway's own option builders, so that only the framework and the gateway's work differ:
 * - the data plane's `node:https` server of `createDataPlaneServer` (certificate, TLS versions,
 *   ciphers, curves, client-certificate mode and CA, session tickets, timeouts, renegotiation
 *   refused), listening directly (no TLS census inspector in front of it);
 * - the environment's upstream as the gateway's default credential pool (`createUpstreamPool`:
 *   undici `Pool` with `upstream.connections` + 1 connections, same TLS client credential);
 * - the same buffering: the request body is read whole (bounded by `dataPlane.bodyLimit`), sent
 *   upstream as one Buffer with the content type, SOAPAction and Accept, and the answer streamed
 *   back with its status, content type and length.
 *
 * POST `/{environment}/services/DemandeLogementImplService/` only; anything else is a 404.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Server } from 'node:https'
import type { Dispatcher } from 'undici'
import type { GatewayConfig } from '../../src/config/schema.js'
import { clientResponseHeaders } from '../../src/proxy/forward-headers.js'
import { createUpstreamPool, DEFAULT_CREDENTIAL, readUpstreamTlsMaterial } from '../../src/proxy/upstream-pool.js'
import { createDataPlaneServer, readServerTlsMaterial } from '../../src/tls/server-options.js'

/** The SOAP service's path under an environment's prefix, as on the gateway. */
export const FLOOR_SERVICE_SUFFIX = '/services/DemandeLogementImplService/'

export interface NodeFloor {
  /** not listening yet */
  server: Server
  /** closes the upstream pool (after `server.close()`) */
  close: () => Promise<void>
}

/** The request headers the floor forwards, as they came (the gateway allowlists the same ones). */
const FORWARDED = ['content-type', 'soapaction', 'accept'] as const

function fail (res: ServerResponse, status: number): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  res.writeHead(status, { 'content-length': '0' }).end()
}

/** The floor of `config` in front of environment `environment`'s upstream. */
export async function createNodeFloor (config: GatewayConfig, environment = 'ecole'): Promise<NodeFloor> {
  const env = config.environments[environment]
  if (env === undefined) throw new Error(`no environment ${environment} in the configuration`)
  const material = await readServerTlsMaterial(config.dataPlane.tls)
  const upstreamMaterial = (await readUpstreamTlsMaterial(environment, env)).get(DEFAULT_CREDENTIAL)!
  const url = new URL(env.upstream.url)
  const pool: Dispatcher = createUpstreamPool({ name: environment, credential: DEFAULT_CREDENTIAL, origin: url.origin, path: url.pathname, config: env, tls: upstreamMaterial })
  const servicePath = `/${environment}${FLOOR_SERVICE_SUFFIX}`
  const bodyLimit = config.dataPlane.bodyLimit

  const forward = async (req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> => {
    const headers: Record<string, string> = {}
    for (const name of FORWARDED) {
      const v = req.headers[name]
      if (typeof v === 'string') headers[name] = v
    }
    try {
      const answer = await pool.request({ origin: url.origin, path: url.pathname, method: 'POST', headers, body })
      res.writeHead(answer.statusCode, clientResponseHeaders(answer.headers))
      answer.body.on('error', () => { res.destroy() })
      answer.body.pipe(res)
    } catch {
      fail(res, 502)
    }
  }

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'POST' || req.url !== servicePath) {
      req.resume()
      fail(res, 404)
      return
    }
    const declared = Number(req.headers['content-length'] ?? 0)
    if (declared > bodyLimit) {
      req.resume()
      fail(res, 413)
      return
    }
    const chunks: Buffer[] = []
    let received = 0
    req.on('data', (chunk: Buffer) => {
      received += chunk.length
      if (received > bodyLimit) {
        fail(res, 413)
        req.destroy()
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => {
      if (received > bodyLimit) return
      void forward(req, res, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received))
    })
    req.on('error', () => { res.destroy() })
  }

  const server = createDataPlaneServer(config.dataPlane, material, handler)
  return { server, close: async () => { await pool.close() } }
}
