/**
 * Which headers cross the gateway. Requests: the content type with all its parameters (MTOM's
 * boundary, start, type and action), the SOAPAction of the validated operation, the Accept (what
 * form of answer the client reads) and the gateway's request id; everything else stays behind, credentials and cookies included. Answers: the content type and
 * length only, so that the client gets the upstream's bytes with the type that frames them.
 */
import type { IncomingHttpHeaders } from 'node:http'

/** Upstream answer headers returned to the client, when present. */
export const RETURNED_RESPONSE_HEADERS = ['content-type', 'content-length'] as const

function single (value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value
}

/**
 * The headers of the upstream request, computed from the validated message, never copied from a
 * list the client can edit. The Content-Type is the one the message was decoded with (it frames
 * the forwarded bytes: a client that names it in `Connection` does not make the gateway drop
 * it); a SOAPAction, when the client sent one, is the soapAction of the operation the Body was
 * found to be (validation refused any that named another); the request id is the gateway's own.
 */
export function upstreamRequestHeaders (incoming: IncomingHttpHeaders, requestId: string, operationAction: string | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  const contentType = single(incoming['content-type'])
  if (contentType !== undefined) out['content-type'] = contentType
  if (incoming.soapaction !== undefined && operationAction !== undefined) out.soapaction = `"${operationAction}"`
  // The answer's form is the client's to ask for (a JAX-WS endpoint answers MTOM to an Accept
  // that names application/xop+xml): the Accept crosses, it carries no credential.
  const accept = single(incoming.accept)
  if (accept !== undefined) out.accept = accept
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
