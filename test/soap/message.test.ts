import t from 'tap'
import { readFileSync } from 'node:fs'
import { decodeSoapMessage } from '../../src/soap/message.js'
import { SOAP11_ENVELOPE_NS, SOAP12_ENVELOPE_NS, XOP_NS } from '../../src/soap/types.js'
import { expectCode } from './helpers/expect-error.js'

const fixture = (name: string): Buffer => readFileSync(new URL(`fixtures/${name}`, import.meta.url))
const WS = 'http://ws.metier.nuu.application.i2/'
const crlf = (s: string): Buffer => Buffer.from(s.replace(/\n/g, '\r\n'), 'utf8')

interface Part { id: string, type?: string, cte?: string, body: string }
/** A multipart body written by hand (independent of the MTOM writer). */
function multipart (root: string, parts: Part[] = [], rootType = 'application/xop+xml; charset=UTF-8; type="application/soap+xml"'): Buffer {
  let s = `--b\nContent-Type: ${rootType}\nContent-Transfer-Encoding: 8bit\nContent-ID: <root>\n\n${root}\n`
  for (const p of parts) {
    s += `--b\nContent-Type: ${p.type ?? 'application/octet-stream'}\nContent-ID: <${p.id}>\n`
    if (p.cte !== undefined) s += `Content-Transfer-Encoding: ${p.cte}\n`
    s += `\n${p.body}\n`
  }
  return crlf(s + '--b--\n')
}
const MTOM = 'multipart/related; type="application/xop+xml"; start="<root>"; start-info="application/soap+xml"; boundary=b'
const env12 = (body: string, ns = ''): string => `<e:Envelope xmlns:e="${SOAP12_ENVELOPE_NS}" xmlns:w="urn:w" xmlns:xop="${XOP_NS}"${ns}><e:Body>${body}</e:Body></e:Envelope>`
const env11 = (body: string): string => `<s:Envelope xmlns:s="${SOAP11_ENVELOPE_NS}" xmlns:w="urn:w" xmlns:xop="${XOP_NS}"><s:Body>${body}</s:Body></s:Envelope>`

t.test('the exact example of docs/sne-reference.md §4.2 decodes', async (t) => {
  const body = fixture('reference-4-2.mime')
  const contentType = fixture('reference-4-2.content-type').toString().trim()
  const msg = decodeSoapMessage(body, contentType)
  t.equal(msg.soapVersion, '1.2')
  t.equal(msg.mtom, true)
  t.equal(msg.action, `${WS}getNumUnique`, 'the multipart action wins over the root part short one')
  t.match(msg.payload, { uri: WS, local: 'numUniqueParametres', prefix: 'ws' })
  t.ok(msg.header, 'empty Header')
  t.equal(msg.header!.children.length, 0)
  t.equal(msg.envelope.root.local, 'Envelope')
  t.ok(msg.envelopeBytes.toString().startsWith('<soap:Envelope'), 'envelopeBytes are the root part body')
  t.ok(msg.envelopeBytes.toString().endsWith('</soap:Envelope>'))
  t.equal(body.indexOf(msg.envelopeBytes), body.indexOf('<soap:Envelope'), 'a view into the received bytes')
  t.same([...msg.attachments.keys()], ['certificate', 'xml_id'])
  t.same(msg.attachments.get('certificate')!.body, fixture('reference-4-2.certificate.txt'), 'BASE64 part decoded')
  t.equal(msg.attachments.get('certificate')!.transferEncoding, 'base64')
  t.equal(msg.attachments.get('xml_id')!.body.toString(), '<tns:interfaceNuu versionInterface="02.01" xmlns:tns="http://nuu.application.i2/"><tns:entete><tns:typeFichier>CRE</tns:typeFichier></tns:entete></tns:interfaceNuu>')
  t.same(msg.includes.map((i) => [i.owner.local, i.contentId, i.element.local]), [['fichierDemande', 'xml_id', 'Include'], ['certificat', 'certificate', 'Include']])
  t.equal(msg.includes[0]!.part, msg.attachments.get('xml_id'))
})

