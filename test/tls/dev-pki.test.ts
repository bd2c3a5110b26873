import t from 'tap'
import { X509Certificate, createPrivateKey } from 'node:crypto'
import { execFile } from 'node:child_process'
import { readFile, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { ensureDevPki, issueCertificate, writeCrl } from '../../src/tls/dev-pki.js'

const run = promisify(execFile)

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

t.test('keys are private, the CRL is empty, and further certificates and CRLs come from the same CA', async (t) => {
  const dir = t.testdir()
  const pki = await ensureDevPki(dir)
  for (const pair of [pki.ca, pki.server, pki.client, pki.simulator, pki.upstreamClient]) {
    t.equal((await stat(pair.key)).mode & 0o077, 0, `${pair.key} is readable by its owner only`)
  }
  const text = async (crl: string): Promise<string> => (await run('openssl', ['crl', '-in', crl, '-noout', '-text'])).stdout
  t.match(await text(pki.crl), /No Revoked Certificates/)

  const other = await issueCertificate(pki.ca, join(dir, 'more'), { name: 'g1104', subject: '/O=test/CN=G1104' })
  const ca = new X509Certificate(await readFile(pki.ca.cert))
  const cert = new X509Certificate(await readFile(other.cert))
  t.ok(cert.verify(ca.publicKey))
  t.match(cert.subject, /CN=G1104/)
  t.match(cert.keyUsage ?? [], ['1.3.6.1.5.5.7.3.2'], 'a client certificate')
  t.not(cert.serialNumber, new X509Certificate(await readFile(pki.client.cert)).serialNumber)

  const crl = join(dir, 'revoked.pem')
  await writeCrl(pki.ca, [other.cert], crl)
  const listed = await text(crl)
  t.match(listed, new RegExp(`Serial Number: ${cert.serialNumber}`, 'i'), 'the revoked certificate is listed')
  t.notMatch(listed, /No Revoked Certificates/)

  await rm(pki.crl)
  const fp = ca.fingerprint256
  await ensureDevPki(dir)
  t.match(await text(pki.crl), /No Revoked Certificates/, 'a PKI made before CRLs gets one')
  t.equal(new X509Certificate(await readFile(pki.ca.cert)).fingerprint256, fp, 'without being made anew')
})
