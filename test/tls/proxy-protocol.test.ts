// The PROXY protocol parser: v1 (TCP4, TCP6, UNKNOWN), v2 (PROXY over INET and INET6, LOCAL,
// UNSPEC, UNIX), headers split across chunks, TLVs skipped, and what is refused: malformed,
// oversized, other protocols.
import t from 'tap'
import { DEFAULT_V2_MAX_LENGTH, V1_MAX_LENGTH, parseProxyHeader } from '../../src/tls/proxy-protocol.js'
import { inet4Block, proxyV2 as v2 } from '../helpers/proxy-header.js'

const TLS_HELLO_START = Buffer.from([0x16, 0x03, 0x01, 0x00, 0xc8, 0x01])

t.test('v1 TCP4: the client address, and the length that leaves the TLS bytes after it', async (t) => {
  const header = Buffer.from('PROXY TCP4 192.0.2.7 198.51.100.1 51234 443\r\n', 'latin1')
  const r = parseProxyHeader(Buffer.concat([header, TLS_HELLO_START]))
  t.same(r, { status: 'complete', version: 1, length: header.length, source: { address: '192.0.2.7', port: 51234 } })
})

t.test('v1 TCP6: the address in its canonical text', async (t) => {
  const r = parseProxyHeader(Buffer.from('PROXY TCP6 2001:DB8:0:0:0:0:0:7 2001:db8::1 65535 443\r\n', 'latin1'))
  t.match(r, { status: 'complete', version: 1, source: { address: '2001:db8::7', port: 65535 } })
})

t.test('v1 UNKNOWN: the balancer\'s own address stands', async (t) => {
  t.same(parseProxyHeader(Buffer.from('PROXY UNKNOWN\r\n')), { status: 'complete', version: 1, length: 15, source: undefined })
  t.match(parseProxyHeader(Buffer.from('PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n')), { status: 'complete', source: undefined })
})

t.test('v1 split at every byte is incomplete until its CRLF', async (t) => {
  const header = Buffer.from('PROXY TCP4 192.0.2.7 198.51.100.1 51234 443\r\n', 'latin1')
  for (let n = 1; n < header.length; n++) t.same(parseProxyHeader(header.subarray(0, n)), { status: 'incomplete' }, `${n} bytes`)
  t.match(parseProxyHeader(header), { status: 'complete' })
})

t.test('v1 malformed lines are refused', async (t) => {
  for (const line of [
    'PROXY TCP4 192.0.2.7 198.51.100.1 51234\r\n',
    'PROXY TCP4 192.0.2.7 198.51.100.1 51234 443 extra\r\n',
    'PROXY TCP4 2001:db8::1 198.51.100.1 1 443\r\n',
    'PROXY TCP6 192.0.2.7 2001:db8::1 1 443\r\n',
    'PROXY TCP4 192.0.2.256 198.51.100.1 1 443\r\n',
    'PROXY TCP4 192.0.2.7 198.51.100.1 65536 443\r\n',
    'PROXY TCP4 192.0.2.7 198.51.100.1 0080 443\r\n',
    'PROXY TCP4 192.0.2.7 198.51.100.1 -1 443\r\n',
    'PROXY UDP4 192.0.2.7 198.51.100.1 1 443\r\n',
    'PROXY TCP4  192.0.2.7 198.51.100.1 1 443\r\n',
    'PROXY TCP4 192.0.2.7 198.51.100.1 1 443\n'
  ]) t.same(parseProxyHeader(Buffer.from(line, 'latin1')), { status: 'invalid', reason: 'malformed' }, JSON.stringify(line))
})

t.test('v1 longer than 107 bytes without its CRLF is oversized', async (t) => {
  const long = Buffer.from(`PROXY UNKNOWN ${'x'.repeat(200)}\r\n`)
  t.same(parseProxyHeader(long.subarray(0, V1_MAX_LENGTH - 1)), { status: 'incomplete' })
  t.same(parseProxyHeader(long), { status: 'invalid', reason: 'oversized' })
  const exact = Buffer.from(`PROXY UNKNOWN ${'x'.repeat(V1_MAX_LENGTH - 16)}\r\n`)
  t.equal(exact.length, V1_MAX_LENGTH)
  t.match(parseProxyHeader(exact), { status: 'complete', length: V1_MAX_LENGTH })
})

