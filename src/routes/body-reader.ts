/**
 * The data plane's request-body reader (a Fastify content-type parser for every media type): it
 * reads the request stream itself so that the bytes held are bounded as they arrive, not once the
 * body is whole. Each chunk is counted against `dataPlane.bodyLimit` and reserved from the body
 * budget (`limits/body-budget.ts`: the caller's identity's share and the gateway's total) before it
 * is kept; the chunks are concatenated once at the end. Over budget, the upload is stopped, the
 * bytes are given back at once, and the client is answered a Fault with `Retry-After` (Fastify
 * closes the connection of a call whose body was refused). Otherwise the reservation lasts until
 * the call ends: `routes/index.ts` releases it when the response closes, delivered or not.
 *
 * Decisions are made on the bytes received: a declared Content-Length only refuses early what
 * bodyLimit would refuse anyway.
 */
import type { IncomingMessage } from 'node:http'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { BodyBudget, BudgetScope } from '../limits/body-budget.js'
import { codes as limitCodes } from '../limits/errors.js'
import { kCall } from './call-state.js'
import { callerLabel } from './call-limits.js'
import { codes } from './errors.js'

/** The media types of SOAP 1.1/1.2 and MTOM messages, registered by name (see addBodyReader). */
const SOAP_MEDIA_TYPES = ['multipart/related', 'application/soap+xml', 'text/xml']

/**
 * Retry-After of a body refused for memory: the bytes come back as calls end, which the gateway
 * cannot foresee; a few seconds lets the uploads in progress finish.
 */
export const BODY_MEMORY_RETRY_SECONDS = 5

export interface BodyReaderOptions {
  bodyLimit: number
  budget: BodyBudget
  /** the key whose share a body counts against (`callerKey`: the identity, or the address of a caller without one) */
  identityOf: (request: FastifyRequest) => string
  /** a body refused for memory (counted and logged by the caller) */
  onRefused: (request: FastifyRequest, scope: BudgetScope) => void
}

type Done = (err: Error | null, body?: Buffer) => void

/**
 * Reads every body raw, whatever its media type (validation decides what is acceptable). The SOAP
 * media types are also registered by name, with the same parser: Fastify caches its parser lookup
 * per Content-Type string for named types, while a request served by the catch-all alone has its
 * (long, MTOM) Content-Type parsed again on every call.
 */
export function addBodyReader (app: FastifyInstance, options: BodyReaderOptions): void {
  const { bodyLimit, budget } = options
  app.removeAllContentTypeParsers()

  function read (request: FastifyRequest, payload: IncomingMessage, done: Done): void {
    const declared = Number(request.headers['content-length'])
    if (declared > bodyLimit) {
      done(new codes.GW_ROUTE_BODY_TOO_LARGE(bodyLimit))
      return
    }
    const identity = options.identityOf(request)
    const reservation = budget.open(identity)
    request[kCall].body = reservation
    // The chunk array is the only allocation per chunk: one Buffer.concat at the end.
    const chunks: Buffer[] = []
    let received = 0

    const stop = (err: Error): void => {
      payload.removeListener('data', onData)
      payload.removeListener('end', onEnd)
      payload.removeListener('error', onError)
      // What is still coming is discarded until the connection closes after the answer.
      payload.resume()
      chunks.length = 0
      reservation.release()
      done(err)
    }

    function onData (chunk: Buffer): void {
      received += chunk.length
      if (received > bodyLimit) {
        stop(new codes.GW_ROUTE_BODY_TOO_LARGE(bodyLimit))
        return
      }
      const over = reservation.add(chunk.length)
      if (over !== undefined) {
        options.onRefused(request, over)
        stop(over === 'total'
          ? new limitCodes.GW_LIMIT_BODY_MEMORY({ retryAfterSeconds: BODY_MEMORY_RETRY_SECONDS })
          : new limitCodes.GW_LIMIT_BODY_MEMORY_IDENTITY(callerLabel(identity), budget.perIdentityBytes, { retryAfterSeconds: BODY_MEMORY_RETRY_SECONDS }))
        return
      }
      chunks.push(chunk)
    }

    function onEnd (): void {
      payload.removeListener('data', onData)
      payload.removeListener('error', onError)
      if (!Number.isNaN(declared) && received !== declared) {
        stop(new codes.GW_ROUTE_BAD_REQUEST('FST_ERR_CTP_INVALID_CONTENT_LENGTH'))
        return
      }
      // Always a copy, as Fastify's own reader: the body never is a view of a socket read buffer.
      const body = Buffer.concat(chunks, received)
      chunks.length = 0
      done(null, body)
    }

    function onError (err: Error & { statusCode?: number }): void {
      // A client that went away mid-upload: Fastify's reader answers such errors 400.
      if (!(typeof err.statusCode === 'number' && err.statusCode >= 400)) err.statusCode = 400
      stop(err)
    }

    payload.on('data', onData)
    payload.on('end', onEnd)
    payload.on('error', onError)
    payload.resume()
  }

  app.addContentTypeParser(SOAP_MEDIA_TYPES, read)
  app.addContentTypeParser('*', read)
}
