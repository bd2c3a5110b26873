/**
 * One SOAP call through the gateway, whichever route it came by: the SOAP webservice forwards the
 * client's message, the REST API the message it built from JSON. Both go through `check` (the
 * interface validation in the environment's mode, the guichets' authorization, the upstream
 * credential of the acting guichets, the guichets' limits) and `send` (the bytes forwarded as
 * checked, upstream failures mapped once, the audit of writes whose outcome or delivery is
 * unknown), so that REST gets every guarantee of SOAP by construction, not by copy.
 */
import { createHash } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import type { Readable } from 'node:stream'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { forward, type UpstreamAnswer } from '../proxy/forward.js'
import { upstreamRequestHeaders } from '../proxy/forward-headers.js'
import { mapUpstreamError, type MappedUpstreamError } from '../proxy/upstream-errors.js'
import type { UpstreamRoute } from '../proxy/upstreams.js'
import type { ShedReason, UpstreamQueue } from '../proxy/upstream-queue.js'
import { codes as guichetCodes } from '../guichets/errors.js'
import { checkHere, type MessageCheck } from '../contract/message-check.js'
import { identifyScanner } from '../contract/identify-scanner.js'
import type { AuditRecord } from '../observability/audit.js'
import { isGatewayError } from '../errors.js'
import type { Violation } from '../soap/types.js'
import { kCall } from './call-state.js'
import type { DataPlaneContext } from './context.js'
import { ValidationFailure } from './validation-failure.js'

/** A SOAP message on its way upstream: its bytes and the headers it came (or was built) with. */
export interface OutgoingMessage {
  body: Buffer
  /** `content-type` and, for SOAP 1.1, `soapaction` */
  headers: IncomingHttpHeaders
}

/** What `send` resolves with: the answer's status and headers, its body still to be read. */
export interface SentCall {
  answer: UpstreamAnswer
  /** a write: its outcome matters even when nobody reads the answer (audit) */
  write: boolean
  /** reads the answer whole; a failure is mapped (and a write's cut answer audited) and thrown */
  readAll (): Promise<Buffer>
  /** audits a write whose answer was cut or never delivered */
  auditDelivery (event: 'answer_not_delivered' | 'answer_truncated', cause: string): void
}

/**
 * Answers up to this size (by their Content-Length) are read whole before they are sent, as
 * nginx buffers them: one write to the client instead of a stream piped chunk by chunk (about a
 * third more calls per second for the SNE's few-KB answers, bench/RESULTS.md), and an upstream
 * that fails mid-answer is answered a clean Fault rather than a cut answer. Larger or chunked
 * answers stream.
 */
export const BUFFERED_ANSWER_MAX = 256 * 1024

/** Messages up to this size are identified on the event loop in mode off (larger: by the workers). */
export const IDENTIFY_INLINE_MAX = 64 * 1024

const isActionMismatch = (v: Violation): boolean => v.code === 'GW_SPEC_ACTION_MISMATCH'

/** What `check` leaves on the request for `send`. */
interface Checked {
  route: UpstreamRoute
  fileName: string | undefined
}
const kChecked = Symbol('sne-gateway.checked')
type WithChecked = FastifyRequest & { [kChecked]?: Checked }

function single (value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value
}

/** The whole body of an answer; rejects with the stream's error (also one it had before this call). */
export async function readWhole (body: Readable): Promise<Buffer> {
  return await new Promise<Buffer>((resolve, reject) => {
    if (body.errored != null) {
      reject(body.errored)
      return
    }
    const chunks: Buffer[] = []
    body.on('data', (chunk: Buffer) => { chunks.push(chunk) })
    body.once('error', reject)
    body.once('end', () => { resolve(chunks.length === 1 ? chunks[0] as Buffer : Buffer.concat(chunks)) })
  })
}

export interface SoapCall {
  /**
   * Validates, authorizes and routes `message` (the call's environment and identity are known):
   * throws the refusal (a Fault or problem for the caller), nothing forwarded.
   */
  check (request: FastifyRequest, reply: FastifyReply, message: OutgoingMessage): Promise<MessageCheck>
  /** Forwards the checked message; resolves once the answer's headers arrived. */
  send (request: FastifyRequest, reply: FastifyReply, message: OutgoingMessage): Promise<SentCall>
}

