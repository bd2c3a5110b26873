/**
 * The Idempotency-Key protocol of the REST writes (every POST and PUT on `/demandes` and its
 * sub-resources; not the doublons search), after the IETF httpapi draft
 * "The Idempotency-Key HTTP Header Field" and Stripe's practice:
 *
 * - the key is required (400 without it, or malformed); its scope is (client identity,
 *   environment, key); the call's fingerprint is SHA-256 of its method, target and RFC 8785
 *   canonical JSON body (`fingerprint.ts`), computed on the body as the client sent it;
 * - the key is looked up first (a replay, a reuse or a call in flight is answered at once); a new
 *   key is recorded once its call has been checked, just before the message leaves (`sending`),
 *   directly as `sent` in one durable write, then moved to `done` with the answer's status,
 *   Location and numéro unique, or to `unknown` when the call failed after it was sent. Two calls
 *   with the same new key may both be checked: the first to record it is sent, the other is 409
 *   (422 if its fingerprint differs), so that exactly one is sent. A call refused before it was
 *   sent has written nothing;
 * - a retry of a `done` key gets the stored status and Location, and the demande re-read with
 *   getDemandeLogement (the store keeps no copy of it); the same key while its call is in
 *   progress is 409; with another fingerprint, 422;
 * - a retry of a creation whose outcome is unknown is reconciled (`reconciliation.ts`) before
 *   anything is sent again; any other write with an unknown outcome is 409, never resent.
 *
 * The REST routes call in with two lines: the route hooks (`hooks`) and `sending`.
 */
import { randomUUID } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { DataPlaneContext } from '../routes/context.js'
import { kCall } from '../routes/call-state.js'
import type { SoapCall } from '../routes/soap-call.js'
import { isGatewayError } from '../errors.js'
import { parsedBody } from '../rest/json-body.js'
import type { MessageInput } from '../rest/message-builder.js'
import type { RestContext } from '../rest/rest-routes.js'
import type { RestRoute } from '../rest/route-table.js'
import { codes } from './errors.js'
import { requestFingerprint } from './fingerprint.js'
import { sneReads } from './reads.js'
import { reconcileCreation, reconciliationOf } from './reconciliation.js'
import type { IdempotencyRecord, IdempotencyScope, IdempotencyStore } from './store.js'

/** The store and the wall clock the protocol runs on (ms since the epoch). */
export interface IdempotencyDeps {
  store: IdempotencyStore
  clock: () => Date
}

/** What a write holds while it runs: its record, as long as it owns it. */
interface Claim {
  scope: IdempotencyScope
  owner: string
  fingerprint: string
  route: RestRoute
  /** when the call arrived (the record's `createdAt`), ms since the epoch */
  createdAt: number
  /** attempts already sent under this key (1 when a reconciliation decided to send again) */
  attempts: number
  /**
   * `new`: the key has no record yet, written at `sending`; `held`: a record owned, not sent by
   * this call; `sent`; `over`: nothing more to record
   */
  phase: 'new' | 'held' | 'sent' | 'over'
}

const kClaim = Symbol('sne-gateway.idempotency-claim')
type WithClaim = FastifyRequest & { [kClaim]?: Claim }

/** Printable ASCII without the quote and the backslash, 1 to 255 characters. */
const KEY = /^[\x21\x23-\x5b\x5d-\x7e]{1,255}$/

/**
 * The key of an `Idempotency-Key` header: a structured-field string (`"…"`, as the IETF draft
 * writes it) or the same characters bare. Repeated headers arrive joined by `, `: refused.
 */
export function parseIdempotencyKey (value: string | string[] | undefined): string {
  if (value === undefined) throw new codes.GW_IDEMPOTENCY_KEY_REQUIRED()
  if (Array.isArray(value)) throw new codes.GW_IDEMPOTENCY_KEY_INVALID()
  const trimmed = value.trim()
  const key = trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed
  if (!KEY.test(key)) throw new codes.GW_IDEMPOTENCY_KEY_INVALID()
  return key
}

