// The inspector in front of a bare node:tls server: legacy versions refused by node:tls and recorded
// with what they offered; 1.2 and 1.3 established and recorded with what was negotiated; client
// identities; reassembly across segments and records; handshake failures after the hand-over.
import t from 'tap'
import net from 'node:net'
import tls from 'node:tls'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseClientHello } from '../../src/census/client-hello.js'
import { ja3 } from '../../src/census/ja3.js'
import { testPki } from '../helpers/pki.js'
import { capturedHellos, refragment } from './helpers/hello-builder.js'
import { startInspected, tlsAttempt } from './helpers/inspected-server.js'

const LEGACY = { ciphers: 'DEFAULT@SECLEVEL=0' }

t.test('TLS 1.0 and 1.1 from Node are refused and recorded with the offered version and SNI', async (t) => {
  const server = await startInspected()
  t.teardown(server.close)
  const v10 = await tlsAttempt(server.port, { ...LEGACY, minVersion: 'TLSv1', maxVersion: 'TLSv1', servername: 'legacy.example' })
  const v11 = await tlsAttempt(server.port, { ...LEGACY, minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', servername: 'other.example' })
  t.notOk(v10.ok)
  t.notOk(v11.ok)
  const [r10, r11] = await server.waitRecords(2)
  t.match(r10, { outcome: 'failure', reason: 'unsupported-protocol', offeredVersion: 0x0301, remoteAddress: '127.0.0.1', negotiatedVersion: undefined })
  t.equal(r10!.hello?.sni, 'legacy.example')
  t.match(r10!.ja4, /^t10d/)
  t.match(ja3(r10!.hello!).text, /^769,/)
  t.match(r11, { outcome: 'failure', reason: 'unsupported-protocol', offeredVersion: 0x0302 })
  t.equal(r11!.hello?.sni, 'other.example')
  t.match(r11!.ja4, /^t11d/)
})

function sClient (port: number, args: string[]): Promise<void> {
  return new Promise((resolve) => {
    const child = execFile('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, ...args], { timeout: 20000 }, () => resolve())
    child.stdin?.end()
  })
}

t.test('TLS 1.0 and 1.1 from openssl s_client -cipher DEFAULT@SECLEVEL=0 are refused and recorded', async (t) => {
  const server = await startInspected()
  t.teardown(server.close)
  await sClient(server.port, ['-tls1', '-cipher', 'DEFAULT@SECLEVEL=0', '-servername', 'guichet.example'])
  await sClient(server.port, ['-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0', '-servername', 'guichet.example'])
  const [r10, r11] = await server.waitRecords(2)
  t.match(r10, { outcome: 'failure', reason: 'unsupported-protocol', offeredVersion: 0x0301 })
  t.equal(r10!.hello?.sni, 'guichet.example')
  t.match(r11, { outcome: 'failure', reason: 'unsupported-protocol', offeredVersion: 0x0302 })
  t.equal(r11!.hello?.sni, 'guichet.example')
})

t.test('TLS 1.2 and 1.3 are established, recorded with the negotiated version, and carry data', async (t) => {
  const server = await startInspected()
  t.teardown(server.close)
  const v12 = await tlsAttempt(server.port, { maxVersion: 'TLSv1.2', servername: 'localhost' })
  const v13 = await tlsAttempt(server.port, { servername: 'localhost', ALPNProtocols: ['http/1.1'] })
  t.same([v12.protocol, v13.protocol], ['TLSv1.2', 'TLSv1.3'])
  const [r12, r13] = await server.waitRecords(2)
  t.match(r12, { outcome: 'success', reason: undefined, offeredVersion: 0x0303, negotiatedVersion: 'TLSv1.2', identity: undefined })
  t.match(r12!.cipher, /^ECDHE-/)
  t.match(r13, { outcome: 'success', offeredVersion: 0x0304, negotiatedVersion: 'TLSv1.3', cipher: /^TLS_/ })
  t.match(r13!.ja4, /^t13d\d{4}h1_/)
  t.equal(r13!.hello?.sni, 'localhost')

  const echoed = await new Promise<string>((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port: server.port, rejectUnauthorized: false }, () => socket.end('ping'))
    let got = ''
    socket.on('data', (d) => { got += String(d) })
    socket.on('end', () => resolve(got))
    socket.on('error', reject)
  })
  t.equal(echoed, 'ping', 'the bytes put back reached node:tls untouched')
  t.equal(server.inspector.pending, 0)
})

t.test('openssl s_client with TLS 1.2 and 1.3 is established and recorded', async (t) => {
  const server = await startInspected()
  t.teardown(server.close)
  await sClient(server.port, ['-tls1_2', '-servername', 'localhost'])
  await sClient(server.port, ['-tls1_3', '-servername', 'localhost'])
  const records = await server.waitRecords(2)
  t.same(records.map((r) => [r.outcome, r.negotiatedVersion, r.hello?.sni]), [['success', 'TLSv1.2', 'localhost'], ['success', 'TLSv1.3', 'localhost']])
})

t.test('client certificates: the verified identity is recorded; a bad certificate fails with its reason', async (t) => {
  const pki = await testPki()
  const server = await startInspected({ tls: { requestCert: true, rejectUnauthorized: true, ca: readFileSync(pki.ca.cert) } })
  t.teardown(server.close)
  const good = await tlsAttempt(server.port, { key: readFileSync(pki.client.key), cert: readFileSync(pki.client.cert) })
  t.ok(good.ok)
  // a certificate the CA did not sign (the upstream credential is signed by it; use a self-signed one)
  const dir = mkdtempSync(join(tmpdir(), 'census-intruder-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  await new Promise<void>((resolve, reject) => {
    execFile('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'key.pem'),
      '-out', join(dir, 'cert.pem'), '-subj', '/CN=intruder', '-days', '1'], (err) => { if (err === null) resolve(); else reject(err) })
  })
  const selfSigned = { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }
  await tlsAttempt(server.port, { ...selfSigned, maxVersion: 'TLSv1.2' })
  await tlsAttempt(server.port, { maxVersion: 'TLSv1.2' })
  const [r1, r2, r3] = await server.waitRecords(3)
  t.match(r1, { outcome: 'success', identity: 'G1226', negotiatedVersion: 'TLSv1.3' })
  t.match(r2, { outcome: 'failure', negotiatedVersion: undefined, identity: undefined })
  t.match(r2!.reason, /certificate/, `reason ${r2!.reason}`)
  t.match(r3, { outcome: 'failure', reason: /certificate/ }, `reason ${r3!.reason}`)
})

