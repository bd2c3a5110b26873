/**
 * Which headers cross the gateway. Requests: an allowlist (the content type with all its
 * parameters — MTOM's boundary, start, type and action —, SOAPAction, and the gateway's request id);
 * everything else stays behind, credentials and cookies included. Answers: the content type and
 * length only, so that the client gets the upstream's bytes with the type that frames them.
 */
import type { IncomingHttpHeaders } from 'node:http'

/** Hop-by-hop headers (RFC 9110 §7.6.1) and their legacy relatives: never forwarded. */
export const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization',
  'te', 'trailer', 'transfer-encoding', 'upgrade', 'http2-settings'
])

/** Client request headers forwarded upstream, when present. */
export const FORWARDED_REQUEST_HEADERS = ['content-type', 'soapaction'] as const

/** Upstream answer headers returned to the client, when present. */
export const RETURNED_RESPONSE_HEADERS = ['content-type', 'content-length'] as const

function single (value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value
}

/**
 * The headers of the upstream request. Headers the client names in `Connection` are hop-by-hop for
 * this hop and are dropped before the allowlist applies: a client must not be able to make the
 * gateway forward, as end-to-end, a header it declared connection-specific (RFC 9110 §7.6.1), and the
 * request id is always the gateway's own.
 */
export function upstreamRequestHeaders (incoming: IncomingHttpHeaders, requestId: string): Record<string, string> {
  const connection = single(incoming.connection) ?? ''
  const listed = new Set(connection.split(',').map((t) => t.trim().toLowerCase()).filter((t) => t !== ''))
  const out: Record<string, string> = {}
  for (const name of FORWARDED_REQUEST_HEADERS) {
    if (listed.has(name) || HOP_BY_HOP.has(name)) continue
    const value = single(incoming[name])
    if (value !== undefined) out[name] = value
  }
  out['x-request-id'] = requestId
  return out
}

/** The headers of the answer to the client, from the upstream's. */
export function clientResponseHeaders (upstream: IncomingHttpHeaders | Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of RETURNED_RESPONSE_HEADERS) {
    const value = single(upstream[name])
    if (value !== undefined) out[name] = value
  }
  return out
}
