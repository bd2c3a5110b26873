// The hostile inputs the gateway must refuse, as the gateway meets them: through decodeSoapMessage.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { decodeSoapMessage } from '../../src/soap/message.js'
import { SOAP12_ENVELOPE_NS } from '../../src/soap/types.js'
import { expectCode } from './helpers/expect-error.js'

const SOAP12 = 'application/soap+xml; charset=utf-8'
const envelope = (body: string, prolog = ''): Buffer => Buffer.from(`${prolog}<env:Envelope xmlns:env="${SOAP12_ENVELOPE_NS}"><env:Body>${body}</env:Body></env:Envelope>`)
const mime = readFileSync(new URL('fixtures/reference-4-2.mime', import.meta.url))
const mimeType = readFileSync(new URL('fixtures/reference-4-2.content-type', import.meta.url), 'utf8').trim()

const entities = Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('')
const cases: Array<[string, () => [Buffer, string], string]> = [
  ['billion laughs', () => [envelope('<op>&lol9;</op>', `<?xml version="1.0"?><!DOCTYPE env:Envelope [<!ENTITY lol "lol">${entities}]>`), SOAP12], 'GW_SOAP_XML_DTD'],
  ['external entity', () => [envelope('<op>&xxe;</op>', '<!DOCTYPE e [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'), SOAP12], 'GW_SOAP_XML_DTD'],
  ['external DTD', () => [envelope('<op/>', '<!DOCTYPE env:Envelope SYSTEM "http://127.0.0.1:1/x.dtd">'), SOAP12], 'GW_SOAP_XML_DTD'],
  ['10 000-deep nesting', () => [envelope('<a>'.repeat(10_000) + '</a>'.repeat(10_000)), SOAP12], 'GW_SOAP_XML_TOO_DEEP'],
  ['1 MB attribute', () => [envelope(`<op a="${'x'.repeat(1024 * 1024)}"/>`), SOAP12], 'GW_SOAP_XML_ATTRIBUTE_TOO_LONG'],
  ['100 000 attributes', () => [envelope(`<op${Array.from({ length: 100_000 }, (_, i) => ` a${i}="1"`).join('')}/>`), SOAP12], 'GW_SOAP_XML_TOO_MANY_ATTRIBUTES'],
  ['invalid UTF-8', () => [Buffer.concat([envelope('<op>').subarray(0, -27), Buffer.from([0xc3, 0x28]), Buffer.from('</op></env:Body></env:Envelope>')]), SOAP12], 'GW_SOAP_XML_INVALID_UTF8'],
  ['UTF-16 with BOM', () => [Buffer.from('\ufeff' + envelope('<op/>').toString(), 'utf16le'), SOAP12], 'GW_SOAP_XML_UNSUPPORTED_ENCODING'],
  ['truncated multipart', () => [mime.subarray(0, mime.length - 200), mimeType], 'GW_SOAP_MIME_TRUNCATED'],
  ['wrong boundary', () => [mime, mimeType.replace('boundary="MIME_BOUNDARY"', 'boundary="uuid:0000"')], 'GW_SOAP_MIME_BOUNDARY_NOT_FOUND'],
  ['two Bodies', () => [Buffer.from(envelope('<op/>').toString().replace('</env:Envelope>', '<env:Body><op/></env:Body></env:Envelope>')), SOAP12], 'GW_SOAP_ENVELOPE_STRUCTURE'],
  ['wrong envelope namespace', () => [Buffer.from(envelope('<op/>').toString().replace(SOAP12_ENVELOPE_NS, 'http://schemas.example/soap-envelope')), SOAP12], 'GW_SOAP_ENVELOPE_NAMESPACE'],
  ['missing attachment', () => [Buffer.from(mime.toString('latin1').replace('cid:xml_id', 'cid:elsewhere'), 'latin1'), mimeType], 'GW_SOAP_XOP_MISSING_PART'],
  ['unreferenced attachment', () => [Buffer.from(mime.toString('latin1').replace('--MIME_BOUNDARY--', '--MIME_BOUNDARY\r\nContent-ID: <extra>\r\n\r\nx\r\n--MIME_BOUNDARY--'), 'latin1'), mimeType], 'GW_SOAP_XOP_UNREFERENCED_PART']
]

for (const [name, make, code] of cases) {
  t.test(name, async (t) => {
    const [body, contentType] = make()
    const err = expectCode(t, () => decodeSoapMessage(body, contentType), code)
    t.equal(err?.soapVersion, '1.2', 'the Fault can be written in SOAP 1.2')
    t.equal(err?.statusCode, 400)
  })
}
