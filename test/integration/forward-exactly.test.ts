// What reaches the upstream is exactly what was validated, over real TLS sockets: a capturing
// upstream records the bytes and headers that arrived. Each defect of "forward exactly what was
// validated" is here: refused messages never arrive; accepted ones arrive byte for byte with
// headers computed by the gateway; HTTP-layer errors and CONNECT are answered as SOAP Faults.
import t from 'tap'
import { readFileSync } from 'node:fs'
import tls from 'node:tls'
import { corpusCase, startStack, type Stack } from './helpers/gateway-stack.js'
import { startCapturingUpstream, type CapturingUpstream } from './helpers/capturing-upstream.js'
import { testPki } from '../helpers/pki.js'

const SERVICE = '/ecole/services/DemandeLogementImplService/'
const WS = 'http://ws.metier.nuu.application.i2/'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

let upstream: CapturingUpstream
let stack: Stack
t.before(async () => {
  upstream = await startCapturingUpstream(await testPki())
  stack = await startStack({ upstreamUrl: upstream.url })
})
t.teardown(async () => {
  await stack.close()
  await upstream.close()
})

/** The calls forwarded (the readiness probe's GETs aside). */
const posts = (): number => upstream.received.filter((r) => r.method === 'POST').length

/** Sends raw bytes on a fresh mutual-TLS connection and resolves with everything the gateway wrote back before closing. */
async function raw (bytes: Buffer | string): Promise<string> {
  const pki = stack.pki
  const port = new URL(stack.gatewayUrl).port
  return await new Promise<string>((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port: Number(port), servername: 'localhost', ca: readFileSync(pki.ca.cert), cert: readFileSync(pki.client.cert), key: readFileSync(pki.client.key) }, () => {
      socket.write(bytes)
    })
    const chunks: Buffer[] = []
    socket.on('data', (c: Buffer) => chunks.push(c))
    socket.on('error', reject)
    socket.on('close', () => { resolve(Buffer.concat(chunks).toString('utf8')) })
    socket.setTimeout(5000, () => { socket.destroy(new Error('no answer within 5 s')) })
  })
}

const REFUSED: Array<[string, string]> = [
  ['payload-inline-base64-star', 'GW_SPEC_BINARY_ENCODING'],
  ['payload-inline-base64-control', 'GW_SPEC_BINARY_ENCODING'],
  ['payload-inline-base64-urlsafe', 'GW_SPEC_BINARY_ENCODING'],
  ['rule-future-year-10000', 'GW_SPEC_DATE_IN_FUTURE'],
  ['envelope-two-body-children', 'GW_SOAP_ENVELOPE_STRUCTURE'],
  ['spec-soapaction-contradicts', 'GW_SPEC_ACTION_MISMATCH'],
  ['spec-wsa-action-mismatch', 'GW_SPEC_ACTION_MISMATCH'],
  ['mime-7bit-with-8bit-bytes', 'GW_SOAP_MIME_INVALID_7BIT'],
  ['mime-bare-cr-in-part-header', 'GW_SOAP_MIME_INVALID_HEADERS'],
  ['mime-hidden-part-in-preamble', 'GW_SOAP_MIME_AMBIGUOUS'],
  ['content-type-action-rfc2231', 'GW_SOAP_INVALID_CONTENT_TYPE']
]

for (const [name, code] of REFUSED) {
  t.test(`${name}: refused with ${code}, nothing reaches the upstream`, async (t) => {
    const c = corpusCase(name)!
    const before = posts()
    const res = await stack.post(SERVICE, c.message, c.contentType, c.soapAction === undefined ? {} : { soapaction: c.soapAction })
    t.equal(res.status, 400)
    t.match(res.headers['content-type'], /^application\/soap\+xml/)
    t.match(res.body.toString('utf8'), `<gw:code>${code}</gw:code>`)
    t.equal(posts(), before, 'the upstream received nothing')
  })
}

t.test('a valid message arrives byte for byte, with headers the gateway computed', async (t) => {
  const c = corpusCase('valid-getNumUnique-cre-mtom')!
  const before = posts()
  const res = await stack.post(SERVICE, c.message, c.contentType, { soapaction: 'getNumUnique', 'x-request-id': 'editor-42', authorization: 'Basic eDp5', cookie: 'a=b' })
  t.equal(res.status, 200)
  t.equal(posts(), before + 1)
  const got = upstream.received.filter((r) => r.method === 'POST').at(-1)!
  t.ok(got.body.equals(c.message), 'the bytes received')
  t.equal(got.headers['content-type'], c.contentType, 'the Content-Type the message was decoded with')
  t.equal(got.headers.soapaction, `"${WS}getNumUnique"`, 'the SOAPAction of the operation in the Body')
  t.match(got.headers['x-request-id'], UUID, 'the gateway\'s own request id')
  t.equal(got.headers['x-request-id'], res.headers['x-request-id'])
  t.equal(got.headers.authorization, undefined)
  t.equal(got.headers.cookie, undefined)
  t.match(stack.logs.access().at(-1), { clientRequestId: 'editor-42', operation: 'getNumUnique' })
})

