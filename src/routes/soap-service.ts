/**
 * POST `/{env}/services/DemandeLogementImplService/` (and `/services/…` by host name): the
 * proxied webservice. Lifecycle, one stage per concern (STYLE rule 15):
 * - content-type parser (`body-reader.ts`): the raw body as a Buffer, bounded by bodyLimit and the
 *   body budget, kept for forwarding;
 * - onRequest: environment, caller identity and the identity's limits, before the body is read;
 * - preValidation: the interface validation in the environment's mode for the operation, the
 *   guichets' authorization, then the acting guichets' limits;
 * - handler: forward the original bytes, stream the answer back unchanged;
 * - upstream failures mapped in one place (`proxy/upstream-errors.ts`).
 */
import { createHash } from 'node:crypto'
import type { Readable } from 'node:stream'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { forward, type UpstreamAnswer } from '../proxy/forward.js'
import { clientResponseHeaders, upstreamRequestHeaders } from '../proxy/forward-headers.js'
import { mapUpstreamError, type MappedUpstreamError } from '../proxy/upstream-errors.js'
import type { UpstreamRoute } from '../proxy/upstreams.js'
import { codes as guichetCodes } from '../guichets/errors.js'
import { answerStream } from './answer-stream.js'
import { kCall } from './call-state.js'
import type { DataPlaneContext } from './context.js'
import { responseDrift } from './response-drift.js'
import { ValidationFailure } from './validation-failure.js'
import { checkOf, type MessageCheck } from '../contract/message-check.js'
import type { AuditRecord } from '../observability/audit.js'
import { isGatewayError } from '../errors.js'
import type { Violation } from '../soap/types.js'

/** The SNE's service path, under an environment prefix or alone (environment by host name). */
export const SERVICE_PATH = '/services/DemandeLogementImplService/'

function header (request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name]
  return Array.isArray(value) ? value.join(', ') : value
}

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

/**
 * Answers up to this size (by their Content-Length) are read whole before they are sent, as
 * nginx buffers them: one write to the client instead of a stream piped chunk by chunk (about a
 * third more calls per second for the SNE's few-KB answers, bench/RESULTS.md), and an upstream
 * that fails mid-answer is answered a clean Fault rather than a cut answer. Larger or chunked
 * answers stream.
 */
export const BUFFERED_ANSWER_MAX = 256 * 1024

/** The whole body of an answer; rejects with the stream's error. */
async function readWhole (body: Readable): Promise<Buffer> {
  return await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = []
    body.on('data', (chunk: Buffer) => { chunks.push(chunk) })
    body.once('error', reject)
    body.once('end', () => { resolve(chunks.length === 1 ? chunks[0] as Buffer : Buffer.concat(chunks)) })
  })
}

/** Messages up to this size are identified on the event loop in mode off (larger: by the workers). */
export const IDENTIFY_INLINE_MAX = 64 * 1024

const isActionMismatch = (v: Violation): boolean => v.code === 'GW_SPEC_ACTION_MISMATCH'

const kFileName = Symbol('sne-gateway.fileName')
type WithFileName = FastifyRequest & { [kFileName]?: string | undefined }
const kRoute = Symbol('sne-gateway.route')
type WithRoute = FastifyRequest & { [kRoute]?: UpstreamRoute }

