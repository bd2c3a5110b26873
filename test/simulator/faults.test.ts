import t from 'tap'
import { createFaultInjector } from '../../src/simulator/faults.js'

const operations = ['getNumUnique', 'getDemandeLogement']

t.test('a counted rule fires for the next N matching calls only', async (t) => {
  const faults = createFaultInjector({ operations })
  const rule = faults.add({ kind: 'http-503', operation: 'getNumUnique', count: 2 })
  t.equal(rule.operation, 'getNumUnique')
  t.equal(faults.afterBody('getDemandeLogement').fault, undefined, 'another operation')
  t.equal(faults.afterBody('getNumUnique').fault, 'http-503')
  t.equal(faults.afterBody('getNumUnique').fault, 'http-503')
  t.equal(faults.afterBody('getNumUnique').fault, undefined, 'spent')
  t.same(faults.rules()[0], { ...rule, remaining: 0, injected: 2 })
  t.same(faults.counters(), { injected: { 'http-503': { getNumUnique: 2 } }, total: 2 })
})

t.test('a probability rule draws from the injected random source', async (t) => {
  const draws = [0.2, 0.7]
  const faults = createFaultInjector({ operations, random: () => draws.shift() ?? 1 })
  faults.add({ kind: 'soap-fault', probability: 0.5 })
  t.equal(faults.afterBody('getDemandeLogement').fault, 'soap-fault', '0.2 < 0.5')
  t.equal(faults.afterBody('getDemandeLogement').fault, undefined, '0.7 ≥ 0.5')
  const never = createFaultInjector({ operations, random: () => 0 })
  never.add({ kind: 'soap-fault', probability: 0 })
  t.equal(never.afterBody('getNumUnique').fault, undefined, 'probability 0 never fires')
})

t.test('latency adds up, the first terminal fault wins and later rules are not spent', async (t) => {
  const faults = createFaultInjector({ operations })
  faults.add({ kind: 'latency', latencyMs: 100, count: 1 })
  faults.add({ kind: 'latency', latencyMs: 50, probability: 1 })
  faults.add({ kind: 'truncate', count: 1 })
  const later = faults.add({ kind: 'reset-after-body', count: 1 })
  t.same(faults.afterBody('getNumUnique'), { latencyMs: 150, fault: 'truncate' })
  t.equal(faults.rules().find((r) => r.id === later.id)?.remaining, 1, 'not consulted')
  t.same(faults.afterBody('getNumUnique'), { latencyMs: 50, fault: 'reset-after-body' })
  t.same(faults.afterBody(undefined), { latencyMs: 50, fault: undefined })
  t.same(faults.counters().injected.latency, { getNumUnique: 3, '?': 1 })
})

t.test('slow-commit delays the processing (rules add up), apart from the latency after it', async (t) => {
  const faults = createFaultInjector({ operations })
  faults.add({ kind: 'slow-commit', latencyMs: 300, operation: 'getNumUnique', count: 1 })
  faults.add({ kind: 'slow-commit', latencyMs: 20, probability: 1 })
  faults.add({ kind: 'latency', latencyMs: 5, count: 1 })
  t.same(faults.afterBody('getNumUnique'), { latencyMs: 5, delayBeforeMs: 320, fault: undefined })
  t.same(faults.afterBody('getNumUnique'), { latencyMs: 0, delayBeforeMs: 20, fault: undefined })
  t.throws(() => faults.add({ kind: 'slow-commit', count: 1 }), /latencyMs/)
})

t.test('reset-before-body is decided before the body, with the operation of the action header when any', async (t) => {
  const faults = createFaultInjector({ operations })
  faults.add({ kind: 'reset-before-body', operation: 'getNumUnique', count: 1 })
  t.equal(faults.afterBody('getNumUnique').fault, undefined, 'not an after-body fault')
  t.equal(faults.beforeBody(undefined), undefined, 'unknown operation: only * rules apply')
  t.equal(faults.beforeBody('getNumUnique'), 'reset-before-body')
  t.equal(faults.beforeBody('getNumUnique'), undefined)
})

t.test('rules are validated', async (t) => {
  const faults = createFaultInjector({ operations })
  const bad: Array<[unknown, RegExp]> = [
    [{ kind: 'explode', count: 1 }, /kind/],
    [{ kind: 'http-503' }, /must match exactly one schema in oneOf/],
    [{ kind: 'http-503', count: 1, probability: 0.5 }, /oneOf/],
    [{ kind: 'http-503', probability: 1.5 }, /probability must be <= 1/],
    [{ kind: 'http-503', count: 0 }, /count must be >= 1/],
    [{ kind: 'latency', count: 1 }, /latencyMs/],
    [{ kind: 'http-503', count: 1, latencyMs: 10 }, /must NOT be valid/],
    [{ kind: 'http-503', count: 1, operation: 'getNothing' }, /operation must be \* or one of getNumUnique, getDemandeLogement/],
    [{ kind: 'http-503', count: 1, extra: true }, /\(rule\) has unknown key 'extra'/],
    ['rule', /must be object/]
  ]
  for (const [input, message] of bad) t.throws(() => faults.add(input), { code: 'GW_SIM_FAULT_RULE_INVALID', statusCode: 400, message }, JSON.stringify(input))
  t.same(faults.rules(), [])
})

t.test('rules can be listed, removed and cleared', async (t) => {
  const faults = createFaultInjector({ operations })
  const a = faults.add({ kind: 'http-503', count: 1 })
  const b = faults.add({ kind: 'soap-fault', count: 1 })
  t.not(a.id, b.id)
  t.ok(faults.remove(a.id))
  t.notOk(faults.remove(a.id))
  t.same(faults.rules().map((r) => r.id), [b.id])
  faults.clear()
  t.same(faults.rules(), [])
})
