import t from 'tap'
import { sniffInput } from '../../src/contract/input-kind.js'

t.test('a raw multipart message: MTOM content type with the boundary of its first line', async (t) => {
  t.same(sniffInput(Buffer.from('\r\n--MIME_BOUNDARY \r\nContent-Type: application/xop+xml\r\n')), {
    kind: 'message',
    contentType: 'multipart/related; type="application/xop+xml"; start-info="application/soap+xml"; boundary="MIME_BOUNDARY"'
  })
  t.same(sniffInput(Buffer.from('--uuid:1f2e-3d4c\nContent-Type: x\n')).kind, 'message')
})

t.test('a SOAP envelope, 1.2 or 1.1, after a declaration, a comment or a BOM', async (t) => {
  t.same(sniffInput(Buffer.from('\ufeff<?xml version="1.0"?><!-- c --><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope">')),
    { kind: 'message', contentType: 'application/soap+xml; charset=utf-8' })
  t.same(sniffInput(Buffer.from('<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body/></S:Envelope>')),
    { kind: 'message', contentType: 'text/xml; charset=utf-8' })
  t.same(sniffInput(Buffer.from('<Envelope xmlns="urn:wrong"/>')).kind, 'message', 'a wrong namespace is the codec\'s to report')
})

t.test('anything else is a document', async (t) => {
  t.same(sniffInput(Buffer.from('<?xml version="1.0"?>\n<ns1:interfaceNuu versionInterface="02.01" xmlns:ns1="http://nuu.application.i2/"/>')), { kind: 'document' })
  t.same(sniffInput(Buffer.from('-- not a boundary: has a tab\there\n')), { kind: 'document' })
  t.same(sniffInput(Buffer.from('')), { kind: 'document' })
})