t.test('plain SOAP 1.2 and SOAP 1.1 envelopes', async (t) => {
  const p12 = decodeSoapMessage(Buffer.from(env12('<w:op><data>aGk=</data></w:op>')), 'application/soap+xml; charset=utf-8; action="urn:w/op"')
  t.match(p12, { soapVersion: '1.2', mtom: false, action: 'urn:w/op', attachments: new Map(), includes: [] })
  t.equal(p12.payload?.local, 'op')
  const p11 = decodeSoapMessage(Buffer.from(env11('<w:op/>')), 'text/xml; charset=UTF-8', { soapAction: '"urn:w/op"' })
  t.match(p11, { soapVersion: '1.1', mtom: false, action: 'urn:w/op' })
  const noAction = decodeSoapMessage(Buffer.from(env12('<w:op/>')), 'application/soap+xml')
  t.equal(noAction.action, '')
})

t.test('MTOM in SOAP 1.1 and action sources of other stacks', async (t) => {
  const m11 = decodeSoapMessage(multipart(env11('<w:op/>'), [], 'application/xop+xml; type="text/xml"'), 'multipart/related; type="application/xop+xml"; start="<root>"; start-info="text/xml"; boundary=b', { soapAction: 'urn:h' })
  t.match(m11, { soapVersion: '1.1', mtom: true, action: 'urn:h' })
  // CXF/Metro put the action inside start-info and the root part's type
  const cxf = decodeSoapMessage(multipart(env12('<w:op/>'), [], 'application/xop+xml; charset=UTF-8; type="application/soap+xml; action=\\"urn:t\\""'),
    'multipart/related; type="application/xop+xml"; boundary=b; start="<root>"; start-info="application/soap+xml; action=\\"urn:s\\""')
  t.equal(cxf.action, 'urn:s')
  const rootOnly = decodeSoapMessage(multipart(env12('<w:op/>'), [], 'application/xop+xml; type="application/soap+xml; action=\\"urn:t\\""'), MTOM)
  t.equal(rootOnly.action, 'urn:t')
})

