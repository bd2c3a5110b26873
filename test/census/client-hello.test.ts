// The ClientHello parser: reassembly across segments and records, bounds, and each rejection reason.
import t from 'tap'
import { parseClientHello, DEFAULT_HELLO_LIMITS, type HelloParseResult } from '../../src/census/client-hello.js'
import { capturedHellos, ext, helloMessage, records, refragment, u16 } from './helpers/hello-builder.js'

const hellos = capturedHellos()
const tls10 = hellos.get('openssl-tls1_0-sni')!
const chromium = hellos.get('chromium')!

function reason (bytes: Buffer | string): string {
  const r = parseClientHello(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes)
  return r.status === 'rejected' ? r.reason : r.status
}

t.test('every strict prefix is incomplete, with a need past what is there and never past the end', async (t) => {
  for (const bytes of [tls10, chromium, refragment(chromium, 200)]) {
    let bad = 0
    for (let k = 0; k < bytes.length; k++) {
      const r = parseClientHello(bytes.subarray(0, k))
      if (r.status !== 'incomplete' || r.need <= k || r.need > bytes.length) bad++
    }
    t.equal(bad, 0, `${bytes.length} prefixes`)
    t.equal(parseClientHello(bytes).status, 'complete')
  }
})

t.test('fed one byte at a time, it parses only when `need` is reached', async (t) => {
  const bytes = refragment(chromium, 300)
  let have = 0
  let parses = 0
  let result: HelloParseResult = { status: 'incomplete', need: 1 }
  while (result.status === 'incomplete') {
    have++
    if (have < result.need) continue
    parses++
    result = parseClientHello(bytes.subarray(0, have))
  }
  t.equal(result.status, 'complete')
  t.equal(have, bytes.length)
  t.ok(parses <= 2 * Math.ceil(bytes.length / 300) + 2, `${parses} parses for ${bytes.length} bytes`)
})

t.test('a handshake header split across one-byte records', async (t) => {
  const message = helloMessage({ ciphers: [0x1301], extensions: [ext.sni('a.example'), ext.versions(0x0304)] })
  const head = records(message.subarray(0, 4), 1)
  const bytes = Buffer.concat([head, records(message.subarray(4))])
  const r = parseClientHello(bytes, { ...DEFAULT_HELLO_LIMITS, maxRecords: 5 })
  t.equal(r.status, 'complete')
  if (r.status === 'complete') {
    t.equal(r.hello.sni, 'a.example')
    t.equal(r.hello.recordCount, 5)
    t.equal(r.hello.maxVersion, 0x0304)
  }
  t.equal(reason(bytes), 'complete', 'within the default bound')
})

t.test('extracts every field, GREASE kept as sent', async (t) => {
  const r = parseClientHello(chromium)
  if (r.status !== 'complete') return t.fail('chromium did not parse')
  const h = r.hello
  t.equal(h.recordVersion, 0x0301)
  t.equal(h.legacyVersion, 0x0303)
  t.equal(h.maxVersion, 0x0304)
  t.equal(h.sni, 'localhost')
  t.same(h.alpn, ['h2', 'http/1.1'])
  t.ok(h.cipherSuites.some((c) => (c & 0x0f0f) === 0x0a0a), 'a GREASE cipher is kept')
  t.ok(h.extensions.includes(0x002b) && h.extensions.includes(0x0000))
  t.ok(h.supportedGroups.includes(29), 'x25519')
  t.ok(h.signatureAlgorithms.includes(0x0403))
  t.same(h.ecPointFormats, [0])
  t.equal(h.recordCount, 1)
})

t.test('no extensions block at all (SSL 3.0-style hello)', async (t) => {
  const r = parseClientHello(records(helloMessage({ legacyVersion: 0x0300, ciphers: [0x002f, 0x0035] })))
  if (r.status !== 'complete') return t.fail('did not parse')
  t.same([r.hello.maxVersion, r.hello.sni, r.hello.alpn, r.hello.extensions], [0x0300, undefined, undefined, []])
})

t.test('a known extension with broken content leaves its field empty and the rest parsed', async (t) => {
  const r = parseClientHello(records(helloMessage({ ciphers: [0x1301], extensions: [ext.empty(0x000b), ext.empty(0x000a), ext.sni('b.example')] })))
  if (r.status !== 'complete') return t.fail('did not parse')
  t.same(r.hello.ecPointFormats, [])
  t.same(r.hello.supportedGroups, [])
  t.equal(r.hello.sni, 'b.example')
})