/** A TCP relay to `port` that sends the client's first flight in pieces, then relays as is. */
async function relay (port: number, send: (first: Buffer, upstream: net.Socket) => Promise<void>): Promise<{ port: number, close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
    sockets.add(client)
    client.pause()
    const upstream = net.connect({ host: '127.0.0.1', port, noDelay: true })
    sockets.add(upstream)
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
    let first = Buffer.alloc(0)
    const onData = (d: Buffer): void => {
      first = Buffer.concat([first, d])
      if (parseClientHello(first).status === 'incomplete') return
      client.removeListener('data', onData)
      client.pause()
      void send(first, upstream).then(() => {
        upstream.pipe(client)
        client.pipe(upstream)
        client.resume()
      })
    }
    upstream.on('connect', () => { client.on('data', onData); client.resume() })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

t.test('a hello written one byte at a time is reassembled and the handshake completes', async (t) => {
  const server = await startInspected()
  t.teardown(server.close)
  let writes = 0
  const r = await relay(server.port, async (first, upstream) => {
    for (const byte of first) {
      upstream.write(Buffer.from([byte]))
      writes++
      await pause(1)
    }
  })
  t.teardown(r.close)
  const result = await tlsAttempt(r.port, { servername: 'bytewise.example' })
  t.same(result, { ok: true, protocol: 'TLSv1.3' })
  const [record] = await server.waitRecords(1)
  t.ok(writes > 200, `${writes} one-byte writes`)
  t.match(record, { outcome: 'success', negotiatedVersion: 'TLSv1.3' })
  t.equal(record!.hello?.sni, 'bytewise.example')
})

t.test('a hello split over several TLS records is reassembled, and OpenSSL accepts the same bytes', async (t) => {
  const server = await startInspected()
  t.teardown(server.close)
  const r = await relay(server.port, async (first, upstream) => { upstream.write(refragment(first, 64)) })
  t.teardown(r.close)
  const result = await tlsAttempt(r.port, { servername: 'records.example', maxVersion: 'TLSv1.2' })
  t.same(result, { ok: true, protocol: 'TLSv1.2' })
  const [record] = await server.waitRecords(1)
  t.match(record, { outcome: 'success', negotiatedVersion: 'TLSv1.2' })
  t.ok(record!.hello!.recordCount > 2, `${record!.hello!.recordCount} records`)
  t.equal(record!.hello?.sni, 'records.example')
})

t.test('a valid hello then silence ends as a handshake timeout of node:tls, tied to its hello', async (t) => {
  const server = await startInspected({ tls: { handshakeTimeout: 300 } })
  t.teardown(server.close)
  const hello = capturedHellos().get('chromium')!
  const socket = net.connect({ host: '127.0.0.1', port: server.port }, () => socket.write(hello))
  socket.on('error', () => {})
  socket.resume()
  t.teardown(() => socket.destroy())
  const [record] = await server.waitRecords(1)
  t.match(record, { outcome: 'failure', reason: 'handshake-timeout', offeredVersion: 0x0304 })
  t.equal(record!.hello?.sni, 'localhost')
  t.match(record!.ja4, /^t13d/)
})