t.test('Connection: content-type does not strip the header that frames the bytes', async (t) => {
  const c = corpusCase('valid-getNumUnique-cre-mtom')!
  const before = posts()
  const head = `POST ${SERVICE} HTTP/1.1\r\nHost: localhost\r\nContent-Type: ${c.contentType}\r\nContent-Length: ${c.message.length}\r\nConnection: close, Content-Type\r\n\r\n`
  const answer = await raw(Buffer.concat([Buffer.from(head, 'latin1'), c.message]))
  t.match(answer, /^HTTP\/1\.1 200 /)
  t.equal(posts(), before + 1)
  const got = upstream.received.filter((r) => r.method === 'POST').at(-1)!
  t.equal(got.headers['content-type'], c.contentType)
  t.ok(got.body.equals(c.message))
})

t.test('HTTP-layer errors are SOAP 1.2 Faults with a stable code', async (t) => {
  const before = posts()
  const badLength = await raw(`POST ${SERVICE} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/soap+xml\r\nContent-Length: abc\r\n\r\n`)
  t.match(badLength, /^HTTP\/1\.1 400 /)
  t.match(badLength, /Content-Type: application\/soap\+xml; charset=utf-8/)
  t.match(badLength, /gw:GW_ROUTE_BAD_REQUEST/)
  const both = await raw(`POST ${SERVICE} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`)
  t.match(both, /^HTTP\/1\.1 400 /, 'Content-Length and Transfer-Encoding together (request smuggling)')
  t.match(both, /gw:GW_ROUTE_BAD_REQUEST/)
  const huge = await raw(`GET /ecole/services/DemandeLogementImplService/?wsdl HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'x'.repeat(20_000)}\r\n\r\n`)
  t.match(huge, /^HTTP\/1\.1 431 /)
  t.match(huge, /gw:GW_ROUTE_HEADERS_TOO_LARGE/)
  const connect = await raw('CONNECT 10.0.0.1:443 HTTP/1.1\r\nHost: 10.0.0.1:443\r\n\r\n')
  t.match(connect, /^HTTP\/1\.1 405 /)
  t.match(connect, /Allow: GET, POST/)
  t.match(connect, /gw:GW_ROUTE_METHOD_NOT_ALLOWED/)
  t.equal(posts(), before, 'nothing forwarded')
})

t.test('a bad request pipelined behind a good one is never answered in its place', async (t) => {
  const c = corpusCase('valid-getNumUnique-cre-mtom')!
  const good = Buffer.concat([Buffer.from(`POST ${SERVICE} HTTP/1.1\r\nHost: localhost\r\nContent-Type: ${c.contentType}\r\nContent-Length: ${c.message.length}\r\n\r\n`, 'latin1'), c.message])
  const answer = await raw(Buffer.concat([good, Buffer.from(`POST ${SERVICE} HTTP/1.1\r\nHost: localhost\r\nContent-Length: abc\r\n\r\n`)]))
  t.notMatch(answer, /^HTTP\/1\.1 400/, 'the first answer on the connection is not a Fault meant for the second request')
  t.ok(answer === '' || /^HTTP\/1\.1 200 /.test(answer), 'the good call\'s answer, or a closed connection')
})

t.test('a request not received in time is answered 408 with a Fault', async (t) => {
  const slow = await startStack({ upstreamUrl: upstream.url, edit: (c) => { c.dataPlane.timeouts = { headersMs: 400, requestMs: 400 } } })
  t.teardown(slow.close)
  const port = new URL(slow.gatewayUrl).port
  const pki = slow.pki
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port: Number(port), servername: 'localhost', ca: readFileSync(pki.ca.cert), cert: readFileSync(pki.client.cert), key: readFileSync(pki.client.key) }, () => {
      socket.write(`POST ${SERVICE} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/soap+xml\r\nContent-Length: 100\r\n\r\n<env:Env`)
    })
    const chunks: Buffer[] = []
    socket.on('data', (c: Buffer) => chunks.push(c))
    socket.on('error', reject)
    socket.on('close', () => { resolve(Buffer.concat(chunks).toString('utf8')) })
    socket.setTimeout(8000, () => { socket.destroy(new Error('no answer within 8 s')) })
  })
  t.match(answer, /^HTTP\/1\.1 408 /)
  t.match(answer, /gw:GW_ROUTE_REQUEST_TIMEOUT/)
})

t.test('the mode is the Body\'s operation\'s: an invalid getNumUnique declared as getDoublons is not forwarded', async (t) => {
  const lax = await startStack({ upstreamUrl: upstream.url, edit: (c) => { c.environments.ecole.validation = { mode: 'enforce', operations: { getDoublons: 'off' } } } })
  t.teardown(lax.close)
  const c = corpusCase('xsd-enumeration-civilite')!
  t.equal(c.operation, 'getNumUnique')
  const before = posts()
  for (const declared of [`action="${WS}getDoublons"`, 'action="getDoublons"']) {
    const res = await lax.post(SERVICE, c.message, c.contentType.replace(/action="[^"]*"/, declared))
    t.equal(res.status, 400, declared)
    t.match(res.body.toString('utf8'), '<gw:code>GW_SPEC_ACTION_MISMATCH</gw:code>')
    t.match(res.body.toString('utf8'), '<gw:code>GW_SCHEMA_ENUMERATION</gw:code>', 'validated in the mode of getNumUnique')
  }
  t.equal(posts(), before, 'nothing reached the upstream')
  t.match(lax.logs.access().at(-1), { operation: 'getNumUnique', mode: 'enforce' })
})
