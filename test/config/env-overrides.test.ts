import t from 'tap'
import { applyEnvOverrides, ENVIRONMENT_OVERRIDES, GLOBAL_OVERRIDES } from '../../src/config/env-overrides.js'
import { minimalConfig } from './helpers/minimal-config.js'

t.test('global variables set their option, typed', async (t) => {
  const { config, applied, unknown } = applyEnvOverrides(minimalConfig(), {
    SNE_GATEWAY_DATA_PLANE_PORT: '9443',
    SNE_GATEWAY_OPS_ENABLED: 'false',
    SNE_GATEWAY_LOG_LEVEL: 'debug',
    SNE_GATEWAY_TLS_CERT: 'certs/other.pem',
    PATH: '/usr/bin'
  }, '/work')
  const c = config as Record<string, Record<string, unknown>>
  t.equal(c.dataPlane!.port, 9443)
  t.equal((c.dataPlane!.tls as Record<string, unknown>).cert, '/work/certs/other.pem', 'paths from variables are relative to the working directory')
  t.equal(c.ops!.enabled, false)
  t.equal(c.log!.level, 'debug')
  t.same(applied, ['SNE_GATEWAY_DATA_PLANE_PORT', 'SNE_GATEWAY_LOG_LEVEL', 'SNE_GATEWAY_OPS_ENABLED', 'SNE_GATEWAY_TLS_CERT'])
  t.same(unknown, [])
})

t.test('the input is not modified', async (t) => {
  const input = minimalConfig()
  applyEnvOverrides(input, { SNE_GATEWAY_DATA_PLANE_PORT: '1' }, '/')
  t.equal((input.dataPlane as Record<string, unknown>).port, undefined)
})

t.test('per-environment variables address the environment by its upper-cased name', async (t) => {
  const input = minimalConfig()
  ;(input.environments as Record<string, unknown>)['ecole-2'] = { upstream: { url: 'https://a.test/' } }
  const { config } = applyEnvOverrides(input, {
    SNE_GATEWAY_ENV_ECOLE_UPSTREAM_URL: 'https://ecole.test/services/DemandeLogementImplService/',
    SNE_GATEWAY_ENV_ECOLE_2_ENABLED: 'false',
    SNE_GATEWAY_ENV_ECOLE_ALLOWED_IDENTITIES: 'G1226, G0001,',
    SNE_GATEWAY_ENV_ECOLE_VALIDATION_MODE: 'report'
  }, '/')
  const envs = config.environments as Record<string, Record<string, Record<string, unknown>>>
  t.equal(envs.ecole!.upstream!.url, 'https://ecole.test/services/DemandeLogementImplService/')
  t.same(envs.ecole!.allowedIdentities, ['G1226', 'G0001'])
  t.same(envs.ecole!.validation, { mode: 'report' })
  t.equal(envs['ecole-2']!.enabled, false)
})

t.test('a variable for an environment the file lacks creates it (validation then names what is missing)', async (t) => {
  const { config } = applyEnvOverrides(minimalConfig(), { SNE_GATEWAY_ENV_PRODUCTION_UPSTREAM_URL: 'https://p.test/' }, '/')
  t.same((config.environments as Record<string, unknown>).production, { upstream: { url: 'https://p.test/' } })
})

t.test('the longest suffix wins: _UPSTREAM_URL is never an environment named …_UPSTREAM', async (t) => {
  const { config } = applyEnvOverrides(minimalConfig(), { SNE_GATEWAY_ENV_ECOLE_UPSTREAM_CA: '/ca.pem' }, '/')
  t.equal(((config.environments as Record<string, Record<string, Record<string, unknown>>>).ecole!.upstream!).ca, '/ca.pem')
})

t.test('typed values are checked', async (t) => {
  t.throws(() => applyEnvOverrides(minimalConfig(), { SNE_GATEWAY_DATA_PLANE_PORT: '84a3' }, '/'), {
    code: 'GW_CONFIG_BAD_ENV_VALUE',
    message: "environment variable SNE_GATEWAY_DATA_PLANE_PORT: '84a3' is not a non-negative integer"
  })
  t.throws(() => applyEnvOverrides(minimalConfig(), { SNE_GATEWAY_OPS_ENABLED: 'yes' }, '/'), {
    code: 'GW_CONFIG_BAD_ENV_VALUE',
    message: "environment variable SNE_GATEWAY_OPS_ENABLED: 'yes' is not true or false"
  })
})

t.test('validation workers: auto or a count', async (t) => {
  const workers = (value: string): unknown => (applyEnvOverrides(minimalConfig(), { SNE_GATEWAY_VALIDATION_WORKERS: value }, '/').config.validation as Record<string, unknown>).workers
  t.equal(workers('auto'), 'auto')
  t.equal(workers('3'), 3)
  t.equal(workers('0'), 0)
  t.throws(() => workers('two'), {
    code: 'GW_CONFIG_BAD_ENV_VALUE',
    message: "environment variable SNE_GATEWAY_VALIDATION_WORKERS: 'two' is neither auto nor a non-negative integer"
  })
})

t.test('validation inlineBelow: a byte count', async (t) => {
  const below = (value: string): unknown => (applyEnvOverrides(minimalConfig(), { SNE_GATEWAY_VALIDATION_INLINE_BELOW: value }, '/').config.validation as Record<string, unknown>).inlineBelow
  t.equal(below('0'), 0)
  t.equal(below('65536'), 65536)
  t.throws(() => below('16k'), { code: 'GW_CONFIG_BAD_ENV_VALUE' })
})

t.test('unknown SNE_GATEWAY_ variables are reported (typos), the config file variable is not', async (t) => {
  const { unknown, applied } = applyEnvOverrides(minimalConfig(), { SNE_GATEWAY_DATA_PLANE_PROT: '1', SNE_GATEWAY_CONFIG: 'x.json' }, '/')
  t.same(unknown, ['SNE_GATEWAY_DATA_PLANE_PROT'])
  t.same(applied, [])
})

t.test('every variable name is unique', async (t) => {
  const names = GLOBAL_OVERRIDES.map((o) => o.variable)
  t.equal(new Set(names).size, names.length)
  const suffixes = ENVIRONMENT_OVERRIDES.map((o) => o.suffix)
  t.equal(new Set(suffixes).size, suffixes.length)
})

t.test('the connection limits and the PROXY protocol from the environment (behind a balancer)', async (t) => {
  const { config, applied } = applyEnvOverrides(minimalConfig(), {
    SNE_GATEWAY_CONNECTIONS_PER_ADDRESS: '16',
    SNE_GATEWAY_PROXY_PROTOCOL_ENABLED: 'true',
    SNE_GATEWAY_PROXY_PROTOCOL_TRUSTED_ADDRESSES: '10.0.0.0/8, fd00::1'
  }, '/')
  const dataPlane = config.dataPlane as Record<string, Record<string, unknown>>
  t.same(dataPlane.connections, { perAddress: 16 })
  t.same(dataPlane.proxyProtocol, { enabled: true, trustedAddresses: ['10.0.0.0/8', 'fd00::1'] })
  t.equal(applied.length, 3)
})
