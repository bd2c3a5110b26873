/**
 * POST `/{env}/services/DemandeLogementImplService/` (and `/services/…` by host name): the
 * proxied webservice. Lifecycle, one stage per concern (STYLE rule 15):
 * - content-type parser (`body-reader.ts`): the raw body as a Buffer, bounded by bodyLimit and the
 *   body budget, kept for forwarding;
 * - onRequest: environment, caller identity and the identity's limits, before the body is read;
 * - preValidation: the interface validation in the environment's mode for the operation, the
 *   guichets' authorization, then the acting guichets' limits (`soap-call.ts`, shared with REST);
 * - handler: forward the original bytes (`soap-call.ts`), stream the answer back unchanged;
 * - upstream failures mapped in one place (`proxy/upstream-errors.ts`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { clientResponseHeaders } from '../proxy/forward-headers.js'
import { mapUpstreamError } from '../proxy/upstream-errors.js'
import { answerStream } from './answer-stream.js'
import { kCall } from './call-state.js'
import type { DataPlaneContext } from './context.js'
import { responseDrift } from './response-drift.js'
import { soapCall, type OutgoingMessage } from './soap-call.js'

/** The SNE's service path, under an environment prefix or alone (environment by host name). */
export const SERVICE_PATH = '/services/DemandeLogementImplService/'

/**
 * onRequest of every environment-scoped route: resolves the environment, checks the caller and,
 * on the routes that take messages (`limited`), admits it under its identity's limits, before the
 * body is read. The WSDL publication is not limited: it reads no message and is answered from memory.
 */
export function environmentHook (ctx: DataPlaneContext, options: { limited: boolean } = { limited: true }) {
  return async function resolveEnvironment (request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const state = request[kCall]
    const params = request.params as { env?: string }
    const env = ctx.access.resolve(params.env, request.hostname)
    state.env = env.name
    state.identity = ctx.identityOf(request.raw.socket)
    ctx.access.authorize(env, state.identity)
    if (options.limited) ctx.limits.admitIdentity(request, reply)
  }
}

export { BUFFERED_ANSWER_MAX, IDENTIFY_INLINE_MAX } from './soap-call.js'

export function soapServiceRoutes (ctx: DataPlaneContext) {
  const call = soapCall(ctx)
  return async function plugin (app: FastifyInstance): Promise<void> {
    const onRequest = environmentHook(ctx)
    const messageOf = (request: FastifyRequest): OutgoingMessage => ({ body: request.body as Buffer, headers: request.headers })

    async function preValidation (request: FastifyRequest, reply: FastifyReply): Promise<void> {
      const body = request.body as Buffer
      request[kCall].bytesIn = body.length
      await call.check(request, reply, messageOf(request))
    }

    async function handler (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
      const state = request[kCall]
      const env = state.env as string
      const operation = state.operation
      const { answer, readAll, auditDelivery } = await call.send(request, reply, messageOf(request))

      // Only answers meant to follow the contract: a Fault or an outage page is not drift.
      const drift = ctx.policy.responses(env) === 'report' && answer.statusCode >= 200 && answer.statusCode < 300
      const contentType = typeof answer.headers['content-type'] === 'string' ? answer.headers['content-type'] : undefined
      // After delivery, off the answer's path: drift is counted, never blocking.
      const checkDrift = (copy: Buffer): void => {
        setImmediate(() => {
          const violations = responseDrift(ctx.spec, operation, copy, contentType)
          for (const code of new Set(violations.map((v) => v.code))) {
            ctx.metrics.responseDrift.inc({ env, operation: operation ?? 'unknown', code })
          }
          if (violations.length > 0) request.log.warn({ drift: violations.map((v) => v.code), operation }, 'upstream answer drifts from the interface specification')
        })
      }

      if (answer.body === undefined) {
        // Collected whole (≤ BUFFERED_ANSWER_MAX), then sent in one write: a cut answer becomes a
        // clean Fault, never a partial one.
        const whole = await readAll()
        state.bytesOut = whole.length
        if (drift) reply.raw.once('finish', () => { checkDrift(whole) })
        return await reply.code(answer.statusCode).headers(clientResponseHeaders(answer.headers)).send(whole)
      }

      const stream = answerStream(answer.body, {
        collectLimit: drift ? ctx.config.dataPlane.bodyLimit : 0,
        onProgress: (bytes) => { state.bytesOut = bytes },
        onEnd: (bytes, copy) => {
          state.bytesOut = bytes
          if (copy !== undefined) checkDrift(copy)
        },
        onError: (err, bytes) => {
          state.bytesOut = bytes
          const mapped = mapUpstreamError(err, { env, operation: operation ?? 'unknown', write: false, reqId: request.id })
          state.upstreamError = mapped.code
          state.outcome = mapped.kind === 'aborted' ? 'aborted' : 'upstream_error'
          if (mapped.kind !== 'aborted') ctx.metrics.upstreamErrors.inc({ env, kind: mapped.kind })
          auditDelivery('answer_truncated', mapped.code)
        }
      })
      return await reply.code(answer.statusCode).headers(clientResponseHeaders(answer.headers)).send(stream)
    }

    const route = { onRequest, preValidation, handler }
    app.post('/:env' + SERVICE_PATH, route)
    app.post(SERVICE_PATH, route)
  }
}
