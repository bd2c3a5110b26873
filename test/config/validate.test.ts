import t from 'tap'
import { createConfigValidator } from '../../src/config/validate.js'
import { MOZILLA_INTERMEDIATE_CIPHERS } from '../../src/config/schema.js'
import type { ConfigInvalidError } from '../../src/config/errors.js'
import { minimalConfig } from './helpers/minimal-config.js'

const validate = createConfigValidator()

function issuesOf (input: unknown): Array<{ instancePath: string, message: string }> {
  try {
    validate(input)
  } catch (err) {
    const e = err as ConfigInvalidError
    t.equal(e.code, 'GW_CONFIG_INVALID')
    return [...e.issues]
  }
  throw new Error('expected GW_CONFIG_INVALID')
}

t.test('defaults from the schema fill every absent option', async (t) => {
  const config = validate(minimalConfig())
  t.equal(config.dataPlane.host, '127.0.0.1')
  t.equal(config.dataPlane.port, 8443)
  t.equal(config.dataPlane.bodyLimit, 10485760)
  t.equal(config.dataPlane.tls.minVersion, 'TLSv1.2')
  t.equal(config.dataPlane.tls.ciphers, MOZILLA_INTERMEDIATE_CIPHERS)
  t.equal(config.dataPlane.tls.clientCertificates, 'required')
  t.equal(config.dataPlane.tls.identityFrom, 'subject.CN')
  t.equal(config.dataPlane.timeouts.headersMs, 10000)
  t.equal(config.ops.port, 9090)
  t.equal(config.ops.host, '127.0.0.1')
  t.equal(config.validation.mode, 'enforce')
  t.equal(config.validation.responses, 'off')
  t.equal(config.validation.workers, 'auto')
  t.equal(config.shutdown.drainTimeoutMs, 10000)
  const ecole = config.environments.ecole!
  t.equal(ecole.enabled, true)
  t.same(ecole.hostnames, [])
  t.equal(ecole.allowedIdentities, undefined)
  t.equal(ecole.upstream.minVersion, 'TLSv1.2')
  t.equal(ecole.upstream.connections, 16)
  t.same(ecole.upstream.timeouts, { connectMs: 10000, headersMs: 30000, bodyMs: 30000 })
  t.same(ecole.validation, { operations: {} })
})

t.test('the result is deep-frozen and the input untouched', async (t) => {
  const input = minimalConfig()
  const config = validate(input)
  t.ok(Object.isFrozen(config))
  t.ok(Object.isFrozen(config.dataPlane.tls))
  t.ok(Object.isFrozen(config.environments.ecole!.hostnames))
  t.throws(() => { (config.dataPlane as { port: number }).port = 1 })
  t.equal((input.dataPlane as Record<string, unknown>).port, undefined, 'ajv defaults went to a copy')
})

t.test('an unknown option is refused with its path', async (t) => {
  const input = minimalConfig()
  ;(input.dataPlane as Record<string, unknown>).prot = 8443
  t.same(issuesOf(input), [{ instancePath: '/dataPlane/prot', message: 'is not a known option' }])
})

t.test('unknown options inside an environment are refused too', async (t) => {
  const input = minimalConfig()
  ;((input.environments as Record<string, Record<string, unknown>>).ecole!.upstream as Record<string, unknown>).tiemouts = {}
  t.same(issuesOf(input), [{ instancePath: '/environments/ecole/upstream/tiemouts', message: 'is not a known option' }])
})

t.test('every error is reported, each with its instancePath', async (t) => {
  const input = minimalConfig()
  ;(input.dataPlane as Record<string, unknown>).port = 70000
  ;(input.dataPlane as Record<string, Record<string, unknown>>).tls!.clientCertificates = 'sometimes'
  input.validation = { mode: 'strict' }
  const issues = issuesOf(input)
  t.same(issues.map((i) => i.instancePath).sort(), ['/dataPlane/port', '/dataPlane/tls/clientCertificates', '/validation/mode'])
  t.same(issues.find((i) => i.instancePath === '/validation/mode')?.message, 'must be one of "enforce", "report", "off"')
  t.same(issues.find((i) => i.instancePath === '/dataPlane/port')?.message, 'must be <= 65535')
})

t.test('the message lists every issue', async (t) => {
  const input = minimalConfig()
  delete input.environments
  t.throws(() => validate(input), { code: 'GW_CONFIG_INVALID', message: "invalid configuration:\n  /: must have required property 'environments'" })
})

