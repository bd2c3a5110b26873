// Per-guichet upstream credentials: the route of a message follows the guichets it acts for; pools
// are made at first use, one per credential; a reload replaces only the credentials that changed,
// and closes a replaced pool once its calls have ended.
import t from 'tap'
import { copyFile } from 'node:fs/promises'
import { join } from 'node:path'
import { MockAgent, type Dispatcher } from 'undici'
import { createConfigValidator } from '../../src/config/validate.js'
import type { UpstreamDefinition } from '../../src/proxy/upstream-pool.js'
import { buildUpstreams } from '../../src/proxy/upstreams.js'
import { issueCertificate } from '../../src/tls/dev-pki.js'
import { testPki } from '../helpers/pki.js'

const pki = await testPki()

type Raw = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

function config (credentials: Raw): ReturnType<ReturnType<typeof createConfigValidator>> {
  return createConfigValidator()({
    dataPlane: { tls: { cert: pki.server.cert, key: pki.server.key, clientCa: pki.ca.cert } },
    environments: { ecole: { upstream: { url: 'https://sne.test/services/S/', cert: pki.upstreamClient.cert, key: pki.upstreamClient.key, credentials } } }
  })
}

/** A factory recording what it made; each pool a MockAgent that tracks whether it was closed. */
function factory (): { make: (d: UpstreamDefinition) => Dispatcher, made: Array<{ credential: string, cert: string, closed: boolean }> } {
  const made: Array<{ credential: string, cert: string, closed: boolean }> = []
  return {
    made,
    make (d) {
      const entry = { credential: d.credential, cert: d.tls.cert?.toString('utf8') ?? '', closed: false }
      made.push(entry)
      const mock = new MockAgent()
      mock.disableNetConnect()
      const close = mock.close.bind(mock)
      mock.close = async () => { entry.closed = true; await close() }
      return mock
    }
  }
}

t.test('routes by the guichets of the message; pools are made at first use', async (t) => {
  const dir = t.testdir({})
  const a = await issueCertificate(pki.ca, dir, { name: 'a', subject: '/CN=a' })
  const f = factory()
  const counts: number[] = []
  const upstreams = await buildUpstreams(config({ a: { guichets: ['G1104', 'G1105'], cert: a.cert, key: a.key } }), { createDispatcher: f.make, onPools: (n) => counts.push(n) })
  t.teardown(async () => { await upstreams.close() })
  const ecole = upstreams.byName.get('ecole')!
  t.equal(ecole.perGuichet, true)
  t.equal(f.made.length, 0, 'nothing made before a call')

  t.equal(ecole.route(['G1104']).credential, 'a')
  t.equal(ecole.route(['G1104', 'G1105']).credential, 'a', 'two guichets of one credential')
  t.equal(ecole.route(['G1226']).credential, 'default')
  t.equal(ecole.route([]).credential, 'default')
  t.same(f.made.map((m) => m.credential), ['a', 'default'], 'one pool per credential, made once')
  t.equal(f.made[0]!.cert, (await import('node:fs')).readFileSync(a.cert, 'utf8'))
  t.throws(() => ecole.route(['G1104', 'G1226']), { code: 'GW_GUICHET_CREDENTIAL_CONFLICT', message: 'the message acts for guichets G1104, G1226, whose calls reach the SNE with different certificates (a, default): send one message per guichet' })
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(upstreams.pools(), 2)
  t.equal(counts.at(-1), 2)
})

t.test('a reload replaces the changed credentials only, and closes their old pools', async (t) => {
  const dir = t.testdir({})
  const a1 = await issueCertificate(pki.ca, dir, { name: 'a1', subject: '/CN=a1' })
  const a2 = await issueCertificate(pki.ca, dir, { name: 'a2', subject: '/CN=a2' })
  const b = await issueCertificate(pki.ca, dir, { name: 'b', subject: '/CN=b' })
  const live = { cert: join(dir, 'live.pem'), key: join(dir, 'live.key') }
  await copyFile(a1.cert, live.cert)
  await copyFile(a1.key, live.key)
  const f = factory()
  const first = config({ a: { guichets: ['G1104'], ...live }, b: { guichets: ['G1105'], cert: b.cert, key: b.key } })
  const upstreams = await buildUpstreams(first, { createDispatcher: f.make })
  t.teardown(async () => { await upstreams.close() })
  const ecole = upstreams.byName.get('ecole')!
  const poolA = ecole.route(['G1104']).dispatcher
  const poolB = ecole.route(['G1105']).dispatcher

  t.same(await upstreams.reload(first), [], 'same files: nothing replaced')
  t.equal(ecole.route(['G1104']).dispatcher, poolA, 'the pool is kept')

  // The same paths, new content: the credential changed.
  await copyFile(a2.cert, live.cert)
  await copyFile(a2.key, live.key)
  t.same(await upstreams.reload(first), ['ecole/a'])
  t.not(ecole.route(['G1104']).dispatcher, poolA, 'a new pool for the next calls')
  t.equal(ecole.route(['G1105']).dispatcher, poolB, 'b unchanged')
  for (let i = 0; i < 100 && !f.made[0]!.closed; i++) await new Promise((resolve) => setTimeout(resolve, 5))
  t.equal(f.made[0]!.closed, true, 'the old pool of a was closed')
  t.equal(f.made[1]!.closed, false)

  // G1104 moves to the default credential; b is removed.
  t.same(await upstreams.reload(config({})), ['ecole/a', 'ecole/b'])
  t.equal(ecole.perGuichet, false)
  t.equal(ecole.route(['G1104']).credential, 'default')

  const other = config({})
  const renamed = createConfigValidator()({ ...structuredClone(other), environments: { production: structuredClone(other.environments.ecole) } })
  await t.rejects(upstreams.reload(renamed), /the enabled environments changed: restart to apply/)
})
