/**
 * Who may use the ops plane, checked on every request before routing:
 *
 * - the Host header must name the ops plane (`ops.allowedHosts`; by default, when it listens on
 *   loopback, a loopback name): a web page on another site that a browser on the ops machine opens
 *   cannot reach the page and the census through a DNS name rebound to 127.0.0.1;
 * - with `ops.tokenFile`, every route but the health probes needs `Authorization: Bearer <token>`,
 *   compared in constant time. Probes stay open: kubelet and load balancers call them bare, and
 *   they disclose nothing but ready / not ready.
 *
 * The token is re-read on reload (SIGHUP): `opsBearer` holds the one in force, and a reload swaps it
 * between two requests.
 *
 * Refusals are `application/problem+json` (421 `GW_OPS_HOST_NOT_ALLOWED`, 401 `GW_OPS_UNAUTHORIZED`
 * with `WWW-Authenticate: Bearer`). `opsExposureWarning` is the start-time warning for an ops plane
 * reachable from the network without a token.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { GatewayError } from '../errors.js'
import { isLoopback } from '../tls/address-list.js'
import { readSecretFile } from '../tls/secret-files.js'
import { codes as configCodes } from '../config/errors.js'
import { codes } from './errors.js'

export interface OpsAccessOptions {
  /** the bearer token in force, read from `ops.tokenFile`; undefined: no token asked */
  token: OpsBearer | undefined
  /** host names (without port) the ops plane answers for; undefined: no check */
  allowedHosts: readonly string[] | undefined
}

const OPEN_PATHS = new Set(['/health/live', '/health/ready'])
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]', '::1']

/** The hosts checked by default: loopback names when bound to loopback, else none (no check). */
export function defaultAllowedHosts (host: string, configured: readonly string[] | undefined): readonly string[] | undefined {
  if (configured !== undefined) return configured
  return host === 'localhost' || isLoopback(host) ? LOOPBACK_NAMES : undefined
}

/** The warning to log at start, or undefined when the ops plane is loopback-only or has a token. */
export function opsExposureWarning (host: string, token: string | undefined): string | undefined {
  if (token !== undefined || host === 'localhost' || isLoopback(host)) return undefined
  return `the ops plane listens on ${host} without a token: whoever reaches it reads the metrics and the legacy-TLS census (client addresses, identities). Set ops.tokenFile, or keep it reachable only by the monitoring (a NetworkPolicy, a firewall)`
}

/** The host name of a Host header, lower-case, without its port. */
function hostName (header: string | undefined): string {
  if (header === undefined) return ''
  const text = header.toLowerCase()
  if (text.startsWith('[')) return text.slice(0, text.indexOf(']') + 1)
  const colon = text.indexOf(':')
  return colon === -1 ? text : text.slice(0, colon)
}

function digest (text: string): Buffer {
  return createHash('sha256').update(text).digest()
}

/** The ops plane's bearer token in force, replaced by a reload. */
export interface OpsBearer {
  /** true when `header` is `Bearer <the token in force>`, compared in constant time */
  admits (header: string | undefined): boolean
  replace (token: string): void
}

export function opsBearer (token: string): OpsBearer {
  // Compared as digests: equal lengths for timingSafeEqual, and nothing learned from the length.
  let expected = digest(`Bearer ${token}`)
  return {
    admits: (header) => header !== undefined && timingSafeEqual(digest(header), expected),
    replace (next) { expected = digest(`Bearer ${next}`) }
  }
}

function refuse (reply: FastifyReply, err: GatewayError, url: string): FastifyReply {
  return reply.code(err.statusCode).type('application/problem+json').send({
    type: 'about:blank', title: err.statusCode === 401 ? 'Unauthorized' : 'Misdirected request', status: err.statusCode, code: err.code, detail: err.message, instance: url.split('?')[0]
  })
}

/** Installs the checks on the ops plane (before any route answers). */
export function installOpsAccess (app: FastifyInstance, options: OpsAccessOptions): void {
  const allowed = options.allowedHosts === undefined ? undefined : new Set(options.allowedHosts.map((h) => h.toLowerCase()))
  const bearer = options.token
  if (allowed === undefined && bearer === undefined) return
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (allowed !== undefined) {
      const name = hostName(request.headers.host)
      if (!allowed.has(name)) return await refuse(reply, new codes.GW_OPS_HOST_NOT_ALLOWED(JSON.stringify(name.slice(0, 64))), request.url)
    }
    if (bearer !== undefined && !OPEN_PATHS.has(request.url.split('?')[0] ?? '')) {
      if (!bearer.admits(request.headers.authorization)) {
        reply.header('www-authenticate', 'Bearer realm="sne-gateway ops"')
        return await refuse(reply, new codes.GW_OPS_UNAUTHORIZED(), request.url)
      }
    }
  })
}

/** The bearer token of `ops.tokenFile`: its first line, at least 16 characters, no spaces. */
export async function readOpsToken (file: string | undefined): Promise<string | undefined> {
  if (file === undefined) return undefined
  const token = (await readSecretFile('/ops/tokenFile', file)).toString('utf8').split(/\r?\n/)[0] ?? ''
  if (token.length < 16 || /\s/.test(token)) throw new configCodes.GW_CONFIG_FILE_UNREADABLE('/ops/tokenFile', file, 'a token of at least 16 characters without spaces is expected on its first line (openssl rand -hex 32)')
  return token
}
