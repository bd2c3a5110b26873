// JA4 against the worked example of the FoxIO spec (technical_details/JA4.md), and its edge rules.
import t from 'tap'
import { parseClientHello, type ClientHello } from '../../src/census/client-hello.js'
import { ja4 } from '../../src/census/ja4.js'
import { ext, extension, helloMessage, records, type HelloSpec } from './helpers/hello-builder.js'

function parsed (spec: HelloSpec): ClientHello {
  const result = parseClientHello(records(helloMessage(spec)))
  if (result.status !== 'complete') throw new Error(`fixture did not parse: ${JSON.stringify(result)}`)
  return result.hello
}

// The example's lists, in the order of the spec, with GREASE values added (which JA4 ignores).
const SPEC_CIPHERS = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035]
const SPEC_SIGALGS = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601]

function specExtensions (grease: boolean): Buffer[] {
  const exts: Buffer[] = []
  if (grease) exts.push(ext.empty(0x1a1a))
  exts.push(ext.empty(0x001b), ext.sni('example.com'), ext.empty(0x0033), ext.alpn('h2', 'http/1.1'), ext.empty(0x4469),
    ext.empty(0x0017), ext.empty(0x002d), ext.sigAlgs(...(grease ? [0x0a0a] : []), ...SPEC_SIGALGS), ext.empty(0x0005),
    ext.empty(0x0023), ext.empty(0x0012), ext.versions(...(grease ? [0x2a2a] : []), 0x0304, 0x0303), ext.empty(0xff01),
    ext.pointFormats(0), ext.groups(...(grease ? [0x3a3a] : []), 0x001d, 0x0017), ext.empty(0x0015))
  if (grease) exts.push(ext.empty(0xfafa))
  return exts
}

t.test('the worked example of the spec: t13d1516h2_8daaf6152771_e5627efa2ab1', async (t) => {
  const hello = parsed({ ciphers: SPEC_CIPHERS, extensions: specExtensions(false) })
  const { fingerprint, raw } = ja4(hello)
  t.equal(fingerprint, 't13d1516h2_8daaf6152771_e5627efa2ab1')
  t.equal(raw, 't13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601')
})

t.test('GREASE values are ignored in ciphers, extensions, versions and signature algorithms', async (t) => {
  const hello = parsed({ ciphers: [0x0a0a, ...SPEC_CIPHERS, 0xdada], extensions: specExtensions(true) })
  t.equal(ja4(hello).fingerprint, 't13d1516h2_8daaf6152771_e5627efa2ab1')
})

t.test('without signature algorithms the extension list is hashed alone (spec: 6d807ffa2a79)', async (t) => {
  const exts = specExtensions(false).filter((e) => e.readUInt16BE(0) !== 0x000d)
  exts.push(ext.empty(0x000d)) // keep 000d in the list, with no algorithm in it
  const hello = parsed({ ciphers: SPEC_CIPHERS, extensions: exts })
  t.same(hello.signatureAlgorithms, [])
  t.equal(ja4(hello).fingerprint.split('_')[2], '6d807ffa2a79')
})

t.test('no SNI is "i", no ALPN is "00", no extension and no cipher hash to zeros', async (t) => {
  const hello = parsed({ legacyVersion: 0x0301, ciphers: [], extensions: undefined })
  t.equal(ja4(hello).fingerprint, 't10i000000_000000000000_000000000000')
})

t.test('version: supported_versions wins over legacy_version; unknown is 00; SSL 3.0 is s3', async (t) => {
  t.match(ja4(parsed({ legacyVersion: 0x0303, ciphers: [0x1301], extensions: [ext.versions(0x0304)] })).fingerprint, /^t13/)
  t.match(ja4(parsed({ legacyVersion: 0x0303, ciphers: [0x1301], extensions: [ext.versions(0x7f17)] })).fingerprint, /^t00/)
  t.match(ja4(parsed({ legacyVersion: 0x0300, ciphers: [0x002f] })).fingerprint, /^ts3/)
  t.match(ja4(parsed({ legacyVersion: 0x0302, ciphers: [0x002f] })).fingerprint, /^t11/)
})

t.test('ALPN characters, including the hex rule for non-alphanumeric bytes (spec examples)', async (t) => {
  const code = (value: string | Buffer): string => ja4(parsed({ ciphers: [0x1301], extensions: [ext.alpn(value)] })).fingerprint.slice(8, 10)
  t.equal(code('h2'), 'h2')
  t.equal(code('http/1.1'), 'h1')
  t.equal(code('x'), 'xx', 'a one-character value is both first and last')
  t.equal(code(Buffer.from([0xab])), 'ab')
  t.equal(code(Buffer.from([0xab, 0xcd])), 'ad')
  t.equal(code(Buffer.from([0x30, 0xab])), '3b')
  t.equal(code(Buffer.from([0x30, 0x31, 0xab, 0xcd])), '3d')
  t.equal(code(Buffer.from([0x30, 0xab, 0xcd, 0x31])), '01')
  t.equal(code(''), '00', 'an empty first value')
})

t.test('counts are two digits and saturate at 99', async (t) => {
  const ciphers = Array.from({ length: 120 }, (_, i) => 0x0100 + i)
  const extensions = Array.from({ length: 105 }, (_, i) => ext.empty(0x0100 + i))
  t.equal(ja4(parsed({ ciphers, extensions })).fingerprint.slice(0, 8), 't12i9999')
  t.equal(ja4(parsed({ ciphers: [0x1301], extensions: [extension(0x0023, Buffer.alloc(0))] })).fingerprint.slice(0, 8), 't12i0101')
})
