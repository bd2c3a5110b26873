import t from 'tap'
import { clientResponseHeaders, upstreamRequestHeaders } from '../../src/proxy/forward-headers.js'

const MTOM = 'multipart/related; type="application/xop+xml"; start="soaproot"; boundary="MIME_BOUNDARY"; action="x"'

t.test('request headers: computed from the validated message, nothing else copied', async (t) => {
  const out = upstreamRequestHeaders({
    'content-type': MTOM,
    soapaction: '"urn:x"',
    'x-request-id': 'client-chosen',
    authorization: 'Basic eDp5',
    cookie: 'a=b',
    'transfer-encoding': 'chunked',
    connection: 'keep-alive',
    host: 'gw',
    'x-forwarded-for': '10.0.0.1'
  }, 'gw-id', 'urn:validated')
  t.same(out, { 'content-type': MTOM, soapaction: '"urn:validated"', 'x-request-id': 'gw-id' }, 'the SOAPAction of the validated operation, the gateway\'s request id')
})

t.test('a client cannot make the gateway drop or change what frames the message', async (t) => {
  // Connection: content-type would make a hop-by-hop-minded proxy drop the header that frames the bytes
  t.same(upstreamRequestHeaders({ 'content-type': 'text/xml', soapaction: 'a', connection: 'close, Content-Type, SOAPAction' }, 'i', 'urn:op'),
    { 'content-type': 'text/xml', soapaction: '"urn:op"', 'x-request-id': 'i' })
  t.same(upstreamRequestHeaders({ 'content-type': 'application/soap+xml' }, 'i', 'urn:op'), { 'content-type': 'application/soap+xml', 'x-request-id': 'i' }, 'no SOAPAction invented when the client sent none')
  t.same(upstreamRequestHeaders({ 'content-type': 'text/xml', soapaction: '"urn:unvalidated"' }, 'i', undefined), { 'content-type': 'text/xml', 'x-request-id': 'i' }, 'a SOAPAction of an operation not identified is not forwarded')
})

t.test('the Accept crosses: the answer\'s form (MTOM or plain) is the client\'s to ask for', async (t) => {
  t.same(upstreamRequestHeaders({ 'content-type': 'application/soap+xml', accept: 'application/soap+xml, application/xop+xml' }, 'i', 'urn:op'),
    { 'content-type': 'application/soap+xml', accept: 'application/soap+xml, application/xop+xml', 'x-request-id': 'i' })
})

t.test('answer headers: content type and length only', async (t) => {
  t.same(clientResponseHeaders({ 'content-type': 'application/soap+xml', 'content-length': '12', 'set-cookie': ['a=b'], server: 'x', 'transfer-encoding': 'chunked' }), { 'content-type': 'application/soap+xml', 'content-length': '12' })
})
