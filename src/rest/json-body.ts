/**
 * The JSON of a REST call's body, parsed once per request. A write needs it twice: the
 * Idempotency-Key fingerprint (`idempotency/rest-idempotency.ts`, a preHandler) and the route's
 * handler (`rest-routes.ts`); parsing a demande twice cost every creation a second `JSON.parse`
 * on the event loop (bench/RESULTS.md). The outcome, a value or the parser's error, is kept on
 * the request; the handler still decides what an error means (400, or 415 first).
 */
import type { FastifyRequest } from 'fastify'

export type ParsedBody = { ok: true, value: unknown } | { ok: false, error: Error }

const kParsedBody = Symbol('sne-gateway.rest-json-body')
type WithParsedBody = FastifyRequest & { [kParsedBody]?: ParsedBody }

/** `JSON.parse` of the request's body as UTF-8 (an absent body parses as ''), once per request. */
export function parsedBody (request: FastifyRequest): ParsedBody {
  const holder = request as WithParsedBody
  let parsed = holder[kParsedBody]
  if (parsed === undefined) {
    try {
      parsed = { ok: true, value: JSON.parse((request.body as Buffer | undefined)?.toString('utf8') ?? '') }
    } catch (err) {
      parsed = { ok: false, error: err instanceof Error ? err : new Error(String(err)) }
    }
    holder[kParsedBody] = parsed
  }
  return parsed
}
