import t from 'tap'
import { X509Certificate, createPrivateKey } from 'node:crypto'
import { readFile, rm, stat } from 'node:fs/promises'
import { ensureDevPki } from '../../src/tls/dev-pki.js'

t.test('generates a CA-signed PKI once, and reuses it', async (t) => {
  const dir = t.testdir()
  const pki = await ensureDevPki(dir)
  const ca = new X509Certificate(await readFile(pki.ca.cert))
  t.ok(ca.ca, 'the CA is a CA')
  for (const pair of [pki.server, pki.client, pki.simulator, pki.upstreamClient]) {
    const cert = new X509Certificate(await readFile(pair.cert))
    t.ok(cert.verify(ca.publicKey), `${pair.cert} is signed by the CA`)
    t.ok(cert.checkPrivateKey(createPrivateKey(await readFile(pair.key))), `${pair.key} matches its certificate`)
    t.notOk(cert.ca, `${pair.cert} is a leaf`)
  }
  const server = new X509Certificate(await readFile(pki.server.cert))
  t.ok(server.checkHost('localhost'), 'server cert covers localhost')
  t.ok(server.checkIP('127.0.0.1'), 'server cert covers 127.0.0.1')
  t.ok(server.checkIP('::1'), 'server cert covers ::1')
  const client = new X509Certificate(await readFile(pki.client.cert))
  t.match(client.subject, /CN=G1226/, 'client identity is the demo guichet')
  t.equal(pki.client.identity, 'G1226')

  const before = (await stat(pki.ca.cert)).mtimeMs
  await ensureDevPki(dir)
  t.equal((await stat(pki.ca.cert)).mtimeMs, before, 'a second call keeps the existing PKI')

  await rm(pki.client.key)
  const again = await ensureDevPki(dir)
  const ca2 = new X509Certificate(await readFile(again.ca.cert))
  t.not(ca2.fingerprint256, ca.fingerprint256, 'a PKI with a missing file is made anew')
})
