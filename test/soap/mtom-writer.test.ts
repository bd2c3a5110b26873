import t from 'tap'
import { readFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { decodeSoapMessage } from '../../src/soap/message.js'
import { MIME_BOUNDARY, ROOT_CONTENT_ID, buildMtomMessage, type MtomMessageInput } from '../../src/soap/mtom-writer.js'
import { SOAP11_ENVELOPE_NS, SOAP12_ENVELOPE_NS, XOP_NS } from '../../src/soap/types.js'
import { expectCode } from './helpers/expect-error.js'

const fixture = (name: string): Buffer => readFileSync(new URL(`fixtures/${name}`, import.meta.url))
const WS = 'http://ws.metier.nuu.application.i2/'

/** The inputs of the §4.2 example, taken apart from the fixture with LF line ends. */
function referenceInput (): MtomMessageInput {
  const text = fixture('reference-4-2.mime').toString('latin1')
  const envelope = text.slice(text.indexOf('<soap:Envelope'), text.indexOf('</soap:Envelope>') + '</soap:Envelope>'.length).replace(/\r\n/g, '\n')
  const xml = text.slice(text.indexOf('<tns:interfaceNuu'), text.indexOf('</tns:interfaceNuu>') + '</tns:interfaceNuu>'.length)
  return {
    envelope,
    action: `${WS}getNumUnique`,
    parts: [
      { contentId: 'certificate', contentType: 'application/octet-stream', transferEncoding: 'BASE64', disposition: 'attachment', body: fixture('reference-4-2.certificate.txt') },
      { contentId: 'xml_id', contentType: 'text/xml; charset=us-ascii', transferEncoding: '7bit', disposition: 'attachment; name="xml_id"', body: Buffer.from(xml) }
    ]
  }
}

t.test('writes the layout of docs/sne-reference.md §4.2 byte for byte', async (t) => {
  t.equal(MIME_BOUNDARY, 'MIME_BOUNDARY')
  t.equal(ROOT_CONTENT_ID, 'soaproot')
  const out = buildMtomMessage(referenceInput())
  t.equal(out.contentType, fixture('reference-4-2.content-type').toString().trim(), 'start="soaproot" without brackets, as the reference writes it')
  t.equal(out.body.toString('latin1'), fixture('reference-4-2.mime').toString('latin1'))
  t.notOk(/[^\r]\n/.test(out.body.toString('latin1')), 'CRLF line ends only')
})

t.test('round trip through decodeSoapMessage', async (t) => {
  const input = referenceInput()
  const out = buildMtomMessage(input)
  const msg = decodeSoapMessage(out.body, out.contentType)
  t.equal(msg.action, input.action)
  t.equal(msg.soapVersion, '1.2')
  t.equal(msg.envelopeBytes.toString(), (input.envelope as string).replace(/\n/g, '\r\n'))
  for (const part of input.parts) t.same(msg.attachments.get(part.contentId)!.body, part.body, part.contentId)

  const big = randomBytes(300_000)
  const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
  const env = `<e:Envelope xmlns:e="${SOAP12_ENVELOPE_NS}" xmlns:xop="${XOP_NS}"><e:Body><op><a><xop:Include href="cid:big"/></a><b><xop:Include href="cid:bin%20ary"/></b><c><xop:Include href="cid:txt"/></c></op></e:Body></e:Envelope>`
  const custom = buildMtomMessage({
    envelope: Buffer.from(env),
    action: 'http://example/ws/op',
    boundary: 'uuid:1234-5678',
    rootContentId: 'root@example',
    parts: [
      { contentId: 'big', contentType: 'application/octet-stream', transferEncoding: 'base64', body: big },
      { contentId: 'bin ary', contentType: 'application/octet-stream', transferEncoding: 'binary', body: binary },
      { contentId: 'txt', contentType: 'text/plain', transferEncoding: '8bit', body: Buffer.from('é\nx\r\ny') }
    ]
  })
  t.match(custom.contentType, /start="root@example"; start-info="application\/soap\+xml"; boundary="uuid:1234-5678"; action="http:\/\/example\/ws\/op"$/)
  const lines = custom.body.toString('latin1').split('\r\n')
  const b64 = lines.filter((l) => /^[A-Za-z0-9+/=]{60,}$/.test(l))
  t.ok(b64.length > 100 && b64.every((l) => l.length <= 76) && b64.slice(0, -1).every((l) => l.length === 76), 'base64 in 76-character lines')
  const back = decodeSoapMessage(custom.body, custom.contentType)
  t.same(back.attachments.get('big')!.body, big)
  t.same(back.attachments.get('bin ary')!.body, binary, 'binary part untouched')
  t.equal(back.attachments.get('txt')!.body.toString(), 'é\r\nx\r\ny', '8bit text gets CRLF line ends')
  t.equal(back.action, 'http://example/ws/op')
  t.ok(custom.body.includes('action="op"'), 'root action defaults to the last path segment')
})

t.test('options: SOAP 1.1, actions left out', async (t) => {
  const env = `<s:Envelope xmlns:s="${SOAP11_ENVELOPE_NS}"><s:Body><op/></s:Body></s:Envelope>`
  const out = buildMtomMessage({ envelope: env, action: '', rootAction: '', parts: [], soapVersion: '1.1' })
  t.equal(out.contentType, 'multipart/related; type="application/xop+xml"; start="soaproot"; start-info="text/xml"; boundary="MIME_BOUNDARY"')
  t.ok(out.body.includes('Content-Type: application/xop+xml; charset=UTF-8; type="text/xml"\r\n'))
  const msg = decodeSoapMessage(out.body, out.contentType, { soapAction: 'urn:h' })
  t.equal(msg.soapVersion, '1.1')
  t.equal(msg.action, 'urn:h')
  const explicit = buildMtomMessage({ envelope: env.replace(/s:/g, 'e:').replace(SOAP11_ENVELOPE_NS, SOAP12_ENVELOPE_NS).replace('xmlns:s', 'xmlns:e'), action: 'urn:a', rootAction: 'urn:a', parts: [] })
  t.ok(explicit.body.includes('action="urn:a"\r\n'))
})

t.test('refuses input it cannot write faithfully', async (t) => {
  const base = referenceInput()
  const part = base.parts[1]!
  const cases: Array<[Partial<MtomMessageInput>, RegExp]> = [
    [{ boundary: 'bad boundary ' }, /invalid boundary/],
    [{ action: 'urn:a\r\nX-Injected: 1' }, /control character in the action/],
    [{ rootContentId: 'a\nb' }, /control character/],
    [{ parts: [{ ...part, contentId: 'x\r\n' }] }, /control character in a Content-ID/],
    [{ parts: [{ ...part, contentType: 'text/xml\r\nX: y' }] }, /control character in a Content-Type/],
    [{ parts: [{ ...part, disposition: 'a\u0000' }] }, /control character in a Content-Disposition/],
    [{ parts: [{ ...part, transferEncoding: 'x-gzip' }] }, /not written by this writer/],
    [{ parts: [{ ...part, body: Buffer.from('é') }] }, /7bit body with non-ASCII/],
    [{ parts: [{ ...part, body: Buffer.from('a\r\n--MIME_BOUNDARY\r\nb') }] }, /boundary occurs in the body/],
    [{ envelope: 'x\n--MIME_BOUNDARY--' }, /boundary occurs/],
    [{ parts: [part, { ...part }] }, /duplicate Content-ID/],
    [{ parts: [{ ...part, contentId: 'soaproot' }] }, /duplicate Content-ID/]
  ]
  for (const [change, reason] of cases) {
    const err = expectCode(t, () => buildMtomMessage({ ...base, ...change }), 'GW_SOAP_MTOM_INVALID_PART', { statusCode: 500 }, String(reason))
    t.match(err?.message, reason)
  }
})