/** The routes that create a demande: the only writes a reconciliation may send again. */
const isCreation = (route: RestRoute): boolean => route.id === 'createDemande'

/** Errors after sending that prove the SNE did not carry the call out (it refused it, or failed before it). */
const DEFINITE = new Set(['GW_REST_SNE_ANOMALY', 'GW_REST_DEMANDE_NOT_FOUND', 'GW_REST_SNE_FAULT'])

export interface RestIdempotency {
  /** The hooks of a REST route: none for reads and the doublons search. */
  hooks (route: RestRoute): { preHandler?: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>, onSend?: (request: FastifyRequest, reply: FastifyReply, payload: unknown) => Promise<unknown>, onError?: (request: FastifyRequest, reply: FastifyReply, error: Error) => Promise<void> }
  /** Just before the write's message leaves: its record becomes `sent`, durably. */
  sending (request: FastifyRequest, input: MessageInput): Promise<void>
}

export function restIdempotency (ctx: DataPlaneContext, rest: RestContext, call: SoapCall, deps: IdempotencyDeps): RestIdempotency {
  const { store, clock } = deps
  const read = sneReads(ctx, rest, call)
  const settlingMs = ctx.config.idempotency.settlingDelayMs
  const count = (env: string, outcome: string): void => { ctx.metrics.idempotency.inc({ env, outcome }) }

  /** How long an attempt may last in the environment: the upstream's answer timeout. */
  const answerTimeoutMs = (env: string): number => {
    const t = ctx.config.environments[env]?.upstream.timeouts
    return t === undefined ? 60000 : t.headersMs + t.bodyMs
  }
  /** How long a record stays "in flight" once taken: connection, answer, then the settling delay. */
  const leaseMs = (env: string): number => (ctx.config.environments[env]?.upstream.timeouts.connectMs ?? 10000) + answerTimeoutMs(env) + settlingMs

  const audit = (request: FastifyRequest, record: Pick<IdempotencyRecord, 'scope' | 'fingerprint' | 'numUnique'>, event: 'idempotency_resend' | 'idempotency_outcome_unknown', cause: string): void => {
    const state = request[kCall]
    ctx.audit.record({
      event,
      reqId: request.id,
      clientRequestId: state.clientRequestId,
      env: record.scope.env,
      operation: 'getNumUnique',
      identity: state.identity,
      bodySha256: record.fingerprint,
      idempotencyKey: record.scope.key,
      numUnique: record.numUnique,
      cause
    })
  }

  /** A replay: the stored status and Location, the demande as the SNE reads it now. */
  async function replay (request: FastifyRequest, reply: FastifyReply, record: IdempotencyRecord): Promise<FastifyReply> {
    const nu = record.numUnique
    let body: Record<string, unknown> = { demandeLogement: { numUnique: nu } }
    if (nu !== undefined) {
      const outcome = await read(request, reply, { operation: 'getDemandeLogement', guichet: record.guichet, numUnique: nu }, 'demande')
      // A demande deleted since (SUP) reads as an anomaly: the stored answer stands, with its numéro unique only.
      if (outcome.kind === 'ok') body = outcome.body
    }
    return await answer(request, reply, record.status ?? 200, record.location, body)
  }

  async function answer (request: FastifyRequest, reply: FastifyReply, status: number, location: string | undefined, body: Record<string, unknown>): Promise<FastifyReply> {
    const text = JSON.stringify(body)
    request[kCall].bytesOut = Buffer.byteLength(text)
    if (location !== undefined) reply.header('location', location)
    return await reply.code(status).header('idempotency-replayed', 'true').type('application/json; charset=utf-8').send(text)
  }

  /** A retry of a record whose call was sent and whose outcome is unknown (or whose process stopped). */
  async function retryUnknown (request: FastifyRequest, reply: FastifyReply, route: RestRoute, record: IdempotencyRecord): Promise<FastifyReply | undefined> {
    const env = record.scope.env
    if (!isCreation(route)) {
      count(env, 'outcome_unknown')
      audit(request, record, 'idempotency_outcome_unknown', 'not_a_creation')
      throw new codes.GW_IDEMPOTENCY_OUTCOME_UNKNOWN('a write other than a creation is never sent again; read the demande to know whether it was applied, then use a new key')
    }
    const now = clock().getTime()
    const owner = randomUUID()
    if (!await store.takeOver(record.scope, record.owner, now, owner, now + leaseMs(env))) {
      count(env, 'in_flight')
      throw new codes.GW_IDEMPOTENCY_IN_FLIGHT({ retryAfterSeconds: 1 })
    }
    const claim: Claim = { scope: record.scope, owner, fingerprint: record.fingerprint, route, createdAt: record.createdAt, attempts: record.attempts, phase: 'held' }
    ;(request as WithClaim)[kClaim] = claim
    const decision = await reconcileCreation(request, reply, read, record, { now, waitMs: answerTimeoutMs(env) + settlingMs })
    switch (decision.kind) {
      case 'found': {
        const base = request.url.split('?')[0] ?? ''
        const location = `${base}/${encodeURIComponent(decision.numUnique)}`
        claim.phase = 'over'
        await store.update(claim.scope, owner, { state: 'done', status: 201, location, numUnique: decision.numUnique, reconciliation: undefined, leaseUntil: 0 })
        count(env, 'reconciled')
        return await answer(request, reply, 201, location, decision.body)
      }
      case 'resend':
        count(env, 'resent')
        audit(request, record, 'idempotency_resend', 'no_trace_after_settling')
        return undefined
      case 'unknown':
        claim.phase = 'over'
        await store.update(claim.scope, owner, { state: 'unknown', leaseUntil: 0 })
        count(env, 'outcome_unknown')
        audit(request, record, 'idempotency_outcome_unknown', decision.cause)
        throw new codes.GW_IDEMPOTENCY_OUTCOME_UNKNOWN(decision.reason, decision.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: decision.retryAfterSeconds })
    }
  }

  async function preHandler (route: RestRoute, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const key = parseIdempotencyKey(request.headers['idempotency-key'])
    // Parsed once for the fingerprint and the route's handler.
    const parsed = parsedBody(request)
    // Not JSON: the route answers its 400 (or 415), and nothing is recorded.
    if (!parsed.ok) return
    const body = parsed.value
    const state = request[kCall]
    const env = state.env as string
    const scope = { identity: state.identity ?? '', env, key }
    const fingerprint = requestFingerprint(request.method, request.url, body)
    const now = clock().getTime()
    const owner = randomUUID()
    const record = await store.get(scope)
    if (record === undefined) {
      // Recorded at `sending`, once the call is checked: a call refused before then writes nothing.
      ;(request as WithClaim)[kClaim] = { scope, owner, fingerprint, route, createdAt: now, attempts: 0, phase: 'new' }
      count(env, 'new')
      return
    }
    refuseTaken(record, fingerprint, now)
    if (record.state === 'done') {
      count(env, 'replayed')
      return await replay(request, reply, record)
    }
    if (record.state === 'received') {
      // Recorded by an earlier version's process that stopped before sending: nothing reached the SNE, the call proceeds.
      if (!await store.takeOver(scope, record.owner, now, owner, now + leaseMs(env))) throw new codes.GW_IDEMPOTENCY_IN_FLIGHT({ retryAfterSeconds: 1 })
      ;(request as WithClaim)[kClaim] = { scope, owner, fingerprint, route, createdAt: record.createdAt, attempts: 0, phase: 'held' }
      return
    }
    return await retryUnknown(request, reply, route, record)
  }

  /** Refuses a call whose key another call holds: with another fingerprint (422), or in flight (409). */
  function refuseTaken (record: IdempotencyRecord, fingerprint: string, now: number): void {
    const env = record.scope.env
    if (record.fingerprint !== fingerprint) {
      count(env, 'key_reused')
      throw new codes.GW_IDEMPOTENCY_KEY_REUSED()
    }
    if (record.state !== 'done' && record.leaseUntil > now) {
      count(env, 'in_flight')
      throw new codes.GW_IDEMPOTENCY_IN_FLIGHT({ retryAfterSeconds: Math.max(1, Math.ceil((record.leaseUntil - now) / 1000)) })
    }
  }

  /** The write answered: its record is done, with what a replay needs, and the search fields go. */
  async function onSend (request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
    const claim = (request as WithClaim)[kClaim]
    if (claim === undefined || claim.phase !== 'sent' || reply.statusCode >= 300) return payload
    claim.phase = 'over'
    const location = reply.getHeader('location')
    const where = typeof location === 'string' ? location : undefined
    const nu = where === undefined ? (request.params as { numUnique?: string }).numUnique : decodeURIComponent(where.slice(where.lastIndexOf('/') + 1))
    await store.update(claim.scope, claim.owner, { state: 'done', status: reply.statusCode, location: where, numUnique: nu, reconciliation: undefined, leaseUntil: 0 })
    return payload
  }

  /** The write failed: unknown when it may have been carried out, else its key is free again. */
  async function onError (request: FastifyRequest, _reply: FastifyReply, error: Error): Promise<void> {
    const claim = (request as WithClaim)[kClaim]
    // `new`: refused before it was sent, nothing was recorded.
    if (claim === undefined || claim.phase === 'over' || claim.phase === 'new') return
    const phase = claim.phase
    claim.phase = 'over'
    const code = isGatewayError(error) ? error.code : undefined
    if (phase === 'sent' && (code === undefined || !DEFINITE.has(code))) {
      await store.update(claim.scope, claim.owner, { state: 'unknown', leaseUntil: 0 })
      count(claim.scope.env, 'outcome_unknown')
    } else if (claim.attempts > 0) {
      // An earlier attempt's outcome is still unknown: the record stays, for the next retry.
      await store.update(claim.scope, claim.owner, { state: 'unknown', leaseUntil: 0 })
    } else {
      await store.release(claim.scope, claim.owner)
    }
  }

  return {
    hooks (route) {
      if (!route.write) return {}
      return {
        preHandler: async (request, reply) => await preHandler(route, request, reply),
        onSend,
        onError
      }
    },
    async sending (request, input) {
      const claim = (request as WithClaim)[kClaim]
      if (claim === undefined) return
      const env = claim.scope.env
      const now = clock().getTime()
      const reconciliation = isCreation(claim.route) && input.operation === 'getNumUnique' ? reconciliationOf(input.guichet, input.demandeLogement) : undefined
      if (claim.phase === 'new') {
        const begun = await store.begin({
          scope: claim.scope, fingerprint: claim.fingerprint, state: 'sent', route: claim.route.id, guichet: input.guichet, createdAt: claim.createdAt,
          sentAt: now, attempts: 1, owner: claim.owner, leaseUntil: now + leaseMs(env), reconciliation
        })
        if (!begun.created) {
          // Another call with the same key was recorded while this one was checked: it is the one sent.
          claim.phase = 'over'
          refuseTaken(begun.existing, claim.fingerprint, now)
          count(env, 'in_flight')
          throw new codes.GW_IDEMPOTENCY_IN_FLIGHT({ retryAfterSeconds: 1 })
        }
        claim.phase = 'sent'
        return
      }
      const held = await store.update(claim.scope, claim.owner, { state: 'sent', guichet: input.guichet, sentAt: now, attempts: claim.attempts + 1, leaseUntil: now + leaseMs(env), ...(reconciliation === undefined ? {} : { reconciliation }) })
      // Taken over (a lease that ended under a very slow check): the other call decides, nothing is sent.
      if (!held) {
        claim.phase = 'over'
        throw new codes.GW_IDEMPOTENCY_IN_FLIGHT({ retryAfterSeconds: 1 })
      }
      claim.phase = 'sent'
    }
  }
}
