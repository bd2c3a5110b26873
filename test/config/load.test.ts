import t from 'tap'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../src/config/load.js'
import { minimalConfig } from './helpers/minimal-config.js'

t.test('the pipeline: file, placeholders, relative paths, env overrides, validation, freeze', async (t) => {
  const dir = t.testdir({})
  const raw = minimalConfig() as Record<string, Record<string, Record<string, unknown>>>
  raw.dataPlane!.tls = { cert: 'pki/server.pem', key: '/abs/server.key', clientCa: 'pki/ca.pem', passphrase: '${KEY_PASS}' }
  raw.environments!.ecole = {
    upstream: {
      url: '${ECOLE_URL}',
      cert: 'pki/up.pem',
      key: 'pki/up.key',
      credentials: { g1104: { guichets: ['G1104'], cert: 'pki/g1104.pem', key: 'pki/g1104.key', passphraseFile: 'secrets/g1104' } }
    }
  }
  ;(raw as Record<string, unknown>).log = { file: 'logs/gateway.log' }
  await writeFile(join(dir, 'gateway.json'), '\uFEFF' + JSON.stringify(raw))
  const loaded = await loadConfig('gateway.json', {
    cwd: dir,
    env: { KEY_PASS: 's3cret', ECOLE_URL: 'https://ecole.test/services/DemandeLogementImplService/', SNE_GATEWAY_DATA_PLANE_PORT: '0', SNE_GATEWAY_TYPO: 'x' }
  })
  const c = loaded.config
  t.equal(loaded.file, join(dir, 'gateway.json'))
  t.equal(c.dataPlane.tls.cert, join(dir, 'pki/server.pem'), 'relative to the file')
  t.equal(c.dataPlane.tls.key, '/abs/server.key', 'absolute kept')
  t.equal(c.dataPlane.tls.passphrase, 's3cret')
  t.equal(c.environments.ecole!.upstream.url, 'https://ecole.test/services/DemandeLogementImplService/')
  t.equal(c.environments.ecole!.upstream.cert, join(dir, 'pki/up.pem'))
  t.same(c.environments.ecole!.upstream.credentials.g1104, { guichets: ['G1104'], cert: join(dir, 'pki/g1104.pem'), key: join(dir, 'pki/g1104.key'), passphraseFile: join(dir, 'secrets/g1104') })
  t.equal(c.log.file, join(dir, 'logs/gateway.log'))
  t.equal(c.dataPlane.port, 0, 'environment override')
  t.same(loaded.overrides, ['SNE_GATEWAY_DATA_PLANE_PORT'])
  t.same(loaded.unknownVariables, ['SNE_GATEWAY_TYPO'])
  t.ok(Object.isFrozen(c.environments.ecole!.upstream))
})

t.test('an unreadable file', async (t) => {
  const dir = t.testdir({})
  await t.rejects(loadConfig('nope.json', { cwd: dir, env: {} }), { code: 'GW_CONFIG_NOT_READABLE' })
})

t.test('a file that is not JSON', async (t) => {
  const dir = t.testdir({})
  await writeFile(join(dir, 'bad.json'), '{ "dataPlane": ')
  await t.rejects(loadConfig('bad.json', { cwd: dir, env: {} }), { code: 'GW_CONFIG_NOT_JSON' })
})

t.test('a missing placeholder variable', async (t) => {
  const dir = t.testdir({})
  const raw = minimalConfig() as Record<string, Record<string, Record<string, unknown>>>
  raw.environments!.ecole!.upstream = { url: '${NOT_SET_ANYWHERE}' }
  await writeFile(join(dir, 'g.json'), JSON.stringify(raw))
  await t.rejects(loadConfig(join(dir, 'g.json'), { cwd: '/', env: {} }), { code: 'GW_CONFIG_MISSING_VARIABLE' })
})

t.test('validation errors carry their paths', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cfg-'))
  t.teardown(async () => { const { rm } = await import('node:fs/promises'); await rm(dir, { recursive: true, force: true }) })
  await writeFile(join(dir, 'g.json'), JSON.stringify({ ...minimalConfig(), extra: true }))
  await t.rejects(loadConfig(join(dir, 'g.json'), { cwd: '/', env: {} }), { code: 'GW_CONFIG_INVALID', message: 'invalid configuration:\n  /extra: is not a known option' })
})

t.test('a SQLite option\'s :memory: is SQLite\'s in-memory database, never a file beside the configuration', async (t) => {
  const dir = t.testdir({})
  const raw = minimalConfig() as Record<string, unknown>
  raw.census = { file: ':memory:' }
  raw.idempotency = { file: ':memory:' }
  raw.log = { file: ':memory:' }
  await writeFile(join(dir, 'gateway.json'), JSON.stringify(raw))
  const c = (await loadConfig('gateway.json', { cwd: dir, env: {} })).config
  t.equal(c.census.file, ':memory:')
  t.equal(c.idempotency.file, ':memory:')
  t.equal(c.log.file, join(dir, ':memory:'), 'a log file is a file, whatever its name')

  const fromEnv = (await loadConfig('gateway.json', { cwd: dir, env: { SNE_GATEWAY_IDEMPOTENCY_FILE: ':memory:', SNE_GATEWAY_CENSUS_FILE: 'census.sqlite', SNE_GATEWAY_LOG_FILE: ':memory:' } })).config
  t.equal(fromEnv.idempotency.file, ':memory:', 'from the environment too')
  t.equal(fromEnv.census.file, join(dir, 'census.sqlite'), 'any other name is a path, relative to the working directory')
  t.equal(fromEnv.log.file, join(dir, ':memory:'))
})
