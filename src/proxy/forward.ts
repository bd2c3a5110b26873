/**
 * Sends one SOAP call upstream: the ORIGINAL request bytes (never re-serialized: the SNE is
 * layout-sensitive), with the allowlisted headers, through the environment's dispatcher. Resolves
 * with the upstream's status, headers and body stream as soon as the headers arrive; rejects with
 * the transport error, for `upstream-errors.ts` to map.
 */
import type { IncomingHttpHeaders } from 'node:http'
import type { Readable } from 'node:stream'
import type { UpstreamRoute } from './upstreams.js'

export interface ForwardRequest {
  body: Buffer
  /** already allowlisted (`forward-headers.ts`) */
  headers: Record<string, string>
  /** reads: retried once on a connection-phase failure; writes: never retried */
  idempotent: boolean
  /** aborts the upstream call (client gone) */
  signal?: AbortSignal | undefined
}

export interface UpstreamAnswer {
  statusCode: number
  headers: IncomingHttpHeaders
  body: Readable
}

export async function forward (upstream: UpstreamRoute, request: ForwardRequest): Promise<UpstreamAnswer> {
  const answer = await upstream.dispatcher.request({
    origin: upstream.origin,
    path: upstream.path,
    method: 'POST',
    headers: request.headers,
    body: request.body,
    idempotent: request.idempotent,
    ...(request.signal === undefined ? {} : { signal: request.signal })
  })
  return { statusCode: answer.statusCode, headers: answer.headers as IncomingHttpHeaders, body: answer.body }
}
