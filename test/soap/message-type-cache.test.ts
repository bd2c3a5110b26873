// The message's and the root part's Content-Types, once parsed and checked, are kept by their
// exact text (a client sends the same few with every call): a kept type gives the same message
// as a fresh one, a refused type is never kept (refused again, with its own detail, each time),
// and the cache is bounded.
import t from 'tap'
import { checkedContentTypes, decodeSoapMessage } from '../../src/soap/message.js'
import { SOAP12_ENVELOPE_NS, XOP_NS } from '../../src/soap/types.js'
import { expectCode } from './helpers/expect-error.js'

const env = `<e:Envelope xmlns:e="${SOAP12_ENVELOPE_NS}" xmlns:w="urn:w" xmlns:xop="${XOP_NS}"><e:Body><w:op><w:f><xop:Include href="cid:a"/></w:f></w:op></e:Body></e:Envelope>`
const mtom = (boundary: string, rootType = 'application/xop+xml; charset=UTF-8; type="application/soap+xml"'): { body: Buffer, contentType: string } => ({
  body: Buffer.from([
    `--${boundary}`, 'Content-ID: <root>', `Content-Type: ${rootType}`, '', env,
    `--${boundary}`, 'Content-ID: <a>', 'Content-Type: application/octet-stream', 'Content-Transfer-Encoding: binary', '', 'data',
    `--${boundary}--`, ''
  ].join('\r\n')),
  contentType: `multipart/related; type="application/xop+xml"; start="<root>"; start-info="application/soap+xml"; action="urn:op"; boundary=${boundary}`
})

t.test('a kept type decodes as a fresh one', async (t) => {
  const m = mtom('kept-1')
  const before = checkedContentTypes()
  const first = decodeSoapMessage(m.body, m.contentType)
  const after = checkedContentTypes()
  t.equal(after.message, Math.min(before.message + 1, 64), 'the message type is kept')
  const second = decodeSoapMessage(m.body, m.contentType)
  t.same(checkedContentTypes(), after, 'and found again: nothing added')
  for (const m2 of [first, second]) {
    t.equal(m2.soapVersion, '1.2')
    t.equal(m2.action, 'urn:op')
    t.same(m2.actions, ['urn:op'])
    t.same([...m2.attachments.keys()], ['a'])
    t.equal(m2.includes[0]!.part.body.toString(), 'data')
  }
  const plain = `<e:Envelope xmlns:e="${SOAP12_ENVELOPE_NS}" xmlns:w="urn:w"><e:Body><w:op/></e:Body></e:Envelope>`
  for (let i = 0; i < 2; i++) {
    const d = decodeSoapMessage(Buffer.from(plain), 'application/soap+xml; charset=utf-8; action="urn:plain"')
    t.equal(d.soapVersion, '1.2')
    t.equal(d.action, 'urn:plain')
  }
  // the same plain type with a SOAP 1.1 envelope: the kept type still says 1.2
  expectCode(t, () => decodeSoapMessage(Buffer.from(plain.replace(SOAP12_ENVELOPE_NS, 'http://schemas.xmlsoap.org/soap/envelope/')), 'application/soap+xml; charset=utf-8; action="urn:plain"'), 'GW_SOAP_VERSION_MISMATCH')
})

t.test('a refused type is not kept, and refused each time', async (t) => {
  const bad = mtom('refused-1')
  const contentType = bad.contentType.replace('type="application/xop+xml"', 'type="text/xml"')
  const before = checkedContentTypes()
  for (let i = 0; i < 3; i++) expectCode(t, () => decodeSoapMessage(bad.body, contentType), 'GW_SOAP_MIME_NOT_XOP')
  const charset = 'application/soap+xml; charset=latin1'
  for (let i = 0; i < 3; i++) expectCode(t, () => decodeSoapMessage(Buffer.from('<x/>'), charset), 'GW_SOAP_XML_UNSUPPORTED_ENCODING')
  const rootBad = mtom('refused-2', 'application/xop+xml; charset=UTF-8; type="application/json"')
  for (let i = 0; i < 3; i++) expectCode(t, () => decodeSoapMessage(rootBad.body, rootBad.contentType), 'GW_SOAP_MIME_NOT_XOP')
  const after = checkedContentTypes()
  t.equal(after.root, before.root, 'no refused root type kept')
  t.ok(after.message <= before.message + 1, 'only the valid message type of the last case kept')
})

t.test('bounded: at most 64 types of each kind, the oldest dropped', async (t) => {
  for (let i = 0; i < 200; i++) {
    const m = mtom(`many-${i}`, `application/xop+xml; charset=UTF-8; type="application/soap+xml"; action="urn:${i}"`)
    decodeSoapMessage(m.body, m.contentType.replace('action="urn:op"', `action="urn:${i}"`))
  }
  t.same(checkedContentTypes(), { message: 64, root: 64 })
  // the first ones are gone and come back checked, as they should
  const again = mtom('many-0', 'application/xop+xml; charset=UTF-8; type="application/soap+xml"; action="urn:0"')
  t.equal(decodeSoapMessage(again.body, again.contentType.replace('action="urn:op"', 'action="urn:0"')).action, 'urn:0')
  t.same(checkedContentTypes(), { message: 64, root: 64 })
})
