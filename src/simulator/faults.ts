/**
 * Fault injection: rules set by configuration or by the admin API decide, per request, whether
 * to add latency and which failure to produce. Each rule targets one operation (or `*`) and
 * fires by probability or for the next N calls. Every injected fault is counted.
 *
 * The injector only decides; `soap-routes.ts` carries the decision out on the connection.
 */
import { Ajv, type ErrorObject } from 'ajv'
import { codes } from './errors.js'
import { describeSchemaErrors } from './schema-errors.js'

export const FAULT_KINDS = ['latency', 'slow-commit', 'soap-fault', 'http-503', 'reset-before-body', 'reset-after-body', 'truncate'] as const

export type FaultKind = typeof FAULT_KINDS[number]

/** A rule as configured or posted to the admin API. */
export interface FaultRuleInput {
  kind: FaultKind
  /** a WSDL operation name, or `*` (default) for every request */
  operation?: string
  /** fire with this probability (0–1) … */
  probability?: number
  /** … or for the next `count` matching calls */
  count?: number
  /** the added delay, for `latency` (after processing) and `slow-commit` (before it) */
  latencyMs?: number
}

/** A rule as the injector holds it. */
export interface FaultRule {
  id: string
  kind: FaultKind
  operation: string
  probability?: number
  /** calls left, for a counted rule */
  remaining?: number
  latencyMs?: number
  /** how many times this rule fired */
  injected: number
}

/** The JSON schema of a rule, shared by the options and the admin API. */
export const faultRuleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind'],
  properties: {
    kind: { enum: [...FAULT_KINDS] },
    operation: { type: 'string', minLength: 1, maxLength: 100 },
    probability: { type: 'number', minimum: 0, maximum: 1 },
    count: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    latencyMs: { type: 'integer', minimum: 0, maximum: 600_000 }
  },
  oneOf: [{ required: ['probability'] }, { required: ['count'] }],
  if: { properties: { kind: { enum: ['latency', 'slow-commit'] } } },
  then: { required: ['latencyMs'] },
  else: { not: { required: ['latencyMs'] } }
} as const

/** The terminal faults, in the phase where they happen. */
export type BeforeBodyFault = 'reset-before-body'
export type AfterBodyFault = 'soap-fault' | 'http-503' | 'reset-after-body' | 'truncate'

export interface AfterBodyDecision {
  /** total latency to add before answering (0: none) */
  latencyMs: number
  /** total delay before the call is processed (`slow-commit`), when any */
  delayBeforeMs?: number
  fault: AfterBodyFault | undefined
}

export interface FaultCounters {
  /** injected faults by kind, then by operation (`?` when the operation was not known yet) */
  injected: Record<string, Record<string, number>>
  total: number
}

export interface FaultInjector {
  /** validates and adds a rule; throws GW_SIM_FAULT_RULE_INVALID */
  add (input: unknown): FaultRule
  /** removes a rule; false when there was none with this id */
  remove (id: string): boolean
  clear (): void
  rules (): FaultRule[]
  /** before the body is read: only the operation named by the action header, if any, is known */
  beforeBody (operation: string | undefined): BeforeBodyFault | undefined
  /** after the body is read and the operation known */
  afterBody (operation: string | undefined): AfterBodyDecision
  counters (): FaultCounters
}

export interface FaultInjectorOptions {
  /** the operations a rule may name (besides `*`) */
  operations: readonly string[]
  /** uniform in [0, 1); Math.random by default, fixed in tests */
  random?: () => number
}

function describe (errors: ErrorObject[] | null | undefined): string {
  return describeSchemaErrors(errors, '(rule)')
}

/** Builds an injector with no rule; `add` the configured ones. */
export function createFaultInjector (options: FaultInjectorOptions): FaultInjector {
  const random = options.random ?? Math.random
  const operations = new Set(options.operations)
  const validate = new Ajv({ allErrors: true }).compile<FaultRuleInput>(faultRuleSchema)
  let rules: FaultRule[] = []
  let nextId = 1
  const injected: Record<string, Record<string, number>> = {}
  let total = 0

  function count (kind: FaultKind, operation: string | undefined): void {
    const byOp = (injected[kind] ??= {})
    const key = operation ?? '?'
    byOp[key] = (byOp[key] ?? 0) + 1
    total++
  }

  /** Whether `rule` fires on this call; a counted rule spends one of its calls. */
  function fires (rule: FaultRule, operation: string | undefined): boolean {
    if (rule.operation !== '*' && rule.operation !== operation) return false
    if (rule.remaining !== undefined) {
      if (rule.remaining === 0) return false
      rule.remaining--
    } else if (!(random() < (rule.probability ?? 0))) {
      return false
    }
    rule.injected++
    count(rule.kind, operation)
    return true
  }

  return {
    add (input) {
      if (!validate(input)) throw new codes.GW_SIM_FAULT_RULE_INVALID(describe(validate.errors))
      const operation = input.operation ?? '*'
      if (operation !== '*' && !operations.has(operation)) {
        throw new codes.GW_SIM_FAULT_RULE_INVALID(`/operation must be * or one of ${[...operations].join(', ')}`)
      }
      const rule: FaultRule = { id: String(nextId++), kind: input.kind, operation, injected: 0 }
      if (input.count !== undefined) rule.remaining = input.count
      if (input.probability !== undefined) rule.probability = input.probability
      if (input.latencyMs !== undefined) rule.latencyMs = input.latencyMs
      rules.push(rule)
      return { ...rule }
    },
    remove (id) {
      const before = rules.length
      rules = rules.filter((r) => r.id !== id)
      return rules.length !== before
    },
    clear () {
      rules = []
    },
    rules () {
      return rules.map((r) => ({ ...r }))
    },
    beforeBody (operation) {
      for (const rule of rules) {
        if (rule.kind === 'reset-before-body' && fires(rule, operation)) return 'reset-before-body'
      }
      return undefined
    },
    afterBody (operation) {
      let latencyMs = 0
      let delayBeforeMs = 0
      let fault: AfterBodyFault | undefined
      for (const rule of rules) {
        if (rule.kind === 'reset-before-body') continue
        if (rule.kind === 'latency') {
          if (fires(rule, operation)) latencyMs += rule.latencyMs ?? 0
        } else if (rule.kind === 'slow-commit') {
          if (fires(rule, operation)) delayBeforeMs += rule.latencyMs ?? 0
        } else if (fault === undefined && fires(rule, operation)) {
          // The first terminal rule that fires wins; later ones are not consulted (nor spent).
          fault = rule.kind
        }
      }
      return delayBeforeMs > 0 ? { latencyMs, delayBeforeMs, fault } : { latencyMs, fault }
    },
    counters () {
      return { injected: structuredClone(injected), total }
    }
  }
}