t.test('xop:Include resolution', async (t) => {
  const ok = decodeSoapMessage(multipart(env12('<w:op><f><xop:Include href="cid:a%40b"/></f><g><xop:Include href="CID:c"/></g></w:op>'), [
    { id: 'a@b', body: 'AAEC', cte: 'base64' }, { id: 'c', body: 'text', cte: '8bit' }
  ]), MTOM)
  t.same(ok.includes.map((i) => i.contentId), ['a@b', 'c'], 'href URL-decoded, cid scheme case-insensitive')
  t.same([...ok.includes[0]!.part.body], [0, 1, 2])
  const shared = decodeSoapMessage(multipart(env12('<w:op><f><xop:Include href="cid:a"/></f><g><xop:Include href="cid:a"/></g></w:op>'), [{ id: 'a', body: 'x' }]), MTOM)
  t.equal(shared.includes.length, 2, 'one part may be included twice')

  expectCode(t, () => decodeSoapMessage(multipart(env12('<w:op>\n<f><xop:Include href="cid:nope"/></f></w:op>'), [{ id: 'a', body: 'x' }]), MTOM),
    'GW_SOAP_XOP_MISSING_PART', { soapVersion: '1.2', part: 'root', path: '/Envelope/Body/op/f/Include', line: 2, column: 4 }, 'missing part')
  expectCode(t, () => decodeSoapMessage(Buffer.from(env12('<w:op><f><xop:Include href="cid:a"/></f></w:op>')), 'application/soap+xml'),
    'GW_SOAP_XOP_MISSING_PART', { soapVersion: '1.2' }, 'an include in a plain message')
  expectCode(t, () => decodeSoapMessage(multipart(env12('<w:op><f><xop:Include href="cid:root"/></f></w:op>')), MTOM),
    'GW_SOAP_XOP_MISSING_PART', {}, 'the root part is not an attachment')
  expectCode(t, () => decodeSoapMessage(multipart(env12('<w:op><f><xop:Include href="cid:a"/></f></w:op>'), [{ id: 'a', body: 'x' }, { id: 'extra', body: 'y' }]), MTOM),
    'GW_SOAP_XOP_UNREFERENCED_PART', { part: 'extra', soapVersion: '1.2' }, 'unreferenced attachment')

  const invalid: Array<[string, RegExp]> = [
    ['<f>x<xop:Include href="cid:a"/></f>', /only content/],
    ['<f>\n  <xop:Include href="cid:a"/>\n</f>', /only content/],
    ['<f><xop:Include href="cid:a"/><g/></f>', /only content/],
    ['<f><xop:Include href="cid:a">x</xop:Include></f>', /must be empty/],
    ['<f><xop:Include href="cid:a"><y/></xop:Include></f>', /must be empty/],
    ['<f><xop:Include/></f>', /not a cid: URL/],
    ['<f><xop:Include href="http://x/a"/></f>', /not a cid: URL/],
    ['<f><xop:Include href="cid:%E0%A4%A"/></f>', /URL-encoded/],
    ['<f><xop:Other/></f>', /unknown element/]
  ]
  for (const [inner, reason] of invalid) {
    const err = expectCode(t, () => decodeSoapMessage(multipart(env12(`<w:op>${inner}</w:op>`), [{ id: 'a', body: 'x' }]), MTOM), 'GW_SOAP_XOP_INVALID_INCLUDE', { soapVersion: '1.2', part: 'root' }, inner)
    t.match(err?.message, reason)
  }
})

t.test('media types', async (t) => {
  const body = Buffer.from(env12('<w:op/>'))
  expectCode(t, () => decodeSoapMessage(body, undefined), 'GW_SOAP_UNSUPPORTED_MEDIA_TYPE', { statusCode: 415 }, 'no Content-Type')
  expectCode(t, () => decodeSoapMessage(body, ' '), 'GW_SOAP_UNSUPPORTED_MEDIA_TYPE', {}, 'blank Content-Type')
  const err = expectCode(t, () => decodeSoapMessage(body, 'application/json'), 'GW_SOAP_UNSUPPORTED_MEDIA_TYPE', { statusCode: 415, soapVersion: undefined }, 'JSON')
  t.match(err?.message, /application\/json/)
  expectCode(t, () => decodeSoapMessage(body, 'multipart/form-data; boundary=b'), 'GW_SOAP_UNSUPPORTED_MEDIA_TYPE', {}, 'form data')
  expectCode(t, () => decodeSoapMessage(body, 'application/soap+xml; action="a"; action="b"'), 'GW_SOAP_INVALID_CONTENT_TYPE', { part: 'message' }, 'duplicate action')
  expectCode(t, () => decodeSoapMessage(body, 'application/soap+xml; charset=iso-8859-1'), 'GW_SOAP_XML_UNSUPPORTED_ENCODING', { soapVersion: '1.2' }, 'charset')
})

