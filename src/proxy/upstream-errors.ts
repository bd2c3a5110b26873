/**
 * The one place that maps upstream transport failures (undici and socket errors, by `err.code`) to
 * the gateway's errors, in the manner of fastify-reply-from: refused/reset → 502, DNS → 503,
 * timeouts → 504, TLS → 502, closed pool → 503. A write (a non-idempotent operation) that failed
 * after it was sent becomes `GW_PROXY_OUTCOME_UNKNOWN`: the upstream may have carried it out, so
 * the client must check before sending it again, and the gateway writes an audit record.
 */
import type { GatewayError } from '../errors.js'
import { codes } from './errors.js'
import { wasRequestSent } from './interceptors/request-phase.js'

/** Label of `sne_gateway_upstream_errors_total`. */
export type UpstreamErrorKind = 'refused' | 'reset' | 'dns' | 'tls' | 'connect_timeout' | 'timeout' | 'unavailable' | 'aborted' | 'other'

const KIND_BY_CODE: Readonly<Record<string, UpstreamErrorKind>> = {
  ECONNREFUSED: 'refused',
  EHOSTUNREACH: 'refused',
  ENETUNREACH: 'refused',
  EHOSTDOWN: 'refused',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  UND_ERR_SOCKET: 'reset',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EAI_FAIL: 'dns',
  EAI_NODATA: 'dns',
  EAI_NONAME: 'dns',
  UND_ERR_CONNECT_TIMEOUT: 'connect_timeout',
  ETIMEDOUT: 'connect_timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  UND_ERR_CLOSED: 'unavailable',
  UND_ERR_DESTROYED: 'unavailable',
  UND_ERR_ABORTED: 'aborted',
  ABORT_ERR: 'aborted'
}

// OpenSSL verification results and Node's TLS error codes.
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|HOSTNAME_MISMATCH$|ERR_OSSL_)/

/** Failures that happen before a request is written: nothing reached the upstream. */
const CONNECTION_PHASE: ReadonlySet<UpstreamErrorKind> = new Set(['refused', 'dns', 'tls', 'connect_timeout'])

function codeOf (err: unknown): string | undefined {
  let current: unknown = err
  // The code may sit on a wrapped cause (undici wraps some socket errors).
  for (let depth = 0; depth < 4 && current !== null && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string') return code
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

/** The kind of an upstream failure, from its code. */
export function upstreamErrorKind (err: unknown): UpstreamErrorKind {
  const code = codeOf(err)
  if (code === undefined) return (err as { name?: string } | null)?.name === 'AbortError' ? 'aborted' : 'other'
  return KIND_BY_CODE[code] ?? (TLS_CODE.test(code) ? 'tls' : 'other')
}

/** True when the failure happened while connecting, so that the request was certainly not sent. */
export function isConnectionPhaseFailure (err: unknown): boolean {
  return CONNECTION_PHASE.has(upstreamErrorKind(err))
}

export interface MappedUpstreamError {
  kind: UpstreamErrorKind
  /** the error code as received (for logs and audit records), e.g. UND_ERR_HEADERS_TIMEOUT */
  code: string
  /** true when a write failed after it was sent */
  outcomeUnknown: boolean
  error: GatewayError
}

export interface MapContext {
  env: string
  operation: string
  /** true for operations that change upstream state (getNumUnique, declarationNouveauDalo) */
  write: boolean
  reqId: string
}

/** Maps an upstream failure to the gateway error answered to the client, keeping it as `cause`. */
export function mapUpstreamError (err: unknown, context: MapContext): MappedUpstreamError {
  const kind = upstreamErrorKind(err)
  const code = codeOf(err) ?? kind
  const cause = { cause: err }
  // A failure whose phase was not recorded counts as sent unless its kind proves otherwise: for a
  // write, "maybe done" is the safe assumption.
  const sent = !CONNECTION_PHASE.has(kind) && wasRequestSent(err) !== false
  if (context.write && sent && kind !== 'aborted') {
    return { kind, code, outcomeUnknown: true, error: new codes.GW_PROXY_OUTCOME_UNKNOWN(context.operation, context.env, context.reqId, cause) }
  }
  const error = (() => {
    switch (kind) {
      case 'refused': return new codes.GW_PROXY_UPSTREAM_UNREACHABLE(context.env, cause)
      case 'reset': return new codes.GW_PROXY_UPSTREAM_RESET(context.env, cause)
      case 'dns': return new codes.GW_PROXY_UPSTREAM_DNS(context.env, cause)
      case 'tls': return new codes.GW_PROXY_UPSTREAM_TLS(context.env, cause)
      case 'connect_timeout':
      case 'timeout': return new codes.GW_PROXY_UPSTREAM_TIMEOUT(context.env, cause)
      case 'unavailable': return new codes.GW_PROXY_UPSTREAM_UNAVAILABLE(context.env, cause)
      default: return new codes.GW_PROXY_UPSTREAM_FAILED(context.env, cause)
    }
  })()
  return { kind, code, outcomeUnknown: false, error }
}