export function soapCall (ctx: DataPlaneContext): SoapCall {
  const scans = {
    answered: ctx.metrics.identifyScans.labels({ result: 'answered' }),
    deferred: ctx.metrics.identifyScans.labels({ result: 'deferred' }),
    failed: ctx.metrics.identifyScans.labels({ result: 'failed' })
  }
  const scanner = identifyScanner(ctx.spec, (outcome) => { scans[outcome].inc() })

  /**
   * The identify-only check on the event loop: the byte scanner's for the plain forms normal
   * clients send (a fraction of the full decode's cost), else the full decode's. Both give the
   * same check: the scanner answers only where it is sure to (src/contract/identify-scanner.ts).
   */
  function identifyHere (body: Buffer, contentType: string | undefined, soapAction: string | undefined): MessageCheck {
    return scanner.scan(body, contentType, soapAction) ?? checkHere(ctx.spec, body, contentType, soapAction, { identifyOnly: true })
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

  return {
    async check (request, reply, message) {
      const state = request[kCall]
      const env = state.env as string
      const body = message.body
      const contentType = single(message.headers['content-type'])
      const soapAction = single(message.headers.soapaction)
      // The operation is the Body's wrapper, read from the message: the mode, the retry rule, the
      // audit and the metrics all follow it. Where every mode is off, the message is only
      // decoded and identified (no XSD, no rules): on the event loop up to IDENTIFY_INLINE_MAX,
      // where a worker's copy and round trip cost more than the decode (bench/RESULTS.md), by the
      // workers beyond, where the decode would hold the event loop. A full validation goes to the
      // checker, which keeps messages under `validation.inlineBelow` on the event loop too.
      const identifyOnly = ctx.policy.identifyOnly(env)
      let result: MessageCheck
      if (identifyOnly && body.length <= IDENTIFY_INLINE_MAX) {
        result = identifyHere(body, contentType, soapAction)
      } else {
        const started = ctx.now()
        result = await ctx.checker.check(body, contentType, soapAction, { identifyOnly })
        if (!identifyOnly) {
          state.validationMs = ctx.now() - started
          ctx.metrics.validationDuration.observe({ operation: result.operation ?? 'unknown' }, state.validationMs / 1000)
        }
      }
      state.operation = result.operation
      state.soapVersion = result.soapVersion
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
      ;(request as WithChecked)[kChecked] = { route: routeUpstream(request, result), fileName: result.fileName }
      ctx.limits.admitGuichets(request, reply, result.guichets)
      if (counted.length > 0) request.log.warn({ violations: state.violations, operation: state.operation }, 'invalid message forwarded (validation mode report)')
      return result
    },

    async send (request, reply, message) {
      const state = request[kCall]
      const env = state.env as string
      const checked = (request as WithChecked)[kChecked]
      if (checked === undefined) throw new Error('send before check')
      const upstream = checked.route
      state.credential = upstream.credential
      const body = message.body
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
          fileName: checked.fileName,
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

      // One of the pool's connections, or a 503 (queue full: at once; else after the longest wait).
      await takeConnection(upstream.queue, (reason) => {
        state.outcome = 'refused'
        ctx.metrics.upstreamShed.inc({ env, reason })
      })
      let released = false
      const release = (): void => {
        if (released) return
        released = true
        upstream.queue.release()
      }
      const started = ctx.now()
      const auditDelivery = (event: 'answer_not_delivered' | 'answer_truncated', cause: string): void => {
        if (write) audit(event, cause)
      }
      // At the answer's headers, before a collected answer's body is read.
      const onHeaders = (statusCode: number): void => {
        state.upstreamMs = ctx.now() - started
        state.upstreamStatus = statusCode
        state.outcome = 'forwarded'
        ctx.metrics.upstreamDuration.observe({ env, operation: operation ?? 'unknown' }, state.upstreamMs / 1000)
        reply.raw.once('close', () => {
          if (!reply.raw.writableEnded && state.outcome === 'forwarded') {
            state.outcome = 'aborted'
            auditDelivery('answer_not_delivered', 'client_closed')
          }
        })
      }
      let answer: UpstreamAnswer
      try {
        answer = await forward(upstream, {
          body,
          headers: upstreamRequestHeaders(message.headers, request.id, state.expectedAction),
          idempotent: !write,
          signal: abort?.signal,
          collectMax: BUFFERED_ANSWER_MAX,
          onHeaders
        })
      } catch (err) {
        release()
        const mapped = failed(err)
        ctx.metrics.upstreamErrors.inc({ env, kind: mapped.kind })
        if (mapped.outcomeUnknown) audit('outcome_unknown', mapped.code)
        throw mapped.error
      }
      // The connection is the call's until its answer is read or dropped.
      if (answer.body === undefined || answer.body.closed) release()
      else answer.body.once('close', release)

      // A failure while the answer was read: mapped (a write's cut answer audited) and thrown.
      const cut = (err: unknown): never => {
        const mapped = failed(err)
        // a client that went away is not an upstream error
        if (mapped.kind !== 'aborted' || !request.raw.destroyed) ctx.metrics.upstreamErrors.inc({ env, kind: mapped.kind })
        auditDelivery('answer_truncated', mapped.code)
        throw mapped.error
      }
      return {
        answer,
        write,
        auditDelivery,
        async readAll () {
          if (answer.whole !== undefined) return answer.whole
          if (answer.body === undefined) return cut(answer.cut)
          try {
            return await readWhole(answer.body)
          } catch (err) {
            return cut(err)
          }
        }
      }
    }
  }
}

/**
 * Waits for a slot of the upstream queue; a refusal is reported to `onShed` with its reason, then
 * thrown (a 503 with Retry-After).
 */
async function takeConnection (queue: UpstreamQueue, onShed: (reason: ShedReason) => void): Promise<void> {
  let admitted: true | Promise<void>
  try {
    admitted = queue.acquire()
  } catch (err) {
    onShed('queue_full')
    throw err
  }
  if (admitted === true) return
  try {
    await admitted
  } catch (err) {
    onShed('queue_timeout')
    throw err
  }
}
