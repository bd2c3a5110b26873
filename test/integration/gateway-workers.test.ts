// The gateway with validation on worker threads (validation.workers: 2), over real sockets: valid
// calls forwarded, every invalid corpus case refused with its Fault, the validate-only route, and
// the pool stopped with the gateway. Every message goes to the workers (inlineBelow: 0), small
// ones included, which the default validates on the event loop (test/routes/inline-validation).
import t from 'tap'
import { readdirSync } from 'node:fs'
import { corpusCase, FIXTURES_DIR, refusalStatusOk, startStack, type Stack } from './helpers/gateway-stack.js'
import { edited, getNumUnique } from '../fixtures/corpus-kit.js'

const SERVICE = '/ecole/services/DemandeLogementImplService/'

let stack: Stack
t.before(async () => { stack = await startStack({ edit: (c) => { c.validation = { workers: 2, inlineBelow: 0 } } }) })
t.teardown(async () => { await stack.close() })

t.test('the gateway validates on 2 worker threads', async (t) => {
  t.equal(stack.gateway.checker.workers, 2)
})


t.test('valid calls are forwarded and answered', async (t) => {
  for (const name of ['valid-getNumUnique-cre-mtom', 'valid-getDemandeLogement-mtom']) {
    const c = corpusCase(name)!
    const res = await stack.post(SERVICE, c.message, c.contentType, c.soapAction === undefined ? {} : { soapaction: c.soapAction })
    t.equal(res.status, 200, name)
    t.match(stack.logs.access().at(-1), { operation: c.operation, outcome: 'forwarded', status: 200 })
  }
})

t.test('every invalid corpus case is refused with its Fault, and nothing reaches the simulator', async (t) => {
  const before = await stack.simulatorStats()
  let cases = 0
  for (const name of readdirSync(FIXTURES_DIR).sort()) {
    if (name.startsWith('valid-') || !name.includes('-') || name.endsWith('.ts')) continue
    const c = corpusCase(name)
    // The workers run on the real clock, the corpus's "future" dates on a fixed one.
    if (c === undefined || c.violations.length === 0 || c.violations.includes('GW_SPEC_DATE_IN_FUTURE')) continue
    cases++
    const res = await stack.post(SERVICE, c.message, c.contentType, c.soapAction === undefined ? {} : { soapaction: c.soapAction })
    t.ok(refusalStatusOk(res.status, res.body), `${name}: ${res.status}`)
    t.match(res.body.toString('utf8'), `<gw:code>${c.violations[0]!}</gw:code>`, `${name}: its first violation in the Detail`)
  }
  t.ok(cases >= 60, `${cases} invalid cases sent`)
  t.equal((await stack.simulatorStats()).total, before.total, 'none reached the simulator')
})

t.test('validate-only goes through the workers too', async (t) => {
  const bad = corpusCase('payload-pattern-numUnique')!
  const res = await stack.post('/ecole/validate', bad.message, bad.contentType)
  t.equal(res.status, 200)
  const report = JSON.parse(res.body.toString('utf8')) as { valid: boolean, violations: Array<{ code: string }> }
  t.equal(report.valid, false)
  t.same([...new Set(report.violations.map((v) => v.code))], bad.violations)
  t.match(await stack.gateway.metrics.registry.metrics(), /sne_gateway_validation_worker_restarts_total 0\n/)
})

t.test('a worker quotes the values as sent to validate-only, masked to a proxied call; never in a log', async (t) => {
  const bad = getNumUnique(edited('cre', ['<ns1:dateNaissance>1985-01-20<', '<ns1:dateNaissance>1985-13-45<']), 'mtom')
  const shown = await stack.post('/ecole/validate', bad.message, bad.contentType)
  t.match(shown.body.toString('utf8'), "'1985-13-45' is not a valid value of the atomic type 'xs:date'")
  const refused = await stack.post(SERVICE, bad.message, bad.contentType)
  const fault = refused.body.toString('utf8')
  t.notMatch(fault, '1985-13-45')
  t.match(fault, "'9999-99-99' is not a valid value of the atomic type 'xs:date'")
  t.match(fault, '<gw:valuesMasked>true</gw:valuesMasked>')
  t.notOk(stack.logs.raw.some((l) => l.includes('1985-13-45')), 'no log line carries the value')
})

t.test('with inlineBelow 0, every message went to the workers', async (t) => {
  const checked = stack.gateway.checker.checked
  t.equal(checked.inline, 0, 'none validated on the event loop')
  t.ok(checked.worker >= 60, `${checked.worker} messages validated by the workers`)
})
