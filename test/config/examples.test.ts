// examples/gateway.production.json is a complete, valid configuration.
import t from 'tap'
import { loadConfig } from '../../src/config/load.js'
import { PRODUCTION_EXAMPLE, PRODUCTION_EXAMPLE_ENV } from './helpers/production-example.js'

const file = PRODUCTION_EXAMPLE
const env = PRODUCTION_EXAMPLE_ENV

t.test('the production example loads and validates', async (t) => {
  const { config, unknownVariables } = await loadConfig(file, { env, cwd: '/' })
  t.same(Object.keys(config.environments).sort(), ['ecole', 'production'])
  t.equal(config.dataPlane.tls.clientCertificates, 'required')
  t.equal(config.environments.production!.upstream.url, env.SNE_PRODUCTION_URL)
  t.equal(config.environments.ecole!.upstream.url, env.SNE_ECOLE_URL, 'the école URL comes from the environment too')
  t.same(config.environments.production!.allowedIdentities, ['G1104', 'G1226', 'G2301'])
  t.equal(config.environments.ecole!.validation.operations.getDoublons, 'report')
  t.same(unknownVariables, [])
})

t.test('its secrets come from the environment', async (t) => {
  await t.rejects(loadConfig(file, { env: {}, cwd: '/' }), { code: 'GW_CONFIG_MISSING_VARIABLE' })
})
