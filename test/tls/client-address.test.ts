// The client address of a connection: IPv4-mapped IPv6 written as IPv4 (one key per client for the
// per-address cap and the census), the listener's recorded address (a PROXY header's) before the
// peer's, found from the accepted socket or the TLS socket over it.
import t from 'tap'
import type { Socket } from 'node:net'
import { clientAddressOf, normalizeAddress, rawSocketOf } from '../../src/tls/client-address.js'
import { kConnection } from '../../src/tls/symbols.js'

const socket = (fields: Record<string | symbol, unknown>): Socket => fields as unknown as Socket

t.test('IPv4-mapped IPv6 addresses are written as IPv4', async (t) => {
  t.equal(normalizeAddress('::ffff:192.0.2.7'), '192.0.2.7')
  t.equal(normalizeAddress('::ffff:c000:207'), '::ffff:c000:207', 'only the dotted form is mapped')
  t.equal(normalizeAddress('2001:db8::1'), '2001:db8::1')
  t.equal(normalizeAddress(undefined), '', 'a socket already gone')
})

t.test('the recorded address wins over the peer, on the raw socket or through the TLS socket', async (t) => {
  const raw = socket({ remoteAddress: '::ffff:10.0.0.9', [kConnection]: { address: '192.0.2.41' } })
  const tlsSocket = socket({ remoteAddress: '::ffff:10.0.0.9', _parent: raw })
  t.equal(clientAddressOf(raw), '192.0.2.41')
  t.equal(clientAddressOf(tlsSocket), '192.0.2.41')
  t.equal(rawSocketOf(tlsSocket), raw)
  t.equal(clientAddressOf(socket({ remoteAddress: '::ffff:10.0.0.9', _parent: null })), '10.0.0.9', 'no record: the peer, normalized')
  t.equal(clientAddressOf(undefined), '')
})
