// Secret files: refused when every user may read them, with the option and the path; passphrases
// inline or from a file; an encrypted key opens with a passphrase from a file.
import t from 'tap'
import { execFile } from 'node:child_process'
import { chmod, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { createConfigValidator } from '../../src/config/validate.js'
import { readPassphrase, readSecretFile } from '../../src/tls/secret-files.js'
import { readServerTlsMaterial } from '../../src/tls/server-options.js'
import { readUpstreamTlsMaterial } from '../../src/proxy/upstream-pool.js'
import { testPki } from '../helpers/pki.js'

const run = promisify(execFile)

t.test('a world-readable secret is refused with its option, path and mode; 0600 and 0640 are read', async (t) => {
  const dir = t.testdir({ 'a.key': 'secret' })
  const file = join(dir, 'a.key')
  await chmod(file, 0o644)
  await t.rejects(readSecretFile('/dataPlane/tls/key', file), {
    code: 'GW_CONFIG_SECRET_WORLD_READABLE',
    message: `/dataPlane/tls/key: ${file} is readable by every user of the machine (mode 0644): make it readable by the gateway only (chmod 600; Kubernetes secrets: defaultMode 0400)`
  })
  await chmod(file, 0o600)
  t.equal((await readSecretFile('/dataPlane/tls/key', file)).toString(), 'secret')
  await chmod(file, 0o640)
  t.equal((await readSecretFile('/dataPlane/tls/key', file)).toString(), 'secret', 'group-readable (a secret volume with fsGroup) is accepted')
  await t.rejects(readSecretFile('/x', join(dir, 'absent')), { code: 'GW_CONFIG_FILE_UNREADABLE' })
})

t.test('passphrases: inline, or the first line of a private file', async (t) => {
  const dir = t.testdir({ pass: 'p4ss\n' })
  await chmod(join(dir, 'pass'), 0o600)
  t.equal(await readPassphrase('/a', { passphrase: 'inline' }), 'inline')
  t.equal(await readPassphrase('/a', {}), undefined)
  t.equal(await readPassphrase('/a', { passphraseFile: join(dir, 'pass') }), 'p4ss')
  await chmod(join(dir, 'pass'), 0o604)
  await t.rejects(readPassphrase('/a', { passphraseFile: join(dir, 'pass') }), { code: 'GW_CONFIG_SECRET_WORLD_READABLE', message: /^\/a\/passphraseFile: / })
})

t.test('the data plane and upstream credentials check their keys, and open encrypted ones with a passphrase file', async (t) => {
  const pki = await testPki()
  const dir = t.testdir({})
  const encrypted = join(dir, 'server.key')
  await run('openssl', ['pkey', '-in', pki.server.key, '-aes256', '-passout', 'pass:k3y-pass', '-out', encrypted])
  await chmod(encrypted, 0o600)
  await writeFile(join(dir, 'pass'), 'k3y-pass\n', { mode: 0o600 })
  const base = { cert: pki.server.cert, key: encrypted, clientCa: pki.ca.cert }
  const config = createConfigValidator()({
    dataPlane: { tls: { ...base, passphraseFile: join(dir, 'pass') } },
    environments: { ecole: { upstream: { url: 'https://127.0.0.1:1/s/', credentials: { g: { guichets: ['G1104'], cert: pki.server.cert, key: encrypted, passphraseFile: join(dir, 'pass') } } } } }
  })
  const material = await readServerTlsMaterial(config.dataPlane.tls)
  t.equal(material.passphrase, 'k3y-pass')
  const upstream = await readUpstreamTlsMaterial('ecole', config.environments.ecole!)
  t.same([...upstream.keys()], ['default', 'g'])
  t.equal(upstream.get('g')?.passphrase, 'k3y-pass')

  await chmod(encrypted, 0o644)
  await t.rejects(readServerTlsMaterial(config.dataPlane.tls), { code: 'GW_CONFIG_SECRET_WORLD_READABLE', message: new RegExp(`^/dataPlane/tls/key: ${encrypted} `) })
  await t.rejects(readUpstreamTlsMaterial('ecole', config.environments.ecole!), { message: new RegExp(`^/environments/ecole/upstream/credentials/g/key: ${encrypted} `) })
})

t.test('a CRL that is not one is refused at start', async (t) => {
  const pki = await testPki()
  const config = createConfigValidator()({
    dataPlane: { tls: { cert: pki.server.cert, key: pki.server.key, clientCa: pki.ca.cert, clientCrl: pki.ca.cert } },
    environments: { ecole: { upstream: { url: 'https://127.0.0.1:1/s/' } } }
  })
  await t.rejects(readServerTlsMaterial(config.dataPlane.tls), { code: 'GW_CONFIG_FILE_UNREADABLE', message: /^\/dataPlane\/tls\/clientCrl: file .* cannot be read: not a PEM CRL/ })
})