t.test('MTOM/XOP packaging', async (t) => {
  const m = multipart(env12('<w:op/>'))
  expectCode(t, () => decodeSoapMessage(m, 'multipart/related; start="<root>"; start-info="application/soap+xml"; boundary=b'), 'GW_SOAP_MIME_NOT_XOP', { part: 'multipart', soapVersion: '1.2' }, 'no type parameter')
  expectCode(t, () => decodeSoapMessage(m, 'multipart/related; type="text/xml"; boundary=b'), 'GW_SOAP_MIME_NOT_XOP', {}, 'SwA type')
  expectCode(t, () => decodeSoapMessage(multipart(env12('<w:op/>'), [], 'application/soap+xml'), MTOM), 'GW_SOAP_MIME_NOT_XOP', { part: 'root' }, 'root not xop')
  expectCode(t, () => decodeSoapMessage(multipart(env12('<w:op/>'), [], 'application/xop+xml'), MTOM), 'GW_SOAP_MIME_NOT_XOP', {}, 'root without type')
  expectCode(t, () => decodeSoapMessage(multipart(env12('<w:op/>'), [], 'application/xop+xml; type="application/xml"'), MTOM), 'GW_SOAP_MIME_NOT_XOP', {}, 'root type not SOAP')
  expectCode(t, () => decodeSoapMessage(multipart(env12('<w:op/>'), [], 'application/xop+xml; charset=utf-16; type="application/soap+xml"'), MTOM), 'GW_SOAP_XML_UNSUPPORTED_ENCODING', { part: 'root' }, 'root charset')
  expectCode(t, () => decodeSoapMessage(multipart(env12('<w:op/>'), [], 'application/xop+xml; type="application/soap+xml"; type=text/xml'), MTOM), 'GW_SOAP_INVALID_CONTENT_TYPE', { part: 'root' }, 'malformed root type')
  const whole = fixture('reference-4-2.mime')
  const ct = fixture('reference-4-2.content-type').toString().trim()
  expectCode(t, () => decodeSoapMessage(whole.subarray(0, whole.length - 20), ct), 'GW_SOAP_MIME_TRUNCATED', { soapVersion: '1.2' }, 'truncated multipart keeps the version of start-info')
  expectCode(t, () => decodeSoapMessage(whole, ct.replace('MIME_BOUNDARY', 'OTHER')), 'GW_SOAP_MIME_BOUNDARY_NOT_FOUND', { soapVersion: '1.2' }, 'wrong boundary')
  expectCode(t, () => decodeSoapMessage(whole, ct, { maxParts: 2 }), 'GW_SOAP_MIME_TOO_MANY_PARTS', {}, 'maxParts option')
})

t.test('versions', async (t) => {
  expectCode(t, () => decodeSoapMessage(Buffer.from(env11('<w:op/>')), 'application/soap+xml'), 'GW_SOAP_VERSION_MISMATCH', { soapVersion: '1.1' }, '1.1 envelope as 1.2')
  expectCode(t, () => decodeSoapMessage(Buffer.from(env12('<w:op/>')), 'text/xml'), 'GW_SOAP_VERSION_MISMATCH', { soapVersion: '1.2' }, '1.2 envelope as 1.1')
  expectCode(t, () => decodeSoapMessage(multipart(env11('<w:op/>')), MTOM), 'GW_SOAP_VERSION_MISMATCH', { soapVersion: '1.1' }, 'in MTOM')
  expectCode(t, () => decodeSoapMessage(Buffer.from(env11('<w:op/>')), 'text/xml', { soapVersions: ['1.2'] }), 'GW_SOAP_VERSION_UNSUPPORTED', { soapVersion: '1.1' })
  t.ok(decodeSoapMessage(Buffer.from(env12('<w:op/>')), 'application/soap+xml', { soapVersions: ['1.2'] }))
})