t.test('bounds: a hello announced too long is refused from its header alone', async (t) => {
  const big = helloMessage({ ciphers: [0x1301], extensions: [ext.empty(0x0015), ext.sni('x')].concat([Buffer.concat([u16(0x0015), u16(20000), Buffer.alloc(20000)])]) })
  const bytes = records(big)
  t.equal(reason(bytes.subarray(0, 9)), 'oversized', 'nine bytes suffice')
  t.equal(reason(records(helloMessage({ ciphers: [0x1301] }), 2)), 'oversized', 'more than 16 records')
  const longRecord = Buffer.from([22, 3, 1, 0x40, 0x01])
  t.equal(reason(longRecord), 'oversized', 'a record over 2^14')
  t.equal(parseClientHello(records(helloMessage({ ciphers: [0x1301] })), { maxHelloBytes: 40, maxRecords: 16 }).status, 'rejected')
})

t.test('each rejection reason', async (t) => {
  const good = records(helloMessage({ ciphers: [0x1301] }))
  t.equal(reason('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), 'plain-http')
  t.equal(reason('POST /services HTTP/1.1\r\n'), 'plain-http')
  t.equal(reason('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), 'plain-http')
  t.equal(reason('OPTIONS'), 'incomplete', 'a method prefix waits for more')
  t.equal(reason('GEX /'), 'garbage')
  t.equal(reason('SSH-2.0-OpenSSH_9.2\r\n'), 'garbage')
  t.same(parseClientHello(Buffer.from('802e0103010015000000100000390000380000350000', 'hex')), { status: 'rejected', reason: 'sslv2-hello', offeredVersion: 0x0301 })
  t.equal(reason(Buffer.from('8002ff', 'hex')), 'garbage', 'high bit but not a CLIENT-HELLO')
  t.equal(reason(Buffer.from('15030100020228', 'hex')), 'unexpected-record', 'an alert')
  t.equal(reason(Buffer.from('1703030010', 'hex')), 'unexpected-record', 'application data')
  t.equal(reason(Buffer.from('1403010001', 'hex')), 'unexpected-record', 'change_cipher_spec')
  t.equal(reason(Buffer.from('1604010010', 'hex')), 'garbage', 'handshake type byte but version major 4')
  const serverHello = Buffer.from(good)
  serverHello[5] = 2
  t.equal(reason(serverHello), 'not-client-hello')
  t.equal(reason(Buffer.from('1603010000', 'hex')), 'malformed', 'a zero-length record')
  const interleaved = Buffer.concat([records(helloMessage({ ciphers: [0x1301] }).subarray(0, 10)), Buffer.from('15030100020228', 'hex')])
  t.equal(reason(interleaved), 'malformed', 'an alert in the middle of the hello')
  t.equal(reason(Buffer.from([0x00, 0x01, 0x02])), 'garbage')
  t.equal(reason(Buffer.alloc(0)), 'incomplete')
})

t.test('malformed vectors', async (t) => {
  const withExtensions = (extBlock: Buffer): Buffer => {
    const body = Buffer.concat([u16(0x0303), Buffer.alloc(32), Buffer.from([0]), u16(2), u16(0x1301), Buffer.from([1, 0]), extBlock])
    return records(Buffer.concat([Buffer.from([1, 0, body.length >> 8, body.length & 0xff]), body]))
  }
  t.equal(reason(withExtensions(Buffer.concat([u16(10), u16(0x0017), u16(0)]))), 'malformed', 'extensions block longer than its content')
  t.equal(reason(withExtensions(Buffer.concat([u16(4), u16(0x0017), u16(0), Buffer.from([9])]))), 'malformed', 'trailing byte after the extensions')
  t.equal(reason(withExtensions(Buffer.concat([u16(6), u16(0x0017), u16(5), u16(0)]))), 'malformed', 'an extension longer than the block')
  t.equal(reason(withExtensions(Buffer.from([0]))), 'malformed', 'a one-byte extensions length')
  const oddCiphers = Buffer.concat([u16(0x0303), Buffer.alloc(32), Buffer.from([0]), u16(3), Buffer.from([0x13, 0x01, 0x13]), Buffer.from([1, 0])])
  t.equal(reason(records(Buffer.concat([Buffer.from([1, 0, 0, oddCiphers.length]), oddCiphers]))), 'malformed', 'odd cipher suites length')
  const sessionOverrun = Buffer.concat([u16(0x0303), Buffer.alloc(32), Buffer.from([200])])
  t.equal(reason(records(Buffer.concat([Buffer.from([1, 0, 0, sessionOverrun.length]), sessionOverrun]))), 'malformed', 'session id past the end')
})