t.test('environment names are restricted', async (t) => {
  const input = minimalConfig()
  input.environments = { 'Prod!': { upstream: { url: 'https://x.test/' } } }
  t.same(issuesOf(input), [{ instancePath: '/environments/Prod!', message: 'is not a valid name (lower-case letters, digits and -, starting with a letter, at most 32)' }])
})

t.test('at least one environment', async (t) => {
  const input = minimalConfig()
  input.environments = {}
  t.same(issuesOf(input), [{ instancePath: '/environments', message: 'must NOT have fewer than 1 properties' }])
})

t.test('a per-operation validation mode must be a mode', async (t) => {
  const input = minimalConfig()
  ;(input.environments as Record<string, Record<string, unknown>>).ecole!.validation = { operations: { getDoublons: 'maybe' } }
  t.same(issuesOf(input), [{ instancePath: '/environments/ecole/validation/operations/getDoublons', message: 'must be one of "enforce", "report", "off"' }])
})

t.test('validation workers: auto or 0 to 64', async (t) => {
  for (const ok of ['auto', 0, 4, 64]) t.equal(validate({ ...minimalConfig(), validation: { workers: ok } }).validation.workers, ok, String(ok))
  for (const bad of [65, -1, 1.5, 'two', true]) t.ok(issuesOf({ ...minimalConfig(), validation: { workers: bad } }).length > 0, `${String(bad)} refused`)
})

t.test('validation inlineBelow: bytes, 16 KiB by default, 0 for none', async (t) => {
  t.equal(validate(minimalConfig()).validation.inlineBelow, 16384)
  for (const ok of [0, 1, 65536, 67108864]) t.equal(validate({ ...minimalConfig(), validation: { inlineBelow: ok } }).validation.inlineBelow, ok, String(ok))
  for (const bad of [-1, 1.5, '16k', 67108865]) t.ok(issuesOf({ ...minimalConfig(), validation: { inlineBelow: bad } }).length > 0, `${String(bad)} refused`)
})

t.test('a "__proto__" key is an unknown option, not a prototype', async (t) => {
  const input = JSON.parse('{"__proto__": {"polluted": true}, "dataPlane": {"tls": {"cert": "a", "key": "b", "clientCa": "c"}}, "environments": {"ecole": {"upstream": {"url": "https://x.test/"}}}}') as unknown
  t.same(issuesOf(input), [{ instancePath: '/__proto__', message: 'is not a known option' }])
  t.equal(({} as Record<string, unknown>).polluted, undefined)
})

t.test('guichets: identities map to guichet codes or "*", territories are three characters', async (t) => {
  const withGuichets = (guichets: unknown): Record<string, any> => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const c = minimalConfig()
    ;(c.environments as Record<string, Record<string, unknown>>).ecole!.guichets = guichets
    return c
  }
  const ok = validate(withGuichets({ identities: { G1226: ['G1226'], 'editeur-x': ['G1104', 'G1226'], integrateur: ['*'] }, territories: { G1104: ['075', '2A0'] } }))
  t.same(ok.environments.ecole!.guichets!.identities['editeur-x'], ['G1104', 'G1226'])
  t.same(validate(withGuichets({ identities: { G1226: ['G1226'] } })).environments.ecole!.guichets!.territories, {}, 'territories default to none')
  t.match(issuesOf(withGuichets({ identities: { G1226: ['1226'] } })), [{ instancePath: '/environments/ecole/guichets/identities/G1226/0' }], 'a guichet code is G and four digits')
  t.match(issuesOf(withGuichets({ identities: { G1226: [] } })), [{ instancePath: '/environments/ecole/guichets/identities/G1226' }], 'at least one guichet')
  t.match(issuesOf(withGuichets({ territories: {} })), [{ instancePath: '/environments/ecole/guichets', message: /identities/ }], 'identities are required')
  t.match(issuesOf(withGuichets({ identities: { a: ['G1226'] }, territories: { 75: ['075'] } })), [{ instancePath: '/environments/ecole/guichets/territories' }], 'territories are keyed by guichet code')
  t.match(issuesOf(withGuichets({ identities: { a: ['G1226'] }, territories: { G1226: ['75'] } })), [{ instancePath: '/environments/ecole/guichets/territories/G1226/0' }], 'a territory has three characters')
})