t.test('errors of the envelope and the XML carry the version and the part', async (t) => {
  expectCode(t, () => decodeSoapMessage(Buffer.from('<e:Envelope xmlns:e="urn:wrong"><e:Body/></e:Envelope>'), 'application/soap+xml'),
    'GW_SOAP_ENVELOPE_NAMESPACE', { soapVersion: '1.2', part: 'root' }, 'wrong envelope namespace: the version of the media type')
  expectCode(t, () => decodeSoapMessage(Buffer.from('<s:Envelope xmlns:s="urn:wrong"><s:Body/></s:Envelope>'), 'text/xml'),
    'GW_SOAP_ENVELOPE_NAMESPACE', { soapVersion: '1.1' }, 'answered in 1.1 for text/xml')
  expectCode(t, () => decodeSoapMessage(Buffer.from(env12('<w:op/>').replace('</e:Body>', '</e:Body><e:Body><w:op/></e:Body>')), 'application/soap+xml'),
    'GW_SOAP_ENVELOPE_STRUCTURE', { soapVersion: '1.2' }, 'two Bodies')
  expectCode(t, () => decodeSoapMessage(multipart('<a>\n<b></a>'), MTOM), 'GW_SOAP_XML_TAG_MISMATCH', { soapVersion: '1.2', part: 'root', line: 2, column: 4 }, 'XML error in the root part')
  expectCode(t, () => decodeSoapMessage(Buffer.from('<a>&x;</a>'), 'text/xml'), 'GW_SOAP_XML_UNDEFINED_ENTITY', { soapVersion: '1.1', part: 'root' }, 'plain 1.1')
  expectCode(t, () => decodeSoapMessage(Buffer.from(`<!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>${env12('<w:op>&x;</w:op>')}`), 'application/soap+xml'), 'GW_SOAP_XML_DTD', { soapVersion: '1.2' }, 'XXE in an envelope')
  expectCode(t, () => decodeSoapMessage(Buffer.from(env12('<w:op/>')), 'application/soap+xml', { xmlLimits: { maxDepth: 2 } }), 'GW_SOAP_XML_TOO_DEEP', {}, 'xmlLimits option')
  expectCode(t, () => decodeSoapMessage(Buffer.from('\ufeff' + env12('<w:op/>'), 'utf16le'), 'application/soap+xml'), 'GW_SOAP_XML_UNSUPPORTED_ENCODING', { soapVersion: '1.2' }, 'UTF-16 envelope')
})

t.test('content types: parameters every reader understands alike, nothing else', async (t) => {
  const root = multipart(env12('<w:op/>'))
  // What real stacks send is accepted: JAX-WS RI puts the action in start-info, CXF beside it.
  const accepted = [
    MTOM + `; action="${WS}op"`,
    `multipart/related;start="<root>";type="application/xop+xml";boundary="b";start-info="application/soap+xml;action=\\"${WS}op\\""`,
    `multipart/related; type="application/xop+xml"; boundary=b; start="<root>"; start-info="application/soap+xml"; charset=UTF-8`
  ]
  for (const ct of accepted) t.ok(decodeSoapMessage(root, ct), ct)
  const refused: Array<[string, string]> = [
    [MTOM + `; xaction="${WS}other"`, 'an unknown parameter'],
    [MTOM + `; x-foo="action=${WS}other"; action="${WS}op"`, 'an action= hidden in an unknown parameter'],
    [MTOM + `; action*=utf-8''${encodeURIComponent(WS + 'other')}`, 'an RFC 2231 action*'],
    [MTOM + `; action*0="${WS}"; action*1="other"`, 'RFC 2231 continuations'],
    ['multipart/related; type="application/xop+xml"; start="<action=x>"; start-info="application/soap+xml"; boundary=b', 'action= inside another parameter\'s value'],
    [`multipart/related; type="application/xop+xml"; start="<root>"; boundary=b; start-info="application/soap+xml; x=1"`, 'an unknown parameter of start-info']
  ]
  for (const [ct, name] of refused) expectCode(t, () => decodeSoapMessage(root, ct), 'GW_SOAP_INVALID_CONTENT_TYPE', { part: 'message' }, name)
  expectCode(t, () => decodeSoapMessage(Buffer.from(env12('<w:op/>')), 'application/soap+xml; charset=utf-8; foo=bar'), 'GW_SOAP_INVALID_CONTENT_TYPE', { part: 'message' }, 'plain SOAP with an unknown parameter')
  expectCode(t, () => decodeSoapMessage(multipart(env12('<w:op/>'), [], 'application/xop+xml; charset=UTF-8; type="application/soap+xml"; actionx="y"'), MTOM), 'GW_SOAP_INVALID_CONTENT_TYPE', { part: 'root' }, 'an unknown parameter of the root part')
})
