// ClientHellos captured from real clients on this machine (openssl s_client, Node tls, curl, Chromium;
// see fixtures/capture.mjs): their JA3 and JA4 equal those of an independent implementation,
// fixtures/fingerprint.py (Python, hashlib), run on the same bytes.
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { parseClientHello } from '../../src/census/client-hello.js'
import { ja3 } from '../../src/census/ja3.js'
import { ja4 } from '../../src/census/ja4.js'
import { HELLOS_DIR, capturedHellos, refragment } from './helpers/hello-builder.js'

interface Expected { ja3: string, ja3Hash: string, ja4: string, sni: string | null, legacyVersion: number, supportedVersions: number[] | null }

const hellos = capturedHellos()
const script = new URL('./fixtures/fingerprint.py', import.meta.url).pathname
const expected = JSON.parse(execFileSync('python3', [script, ...[...hellos.keys()].map((n) => join(HELLOS_DIR, `${n}.hex`))], { encoding: 'utf8' })) as Record<string, Expected>

t.ok(hellos.size >= 10, 'the captured fixtures are there')

for (const [name, bytes] of hellos) {
  t.test(name, async (t) => {
    const want = expected[`${name}.hex`]!
    const result = parseClientHello(bytes)
    if (result.status !== 'complete') return t.fail(`did not parse: ${JSON.stringify(result)}`)
    const { hello } = result
    t.equal(hello.legacyVersion, want.legacyVersion, 'legacy_version')
    t.same(hello.supportedVersions ?? null, want.supportedVersions, 'supported_versions')
    t.equal(hello.sni ?? null, want.sni, 'SNI')
    t.same(ja3(hello), { text: want.ja3, hash: want.ja3Hash }, 'JA3')
    t.equal(ja4(hello).fingerprint, want.ja4, 'JA4')
    // the same flight cut into ten or more records (within the default bound of 16) parses the same
    const fragment = Math.ceil(bytes.length / 12)
    const split = parseClientHello(refragment(bytes, fragment))
    if (split.status !== 'complete') return t.fail(`refragmented did not parse: ${JSON.stringify(split)}`)
    t.equal(ja4(split.hello).fingerprint, want.ja4, `JA4 across ${fragment}-byte records`)
    t.ok(split.hello.recordCount > 1)
  })
}

t.test('what the clients offered', async (t) => {
  const version = (name: string): number => {
    const r = parseClientHello(hellos.get(name)!)
    return r.status === 'complete' ? r.hello.maxVersion : -1
  }
  t.equal(version('openssl-tls1_0-sni'), 0x0301)
  t.equal(version('openssl-tls1_1-sni'), 0x0302)
  t.equal(version('openssl-tls1_2-nosni'), 0x0303)
  t.equal(version('openssl-tls1_3-alpn'), 0x0304)
  t.equal(version('node-tls1_0'), 0x0301)
  t.equal(version('chromium'), 0x0304, 'Chromium lists GREASE first in supported_versions')
  t.match(expected['chromium.hex']!.ja4, /^t13d\d{4}h2_/)
})