t.test('v2 PROXY over TCP/IPv4, TLVs skipped', async (t) => {
  const tlv = Buffer.from([0x04, 0x00, 0x03, 0x61, 0x62, 0x63, 0xea, 0x00, 0x02, 0x01, 0x02])
  const header = v2(1, 0x11, Buffer.concat([inet4Block('192.0.2.9', '198.51.100.1', 40000, 443), tlv]))
  const r = parseProxyHeader(Buffer.concat([header, TLS_HELLO_START]))
  t.same(r, { status: 'complete', version: 2, length: header.length, source: { address: '192.0.2.9', port: 40000 } })
})

t.test('v2 PROXY over TCP/IPv6', async (t) => {
  const block = Buffer.alloc(36)
  Buffer.from('20010db8000000000000000000000042', 'hex').copy(block, 0)
  Buffer.from('20010db8000000000000000000000001', 'hex').copy(block, 16)
  block.writeUInt16BE(1234, 32)
  block.writeUInt16BE(443, 34)
  t.match(parseProxyHeader(v2(1, 0x21, block)), { status: 'complete', version: 2, source: { address: '2001:db8::42', port: 1234 } })
  const mapped = Buffer.alloc(36)
  Buffer.from('00000000000000000000ffff7f000002', 'hex').copy(mapped, 0)
  t.match(parseProxyHeader(v2(1, 0x21, mapped)), { source: { address: '::ffff:127.0.0.2' } }, 'mapped: normalized by the listener')
})

t.test('v2 LOCAL, UNSPEC and UNIX keep the balancer\'s address', async (t) => {
  t.same(parseProxyHeader(v2(0, 0x00, Buffer.alloc(0))), { status: 'complete', version: 2, length: 16, source: undefined })
  t.match(parseProxyHeader(v2(0, 0x11, inet4Block('10.0.0.1', '10.0.0.2', 1, 2))), { status: 'complete', source: undefined }, 'LOCAL ignores its addresses')
  t.match(parseProxyHeader(v2(1, 0x00, Buffer.alloc(0))), { status: 'complete', source: undefined })
  t.match(parseProxyHeader(v2(1, 0x31, Buffer.alloc(216))), { status: 'complete', source: undefined })
})

t.test('v2 split at every byte is incomplete until its last', async (t) => {
  const header = v2(1, 0x11, inet4Block('192.0.2.9', '198.51.100.1', 40000, 443))
  for (let n = 1; n < header.length; n++) t.same(parseProxyHeader(header.subarray(0, n)), { status: 'incomplete' }, `${n} bytes`)
})

t.test('v2 malformed headers are refused', async (t) => {
  const ok = inet4Block('192.0.2.9', '198.51.100.1', 40000, 443)
  const bad = (h: Buffer, what: string): void => { t.same(parseProxyHeader(h), { status: 'invalid', reason: 'malformed' }, what) }
  const version1 = v2(1, 0x11, ok)
  version1[12] = 0x11
  bad(version1, 'version nibble 1')
  bad(v2(2, 0x11, ok), 'command 2')
  bad(v2(1, 0x12, ok), 'DGRAM')
  bad(v2(1, 0x41, ok), 'family 4')
  bad(v2(1, 0x13, ok), 'transport 3')
  bad(v2(1, 0x11, ok.subarray(0, 11)), 'IPv4 block short')
  bad(v2(1, 0x21, Buffer.alloc(35)), 'IPv6 block short')
  bad(v2(1, 0x31, Buffer.alloc(100)), 'UNIX block short')
})

t.test('v2 longer than the bound is oversized as soon as its length is read', async (t) => {
  const header = v2(1, 0x11, Buffer.alloc(DEFAULT_V2_MAX_LENGTH + 1))
  t.same(parseProxyHeader(header.subarray(0, 16)), { status: 'invalid', reason: 'oversized' })
  t.match(parseProxyHeader(v2(1, 0x11, Buffer.alloc(DEFAULT_V2_MAX_LENGTH))), { status: 'complete' })
  t.same(parseProxyHeader(v2(1, 0x11, Buffer.alloc(100)), 64), { status: 'invalid', reason: 'oversized' })
})

t.test('anything else is malformed at once: TLS, HTTP, a partial signature gone wrong', async (t) => {
  t.same(parseProxyHeader(TLS_HELLO_START), { status: 'invalid', reason: 'malformed' })
  t.same(parseProxyHeader(Buffer.from('GET / HTTP/1.1\r\n')), { status: 'invalid', reason: 'malformed' })
  t.same(parseProxyHeader(Buffer.from('PROXY\r\n')), { status: 'invalid', reason: 'malformed' })
  t.same(parseProxyHeader(Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x00])), { status: 'invalid', reason: 'malformed' })
  t.same(parseProxyHeader(Buffer.alloc(0)), { status: 'incomplete' })
})
