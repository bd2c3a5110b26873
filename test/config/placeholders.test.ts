import t from 'tap'
import { replacePlaceholders } from '../../src/config/placeholders.js'

t.test('${VAR} is replaced in every string, nested', async (t) => {
  const out = replacePlaceholders({ a: 'x-${A}-y', b: ['${B}', 3, true, null], c: { d: '${A}${B}' } }, { A: '1', B: 'two' })
  t.same(out, { a: 'x-1-y', b: ['two', 3, true, null], c: { d: '1two' } })
})

t.test('a missing variable is an error naming the option and the variable', async (t) => {
  t.throws(() => replacePlaceholders({ environments: { ecole: { upstream: { passphrase: '${UPSTREAM_PASS}' } } } }, {}), {
    code: 'GW_CONFIG_MISSING_VARIABLE',
    message: 'configuration /environments/ecole/upstream/passphrase uses ${UPSTREAM_PASS}, which is not set in the environment'
  })
})

t.test('an empty variable is a value, not a missing one', async (t) => {
  t.same(replacePlaceholders({ a: '${E}' }, { E: '' }), { a: '' })
})

t.test('$${ writes a literal ${', async (t) => {
  t.same(replacePlaceholders({ a: 'cost $${X}' }, {}), { a: 'cost ${X}' })
})

t.test('a placeholder that is not a variable name is refused', async (t) => {
  t.throws(() => replacePlaceholders({ a: '${A-B}' }, {}), { code: 'GW_CONFIG_BAD_ENV_VALUE' })
})

t.test('keys are copied as own properties ("__proto__" included)', async (t) => {
  const out = replacePlaceholders(JSON.parse('{"__proto__": {"x": 1}}'), {}) as Record<string, unknown>
  t.ok(Object.hasOwn(out, '__proto__'))
  t.equal(Object.getPrototypeOf(out), Object.prototype)
})
