/**
 * The per-environment call limits of the data plane (`environments.<name>.limits`), built once from
 * the configuration with `limits/keyed-limiter.ts`: the caller's identity is admitted in onRequest,
 * before the body is read; the guichets a message acts for once it is decoded and authorized. An
 * admitted call holds its concurrency until its response closes (delivered or aborted: the release
 * counts once). A refused call is answered 429 with `Retry-After`, counted
 * (`sne_gateway_limit_refusals_total{env,limit,scope}`: bounded labels, no identity) and logged with
 * the identity and guichet codes only; nothing of it is forwarded.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { GatewayConfig } from '../config/schema.js'
import type { GuichetFacts } from '../contract/guichet-facts.js'
import { createKeyedLimiter, type Admission, type KeyedLimiter, type LimitRule } from '../limits/keyed-limiter.js'
import { codes } from '../limits/errors.js'
import type { GatewayMetrics } from '../observability/metrics.js'
import { kCall } from './call-state.js'
import { rateLimitFields } from '../limits/rate-limit-fields.js'
import { clientAddressOf } from '../tls/client-address.js'

export type LimitScope = 'identity' | 'guichet'

export interface CallLimits {
  /** onRequest of the environment's routes, after the environment and identity are known: throws a 429 */
  admitIdentity (request: FastifyRequest, reply: FastifyReply): void
  /** after the guichets' authorization: every guichet the message acts for; throws a 429 */
  admitGuichets (request: FastifyRequest, reply: FastifyReply, facts: GuichetFacts | undefined): void
  /** the limiter of a scope in an environment, undefined when unlimited (for RateLimit fields) */
  limiter (env: string, scope: LimitScope): KeyedLimiter | undefined
}

const limited = (rule: LimitRule | undefined): rule is LimitRule =>
  rule !== undefined && (rule.ratePerSecond !== undefined || rule.concurrent !== undefined)

export function buildCallLimits (config: GatewayConfig, metrics: GatewayMetrics, now: () => number): CallLimits {
  const limiters = new Map<string, Partial<Record<LimitScope, KeyedLimiter>>>()
  for (const [name, env] of Object.entries(config.environments)) {
    const scopes: Partial<Record<LimitScope, KeyedLimiter>> = {}
    if (limited(env.limits.identity)) scopes.identity = createKeyedLimiter(env.limits.identity)
    if (limited(env.limits.guichet)) scopes.guichet = createKeyedLimiter(env.limits.guichet)
    limiters.set(name, scopes)
  }

  const admit = (request: FastifyRequest, reply: FastifyReply, scope: LimitScope, keys: readonly string[]): void => {
    const state = request[kCall]
    const env = state.env as string
    const limiter = limiters.get(env)?.[scope]
    if (limiter === undefined || keys.length === 0) return
    const at = now()
    const admission: Admission = limiter.admit(keys, at)
    // JSON routes (the REST API) tell the caller where it stands: the RateLimit fields of its
    // identity's bucket on every answer, of the refusing key's on a refusal.
    const fields = (key: string | undefined): void => {
      if (state.format !== 'json' || key === undefined) return
      const values = limiter.rateLimit(key, at)
      if (values !== undefined) reply.headers(rateLimitFields(values))
    }
    if (admission.admitted) {
      // 'close' fires once per response, delivered or aborted.
      reply.raw.once('close', admission.release)
      if (scope === 'identity') fields(keys[0])
      return
    }
    fields(admission.key)
    metrics.limitRefusals.inc({ env, limit: admission.limit, scope })
    state.outcome = 'refused'
    const who = scope === 'identity' ? 'client' : 'guichet'
    const key = callerLabel(admission.key)
    request.log.warn({ limit: admission.limit, scope, identity: state.identity, guichet: scope === 'guichet' ? admission.key : undefined }, 'call refused by a limit')
    const options = { retryAfterSeconds: admission.retryAfterSeconds }
    throw admission.limit === 'rate'
      ? new codes.GW_LIMIT_RATE(who, key, String(limiter.rule.ratePerSecond), options)
      : new codes.GW_LIMIT_CONCURRENCY(who, key, limiter.rule.concurrent ?? 0, options)
  }

  return {
    admitIdentity (request, reply) {
      const state = request[kCall]
      // Unlimited: nothing allocated on the call's path.
      if (limiters.get(state.env as string)?.identity === undefined) return
      admit(request, reply, 'identity', [callerKey(state.identity, clientAddressOf(request.raw.socket))])
    },
    admitGuichets (request, reply, facts) {
      if (facts === undefined || limiters.get(request[kCall].env as string)?.guichet === undefined) return
      const acting = new Set<string>()
      for (const g of facts.fileGuichets) if (g !== '') acting.add(g)
      for (const g of facts.documentGuichets) if (g !== '') acting.add(g)
      admit(request, reply, 'guichet', [...acting])
    },
    limiter: (env, scope) => limiters.get(env)?.[scope]
  }
}

/**
 * The key a caller's limits and body share are counted under: its certificate identity, or, for a
 * call without one (client certificates `none` or `optional`), its address — callers without a
 * certificate do not share one share. The NUL prefix cannot begin a certificate identity.
 */
export function callerKey (identity: string | undefined, address: string): string {
  return identity ?? `\0${address}`
}

/** How a caller key is named in a Fault: the identity, or the address of a caller without one. */
export function callerLabel (key: string): string {
  return key.startsWith('\0') ? `(no certificate, ${key.slice(1)})` : key
}
