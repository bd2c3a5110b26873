/**
 * The process logger: pino, JSON lines to stdout (pretty only when a person reads a terminal), with
 * allowlisted serializers and static redaction compiled once. Message bodies are never logged:
 * request and response serializers only ever emit the fields listed here, so a header or field added
 * by a client cannot reach the logs. Created once by the CLI (or a test) and handed to
 * `buildGateway` through its dependencies.
 */
import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino'
import type { IncomingHttpHeaders } from 'node:http'
import type { Socket } from 'node:net'
import { clientAddressOf } from '../tls/client-address.js'

/** Request headers that may appear in logs: none carries personal data or credentials. */
export const LOGGED_REQUEST_HEADERS = ['content-type', 'content-length', 'soapaction', 'user-agent', 'host', 'accept'] as const

/**
 * Redacted paths: credentials that could reach a log line through an error or a debug call. The
 * serializers already drop these headers; redaction is the second line of defence (STYLE rule 18).
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["proxy-authorization"]',
  'headers.cookie',
  '*.passphrase',
  '*.password',
  '*.Password',
  '*.PasswordText',
  '*.BinarySecurityToken',
  'config.dataPlane.tls.passphrase',
  'config.environments.*.upstream.passphrase',
  'config.environments.*.upstream.credentials.*.passphrase'
]

export function pickHeaders (headers: IncomingHttpHeaders, allowed: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of allowed) {
    const value = headers[name]
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value
  }
  return out
}

interface RequestLike {
  method?: string
  url?: string
  headers?: IncomingHttpHeaders
  socket?: { remoteAddress?: string | undefined, remotePort?: number | undefined }
  ip?: string
}

/** Serializers: requests and responses reduced to allowlisted fields; errors as pino's. */
export const serializers = {
  req (req: RequestLike) {
    return {
      method: req.method,
      // The path only: a query string is client text.
      url: typeof req.url === 'string' ? req.url.split('?')[0] : undefined,
      // The client's address as the listener knows it (a trusted balancer's PROXY header
      // included), not the socket's peer, which behind a balancer is the balancer.
      remoteAddress: req.socket === undefined ? req.ip : clientAddressOf(req.socket as Socket),
      headers: req.headers === undefined ? undefined : pickHeaders(req.headers, LOGGED_REQUEST_HEADERS)
    }
  },
  res (res: { statusCode?: number }) {
    return { statusCode: res.statusCode }
  },
  err: stdSerializers.err
}

export interface LoggerOptions {
  level: string
  /** pino-pretty in a worker thread; for a terminal only */
  pretty?: boolean
  /** where lines go (default: stdout); tests pass a capturing stream */
  destination?: DestinationStream
}

/** Creates the logger. With `pretty`, lines go through pino-pretty in a worker; call `flush` before exit. */
export function createLogger (options: LoggerOptions): Logger {
  const base = {
    level: options.level,
    base: { service: 'sne-gateway' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers,
    timestamp: pino.stdTimeFunctions.isoTime
  }
  if (options.destination !== undefined) return pino(base, options.destination)
  if (options.pretty === true) return pino({ ...base, transport: { target: 'pino-pretty', options: { destination: 1 } } })
  // Asynchronous stdout writes off the request path; the CLI flushes on shutdown.
  return pino(base, pino.destination({ dest: 1, sync: false }))
}

/** Flushes buffered lines (asynchronous destination or transport worker). */
export async function flushLogger (logger: Logger): Promise<void> {
  await new Promise<void>((resolve) => {
    logger.flush((err?: Error) => {
      // A closed stdout (EPIPE) must not block the shutdown.
      void err
      resolve()
    })
  })
}