export function soapServiceRoutes (ctx: DataPlaneContext) {
  return async function plugin (app: FastifyInstance): Promise<void> {
    const onRequest = environmentHook(ctx)

    async function preValidation (request: FastifyRequest, reply: FastifyReply): Promise<void> {
      const state = request[kCall]
      const env = state.env as string
      const body = request.body as Buffer
      state.bytesIn = body.length
      const contentType = header(request, 'content-type')
      const soapAction = header(request, 'soapaction')
      // The operation is the Body's wrapper, read from the message: the mode, the retry rule, the
      // audit and the metrics all follow it. Where every mode is off, the message is only
      // decoded and identified (no XSD, no rules): on the event loop up to IDENTIFY_INLINE_MAX,
      // where a worker's copy and round trip cost more than the decode (bench/RESULTS.md), by the
      // workers beyond, where the decode would hold the event loop.
      const identifyOnly = ctx.policy.identifyOnly(env)
      let result: MessageCheck
      if (identifyOnly && body.length <= IDENTIFY_INLINE_MAX) {
        result = checkOf(ctx.spec.validateMessage(body, contentType, soapAction === undefined ? { identifyOnly } : { soapAction, identifyOnly }))
      } else {
        const started = ctx.now()
        result = await ctx.checker.check(body, contentType, soapAction, identifyOnly)
        if (!identifyOnly) {
          state.validationMs = ctx.now() - started
          ctx.metrics.validationDuration.observe({ operation: result.operation ?? 'unknown' }, state.validationMs / 1000)
        }
      }
      state.operation = result.operation
      state.soapVersion = result.soapVersion
      ;(request as WithFileName)[kFileName] = result.fileName
      state.expectedAction = result.operation === undefined ? undefined : ctx.spec.operations.get(result.operation)?.action
      const mode = ctx.policy.mode(env, result.operation)
      state.mode = mode
      // Refused in every mode, off and report included: a message whose operation cannot be
      // identified (no mode, retry rule or audit could then be chosen from it, and an upstream
      // might read another operation in it), and a declared action naming another operation than
      // the Body's (an upstream, a log or a metric reading it would see another call).
      const always = result.operation === undefined ? result.violations : result.violations.filter(isActionMismatch)
      const counted = mode === 'off' ? always : result.violations
      state.violations = counted.map((v) => v.code)
      for (const code of new Set(state.violations)) {
        ctx.metrics.validationFailures.inc({ env, operation: state.operation ?? 'unknown', code, mode })
      }
      const refused = mode === 'enforce' ? counted : always
      if (refused.length > 0) {
        state.outcome = 'invalid'
        throw new ValidationFailure(refused, ctx.statusOf)
      }
      authorizeGuichets(request, result)
      ;(request as WithRoute)[kRoute] = routeUpstream(request, result)
      ctx.limits.admitGuichets(request, reply, result.guichets)
      if (counted.length > 0) request.log.warn({ violations: state.violations, operation: state.operation }, 'invalid message forwarded (validation mode report)')
    }

    /** Who may act for which guichet, from the message, in every mode: throws a 403 when not. */
    function authorizeGuichets (request: FastifyRequest, result: MessageCheck): void {
      const state = request[kCall]
      const env = state.env as string
      try {
        ctx.guichets.authorize(env, state.identity, result.operation, result.guichets, request.log)
      } catch (err) {
        if (isGatewayError(err)) {
          ctx.metrics.guichetRefusals.inc({ env, identity: ctx.guichets.knows(env, state.identity) ? state.identity! : 'unknown', code: err.code })
          request.log.warn({ code: err.code, identity: state.identity, operation: state.operation }, 'guichet authorization refused the call')
        }
        throw err
      }
    }

    /**
     * The upstream credential of the guichets the message acts for. Where per-guichet credentials
     * are configured, a message whose guichets cannot all be read is refused (403), never sent
     * with a certificate chosen from part of it.
     */
    function routeUpstream (request: FastifyRequest, result: MessageCheck): UpstreamRoute {
      const state = request[kCall]
      const env = state.env as string
      const upstream = ctx.upstreams.byName.get(env)
      // resolve() refuses disabled environments, and every enabled one has an upstream.
      if (upstream === undefined) throw new Error(`no upstream for enabled environment ${env}`)
      const facts = result.guichets
      if (facts !== undefined) state.guichets = [...new Set([...facts.fileGuichets, ...facts.documentGuichets])].filter((g) => g !== '')
      if (!upstream.perGuichet) return upstream
      if (facts === undefined || !facts.complete) throw new guichetCodes.GW_GUICHET_UNREADABLE()
      const route = upstream.route(state.guichets ?? [])
      state.credential = route.credential
      return route
    }

    async function handler (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
      const state = request[kCall]
      const env = state.env as string
      const upstream = (request as WithRoute)[kRoute] as UpstreamRoute
      state.credential = upstream.credential
      const body = request.body as Buffer
      const operation = state.operation
      const write = !ctx.policy.isRead(operation)
      // A read is abandoned when its client goes away; a write runs to its end, so that its
      // outcome is known and logged even if nobody is left to read it.
      const abort = write ? undefined : new AbortController()
      if (abort !== undefined) reply.raw.once('close', () => { if (!reply.raw.writableEnded) abort.abort() })

      // A record for reconciliation: a write whose outcome, or whose answer's delivery, is unknown.
      const audit = (event: AuditRecord['event'], cause: string): void => {
        ctx.audit.record({
          event,
          reqId: request.id,
          clientRequestId: state.clientRequestId,
          env,
          operation: operation ?? 'unknown',
          identity: state.identity,
          bodySha256: createHash('sha256').update(body).digest('hex'),
          fileName: (request as WithFileName)[kFileName],
          cause
        })
      }

      // A failure before the answer is passed on: mapped once, recorded in the call's state.
      const failed = (err: unknown): MappedUpstreamError => {
        const mapped = mapUpstreamError(err, { env, operation: operation ?? 'unknown', write, reqId: request.id })
        state.upstreamError = mapped.code
        if (mapped.kind === 'aborted' && request.raw.destroyed) state.outcome = 'aborted'
        else state.outcome = mapped.outcomeUnknown ? 'outcome_unknown' : 'upstream_error'
        return mapped
      }

      const started = ctx.now()
      let answer: UpstreamAnswer
      try {
        answer = await forward(upstream, {
          body,
          headers: upstreamRequestHeaders(request.headers, request.id, state.expectedAction),
          idempotent: !write,
          signal: abort?.signal
        })
      } catch (err) {
        const mapped = failed(err)
        ctx.metrics.upstreamErrors.inc({ env, kind: mapped.kind })
        if (mapped.outcomeUnknown) audit('outcome_unknown', mapped.code)
        throw mapped.error
      }
      state.upstreamMs = ctx.now() - started
      state.upstreamStatus = answer.statusCode
      state.outcome = 'forwarded'
      ctx.metrics.upstreamDuration.observe({ env, operation: operation ?? 'unknown' }, state.upstreamMs / 1000)

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
      const auditDelivery = (event: 'answer_not_delivered' | 'answer_truncated', cause: string): void => {
        if (write) audit(event, cause)
      }
      reply.raw.once('close', () => {
        if (!reply.raw.writableEnded && state.outcome === 'forwarded') {
          state.outcome = 'aborted'
          auditDelivery('answer_not_delivered', 'client_closed')
        }
      })

      const declared = Number(answer.headers['content-length'])
      if (declared <= BUFFERED_ANSWER_MAX) {
        // Read whole, then sent in one write: a cut answer becomes a clean Fault, never a partial one.
        let whole: Buffer
        try {
          whole = await readWhole(answer.body)
        } catch (err) {
          const mapped = failed(err)
          // a client that went away is not an upstream error
          if (mapped.kind !== 'aborted' || !request.raw.destroyed) ctx.metrics.upstreamErrors.inc({ env, kind: mapped.kind })
          auditDelivery('answer_truncated', mapped.code)
          throw mapped.error
        }
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
