// Twenty-odd kinds of garbage on the TLS port: each recorded with its own reason and closed, none
// crashing anything; a real client is served normally afterwards.
import t from 'tap'
import net from 'node:net'
import { ext, helloMessage, records, u16 } from './helpers/hello-builder.js'
import { startInspected, tlsAttempt } from './helpers/inspected-server.js'

interface Case {
  name: string
  bytes: Buffer | string
  reason: string
  /** what to do after writing: close (FIN), reset (RST) or wait for the server to close */
  then?: 'end' | 'reset' | 'wait'
  offeredVersion?: number
}

const hello = records(helloMessage({ ciphers: [0x1301, 0x1302], extensions: [ext.sni('garbage.example'), ext.versions(0x0304)] }))
const badExtensions = (() => {
  const body = Buffer.concat([u16(0x0303), Buffer.alloc(32), Buffer.from([0]), u16(2), u16(0x1301), Buffer.from([1, 0]), u16(10), u16(0x0017), u16(0)])
  return records(Buffer.concat([Buffer.from([1, 0, 0, body.length]), body]))
})()
const serverHello = Buffer.from(hello)
serverHello[5] = 2
// deterministic "random" bytes (a linear congruential generator), starting away from any known first byte
const noise = Buffer.alloc(300)
for (let i = 0, x = 7; i < noise.length; i++) { x = (x * 1103515245 + 12345) & 0x7fffffff; noise[i] = x & 0xff }
noise[0] = 0x07

const CASES: Case[] = [
  { name: 'HTTP/1.1 GET', bytes: 'GET / HTTP/1.1\r\nHost: gateway\r\n\r\n', reason: 'plain-http', then: 'wait' },
  { name: 'HTTP POST of a SOAP call', bytes: 'POST /ecole/services/DemandeLogementImplService/ HTTP/1.1\r\n', reason: 'plain-http', then: 'wait' },
  { name: 'HTTP/2 prior-knowledge preface', bytes: 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', reason: 'plain-http', then: 'wait' },
  { name: 'SSLv2-format hello offering TLS 1.0', bytes: Buffer.from('802e0103010015000000100000390000380000350000', 'hex'), reason: 'sslv2-hello', offeredVersion: 0x0301, then: 'wait' },
  { name: 'SSLv2-format hello offering SSL 2.0', bytes: Buffer.from('802e0100020015000000100000390000380000350000', 'hex'), reason: 'sslv2-hello', offeredVersion: 0x0002, then: 'wait' },
  { name: 'a TLS alert', bytes: Buffer.from('15030100020228', 'hex'), reason: 'unexpected-record', then: 'wait' },
  { name: 'TLS application data', bytes: Buffer.from('17030300050102030405', 'hex'), reason: 'unexpected-record', then: 'wait' },
  { name: 'a ServerHello sent by a confused peer', bytes: serverHello, reason: 'not-client-hello', then: 'wait' },
  { name: 'a zero-length handshake record', bytes: Buffer.from('1603010000', 'hex'), reason: 'malformed', then: 'wait' },
  { name: 'extensions longer than announced', bytes: badExtensions, reason: 'malformed', then: 'wait' },
  { name: 'an alert in the middle of the hello', bytes: Buffer.concat([records(helloMessage({ ciphers: [0x1301] }).subarray(0, 10)), Buffer.from('15030100020228', 'hex')]), reason: 'malformed', then: 'wait' },
  { name: 'a hello announced at 1 MiB', bytes: Buffer.from('16030100100100ffff', 'hex'), reason: 'oversized', then: 'wait' },
  { name: 'a record over 2^14', bytes: Buffer.from('1603014001', 'hex'), reason: 'oversized', then: 'wait' },
  { name: 'a hello spread over 40 records', bytes: records(helloMessage({ ciphers: [0x1301, 0x1302, 0x1303] }), 1), reason: 'oversized', then: 'wait' },
  { name: 'an SSH banner', bytes: 'SSH-2.0-OpenSSH_9.2p1\r\n', reason: 'garbage', then: 'wait' },
  { name: 'an SMTP greeting', bytes: 'EHLO mail.example\r\n', reason: 'garbage', then: 'wait' },
  { name: 'NUL bytes', bytes: Buffer.alloc(64), reason: 'garbage', then: 'wait' },
  { name: 'pseudo-random bytes', bytes: noise, reason: 'garbage', then: 'wait' },
  { name: 'a handshake byte with version major 4', bytes: Buffer.from('1604010010', 'hex'), reason: 'garbage', then: 'wait' },
  { name: 'half a hello, then silence', bytes: hello.subarray(0, 20), reason: 'timeout', then: 'wait' },
  { name: 'half a hello, then FIN', bytes: hello.subarray(0, 20), reason: 'closed-early', then: 'end' },
  { name: 'half a hello, then RST', bytes: hello.subarray(0, 30), reason: 'closed-early', then: 'reset' },
  { name: 'an HTTP method prefix, then FIN', bytes: 'GE', reason: 'closed-early', then: 'end' },
  { name: 'connect and close without a byte', bytes: '', reason: 'empty', then: 'end' }
]

t.test('each kind of garbage is recorded with its reason and closed', async (t) => {
  t.ok(CASES.length >= 20, `${CASES.length} kinds`)
  const server = await startInspected({ inspector: { helloTimeoutMs: 400 } })
  t.teardown(server.close)
  for (const [i, c] of CASES.entries()) {
    const answer = await new Promise<string>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port: server.port }, () => {
        if (c.bytes.length > 0) socket.write(c.bytes)
        if (c.then === 'end') socket.end()
        if (c.then === 'reset') setTimeout(() => socket.resetAndDestroy(), 20)
      })
      let got = ''
      socket.on('data', (d) => { got += d.toString('latin1') })
      socket.on('error', () => {})
      socket.on('close', () => resolve(got))
    })
    const records = await server.waitRecords(i + 1)
    const record = records[i]!
    t.match(record, { outcome: 'rejected', reason: c.reason, negotiatedVersion: undefined }, c.name)
    if (c.reason !== 'empty') t.equal(record.remoteAddress, '127.0.0.1', `${c.name}: the address is known`)
    if (c.offeredVersion !== undefined) t.equal(record.offeredVersion, c.offeredVersion, `${c.name}: offered version`)
    if (c.reason === 'plain-http') t.match(answer, /^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*HTTPS only/, `${c.name}: told why`)
    else t.equal(answer, '', `${c.name}: closed without an answer`)
  }
  t.equal(server.records.length, CASES.length, 'one record per connection')
  t.equal(server.inspector.pending, 0, 'nothing left peeking')
  const after = await tlsAttempt(server.port, { servername: 'localhost' })
  t.same(after, { ok: true, protocol: 'TLSv1.3' }, 'a real client is served afterwards')
})

t.test('closing the inspector closes the hellos in progress without reporting them', async (t) => {
  const server = await startInspected()
  const socket = net.connect({ host: '127.0.0.1', port: server.port }, () => socket.write(hello.subarray(0, 10)))
  socket.on('error', () => {})
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()))
  while (server.inspector.pending === 0) await new Promise((resolve) => setTimeout(resolve, 5))
  await server.close()
  await closed
  t.equal(server.records.length, 0)
  t.equal(server.inspector.pending, 0)
})
