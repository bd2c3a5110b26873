import { once } from 'node:events'
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { TLSSocket } from 'node:tls'
import t from 'tap'
import { gatewayBenchConfig } from '../../../bench/harness/gateway-config.js'
import { createNodeFloor } from '../../../bench/harness/node-floor.js'
import { postOnce } from '../../../bench/harness/post-once.js'
import { PROXY_PATH, UPSTREAM_PATH } from '../../../bench/harness/targets.js'
import { resolveConfig } from '../../../src/config/load.js'
import { testPki } from '../../helpers/pki.js'

interface Seen { path: string | undefined, headers: Record<string, string | string[] | undefined>, body: Buffer, clientCn: string | undefined }

t.test('the bare Node floor forwards byte for byte over mTLS and refuses a client without a certificate', async (t) => {
  const pki = await testPki()
  const [ca, simCert, simKey, clientCert, clientKey] = await Promise.all([pki.ca.cert, pki.simulator.cert, pki.simulator.key, pki.client.cert, pki.client.key].map(async (f) => await readFile(f))) as [Buffer, Buffer, Buffer, Buffer, Buffer]

  // an upstream that requires the floor's client credential, records what it got and answers fixed bytes
  const answer = Buffer.concat([Buffer.from('--uuid:x\r\nContent-Type: application/xop+xml\r\n\r\n'), Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from('\r\n--uuid:x--\r\n')])
  const answerType = 'multipart/related; type="application/xop+xml"; boundary="uuid:x"; start="<root>"'
  const seen: Seen[] = []
  const upstream = createServer({ cert: simCert, key: simKey, ca, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const peer = (req.socket as TLSSocket).getPeerCertificate()
      seen.push({ path: req.url, headers: req.headers, body: Buffer.concat(chunks), clientCn: typeof peer.subject?.CN === 'string' ? peer.subject.CN : undefined })
      res.writeHead(200, { 'content-type': answerType, 'x-upstream-only': 'not returned' }).end(answer)
    })
  })
  upstream.listen(0, '127.0.0.1')
  await once(upstream, 'listening')
  t.teardown(() => { upstream.closeAllConnections(); upstream.close() })
  const upstreamUrl = `https://127.0.0.1:${(upstream.address() as AddressInfo).port}${UPSTREAM_PATH}`

  const raw = gatewayBenchConfig({
    port: 1,
    opsPort: 2,
    cert: pki.server.cert,
    key: pki.server.key,
    upstream: { url: upstreamUrl, ca: pki.ca.cert, cert: pki.upstreamClient.cert, key: pki.upstreamClient.key, servername: 'localhost', connections: 4 },
    validation: 'off',
    bodyLimitBytes: 512 * 1024,
    extra: { dataPlane: { tls: { clientCertificates: 'required', clientCa: pki.ca.cert } } }
  })
  const { config } = resolveConfig(raw, { env: {}, cwd: process.cwd(), baseDir: process.cwd() })
  const floor = await createNodeFloor(config)
  floor.server.listen(0, '127.0.0.1')
  await once(floor.server, 'listening')
  t.teardown(async () => { floor.server.closeAllConnections(); floor.server.close(); await floor.close() })
  const url = `https://127.0.0.1:${(floor.server.address() as AddressInfo).port}${PROXY_PATH}`

  // every byte value, and large enough to arrive in several chunks
  const body = Buffer.alloc(300 * 1024)
  for (let i = 0; i < body.length; i++) body[i] = (i * 7 + (i >> 8)) & 0xff
  const contentType = 'multipart/related; type="application/xop+xml"; boundary="MIMEBoundary_é"; start="<0.x@y>"; start-info="application/soap+xml"; action="urn:getNumUnique"'
  const withCert = { ca, cert: clientCert, key: clientKey }
  const a = await postOnce(url, { contentType, body, headers: { soapaction: '"urn:getNumUnique"', 'x-not-forwarded': 'secret' } }, withCert)
  t.equal(a.statusCode, 200)
  t.equal(a.contentType, answerType, 'the answer\'s content type with all its parameters')
  t.ok(a.body.equals(answer), 'the answer, byte for byte')
  t.equal(seen.length, 1)
  t.ok(seen[0]!.body.equals(body), 'the request body, byte for byte')
  t.equal(seen[0]!.path, UPSTREAM_PATH, 'sent to the upstream\'s service path')
  t.equal(seen[0]!.headers['content-type'], contentType)
  t.equal(seen[0]!.headers.soapaction, '"urn:getNumUnique"')
  t.equal(seen[0]!.headers['x-not-forwarded'], undefined, 'other headers stay behind, as on the gateway')
  t.equal(seen[0]!.clientCn, 'sne-gateway', 'the upstream client credential of the configuration is presented')

  await t.rejects(postOnce(url, { contentType, body }, { ca }), 'no client certificate: the handshake is refused')
  t.equal(seen.length, 1, 'nothing reached the upstream')

  t.equal((await postOnce(url.replace(PROXY_PATH, '/other/'), { contentType, body }, withCert)).statusCode, 404, 'only the service path is forwarded')
  t.equal((await postOnce(url, { contentType, body: Buffer.alloc(512 * 1024 + 1) }, withCert)).statusCode, 413, 'dataPlane.bodyLimit holds')
  t.equal(seen.length, 1)
})
