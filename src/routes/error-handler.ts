/**
 * The data plane's one error handler: every error becomes a `GatewayError`, then is rendered for
 * the route's protocol — a SOAP Fault in the client's SOAP version (SOAP routes) or
 * application/problem+json (JSON routes). A 5xx the gateway did not anticipate answers a generic
 * reason and is logged with its stack; a 4xx answers its message, without stack; an upstream's own
 * text never reaches the client (STYLE rule 13).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { isGatewayError, type GatewayError } from '../errors.js'
import { renderFault } from '../soap/fault.js'
import type { Violation } from '../soap/types.js'
import { kCall } from './call-state.js'
import { codes } from './errors.js'
import { soapVersionFromContentType } from './soap-version.js'
import { ValidationFailure } from './validation-failure.js'

/** Turns anything thrown on the data plane into the gateway error to answer. */
export function toGatewayError (err: unknown, request: FastifyRequest, bodyLimit: number): GatewayError {
  if (isGatewayError(err)) return err
  const code = (err as FastifyError | undefined)?.code
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return new codes.GW_ROUTE_BODY_TOO_LARGE(bodyLimit, { cause: err })
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return new codes.GW_ROUTE_UNSUPPORTED_MEDIA_TYPE({ cause: err })
  }
  const status = (err as FastifyError | undefined)?.statusCode
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // Fastify's own client errors (bad Content-Length, empty body …): named by their code only.
    return new codes.GW_ROUTE_BAD_REQUEST(code ?? String(status), { cause: err })
  }
  return new codes.GW_ROUTE_INTERNAL(request.id, { cause: err })
}

/** The base of the problem types, `urn:sne-gateway:error:<code>`: names (stable, documented in docs/errors.md), not locators. */
export const PROBLEM_TYPE_BASE = 'urn:sne-gateway:error:'

/** The problem+json body (RFC 9457) of a gateway error; `instance` is the request id as a URI. */
export function problemOf (err: GatewayError, requestId: string, violations?: readonly Violation[]): Record<string, unknown> {
  return {
    type: PROBLEM_TYPE_BASE + err.code,
    title: err.message,
    status: err.statusCode,
    code: err.code,
    instance: `urn:uuid:${requestId}`,
    ...(violations === undefined ? {} : { violations }),
    ...err.problem
  }
}

export interface ErrorHandlerOptions {
  bodyLimit: number
  /** true once the gateway drains: answers close their connection */
  draining: () => boolean
}

export function buildErrorHandler (options: ErrorHandlerOptions) {
  return function errorHandler (this: unknown, err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const state = request[kCall]
    const error = toGatewayError(err, request, options.bodyLimit)
    const log = request.log
    if (error.code === codes.GW_ROUTE_INTERNAL.code) {
      log.error({ err }, 'internal error')
    } else if (error.statusCode >= 500) {
      log.warn({ code: error.code, cause: (err as { cause?: { code?: string } }).cause?.code }, error.message)
    }
    if (state !== undefined) {
      state.faultCode = error.code
      state.outcome ??= error.statusCode >= 500 ? 'error' : 'refused'
    }
    if (options.draining()) reply.header('connection', 'close')
    if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds))
    const violations = error instanceof ValidationFailure ? error.violations : undefined
    if (state?.format === 'json') {
      const body = JSON.stringify(problemOf(error, request.id, violations))
      if (state !== undefined) state.bytesOut = Buffer.byteLength(body)
      return reply.code(error.statusCode).type('application/problem+json; charset=utf-8').send(body)
    }
    const soapVersion = state?.soapVersion ?? soapVersionFromContentType(request.headers['content-type'])
    const fault = renderFault({
      soapVersion,
      code: error.statusCode >= 500 ? 'Receiver' : 'Sender',
      subcode: error.code,
      reason: error.message,
      lang: 'en',
      ...(violations === undefined ? {} : { violations: [...violations] }),
      statusCode: error.statusCode
    })
    if (state !== undefined) state.bytesOut = Buffer.byteLength(fault.body)
    return reply.code(fault.statusCode).type(fault.contentType).send(fault.body)
  }
}
