// examples/gateway.production.json is a complete, valid configuration.
import t from 'tap'
import { fileURLToPath } from 'node:url'
import { loadConfig } from '../../src/config/load.js'

const file = fileURLToPath(new URL('../../examples/gateway.production.json', import.meta.url))
const env = {
  SNE_SERVER_KEY_PASSPHRASE: 'p1',
  SNE_PRODUCTION_URL: 'https://sne-production.example.test/services/DemandeLogementImplService/',
  SNE_PRODUCTION_KEY_PASSPHRASE: 'p2',
  SNE_ECOLE_KEY_PASSPHRASE: 'p3'
}

t.test('the production example loads and validates', async (t) => {
  const { config, unknownVariables } = await loadConfig(file, { env, cwd: '/' })
  t.same(Object.keys(config.environments).sort(), ['ecole', 'production'])
  t.equal(config.dataPlane.tls.clientCertificates, 'required')
  t.equal(config.environments.production!.upstream.url, env.SNE_PRODUCTION_URL)
  t.same(config.environments.production!.allowedIdentities, ['G1104', 'G1226', 'G2301'])
  t.equal(config.environments.ecole!.validation.operations.getDoublons, 'report')
  t.same(unknownVariables, [])
})

t.test('its secrets come from the environment', async (t) => {
  await t.rejects(loadConfig(file, { env: {}, cwd: '/' }), { code: 'GW_CONFIG_MISSING_VARIABLE' })
})
