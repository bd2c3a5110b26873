import t from 'tap'
import { parseContentType } from '../../src/soap/content-type.js'
import { readEnvelope, resolveAction, soapVersionOfMediaType, soapVersionOfNamespace, unquoteSoapAction } from '../../src/soap/envelope.js'
import { SOAP11_ENVELOPE_NS, SOAP12_ENVELOPE_NS } from '../../src/soap/types.js'
import { parseXml } from '../../src/soap/xml-reader.js'
import { expectCode } from './helpers/expect-error.js'

const env12 = (inner: string, extra = ''): Buffer => Buffer.from(`<e:Envelope xmlns:e="${SOAP12_ENVELOPE_NS}" xmlns:w="urn:w"${extra}>${inner}</e:Envelope>`)
const env11 = (inner: string): Buffer => Buffer.from(`<s:Envelope xmlns:s="${SOAP11_ENVELOPE_NS}" xmlns:w="urn:w">${inner}</s:Envelope>`)
const read = (b: Buffer): ReturnType<typeof readEnvelope> => readEnvelope(parseXml(b))

t.test('SOAP 1.2 and 1.1 envelopes', async (t) => {
  const e = read(env12('\n <e:Header><w:h/></e:Header>\n <e:Body>\n  <w:op><x/></w:op>\n </e:Body>\n'))
  t.equal(e.soapVersion, '1.2')
  t.equal(e.header?.children[0]?.local, 'h')
  t.equal(e.body.local, 'Body')
  t.match(e.payload, { uri: 'urn:w', local: 'op' }, 'the first element child names the operation')
  const o = read(env11('<s:Body><w:op/></s:Body>'))
  t.equal(o.soapVersion, '1.1')
  t.equal(o.header, undefined, 'Header is optional')
  t.ok(read(env11('<s:Header><h/></s:Header><s:Body><w:op/></s:Body>')), 'SOAP 1.1 header blocks may be unqualified')
  t.equal(soapVersionOfNamespace(SOAP12_ENVELOPE_NS), '1.2')
  t.equal(soapVersionOfNamespace('urn:x'), undefined)
  t.equal(soapVersionOfMediaType(' Application/SOAP+XML'), '1.2')
  t.equal(soapVersionOfMediaType('text/xml'), '1.1')
  t.equal(soapVersionOfMediaType('application/xml'), undefined)
})

t.test('the root must be a SOAP 1.2 or 1.1 Envelope', async (t) => {
  expectCode(t, () => read(Buffer.from('<Envelope><Body><op/></Body></Envelope>')), 'GW_SOAP_ENVELOPE_NAMESPACE', { line: 1, column: 1, path: '/Envelope', part: 'root' }, 'no namespace')
  const err = expectCode(t, () => read(Buffer.from('<e:Envelope xmlns:e="http://www.w3.org/2001/12/soap-envelope"><e:Body/></e:Envelope>')), 'GW_SOAP_ENVELOPE_NAMESPACE', {}, 'a draft namespace')
  t.match(err?.message, /\{http:\/\/www\.w3\.org\/2001\/12\/soap-envelope\}Envelope/)
  t.equal(err?.soapVersion, undefined, 'no version can be told')
  expectCode(t, () => read(Buffer.from(`<e:Body xmlns:e="${SOAP12_ENVELOPE_NS}"><op/></e:Body>`)), 'GW_SOAP_ENVELOPE_NAMESPACE', {}, 'Body as the root')
})

t.test('structure: at most one Header, exactly one Body, Header first, nothing else', async (t) => {
  const cases: Array<[string, RegExp, string]> = [
    ['<e:Header/><e:Header/><e:Body><w:op/></e:Body>', /more than one Header/, '/Envelope/Header[2]'],
    ['<e:Body><w:op/></e:Body><e:Body><w:op/></e:Body>', /more than one Body/, '/Envelope/Body[2]'],
    ['<e:Body><w:op/></e:Body><e:Header/>', /Header after Body/, '/Envelope/Header'],
    ['<e:Header/>', /no Body/, '/Envelope'],
    ['<e:Body><w:op/></e:Body><w:trailer/>', /unexpected element w:trailer/, '/Envelope/trailer'],
    ['<w:Body><w:op/></w:Body>', /unexpected element w:Body/, '/Envelope/Body'],
    ['text<e:Body><w:op/></e:Body>', /text directly inside Envelope/, '/Envelope'],
    ['<e:Header>x</e:Header><e:Body><w:op/></e:Body>', /text directly inside Header/, '/Envelope/Header'],
    ['<e:Body>x<w:op/></e:Body>', /text directly inside Body/, '/Envelope/Body'],
    // WS-I BP R2712: the second element would travel to the upstream unvalidated
    ['<e:Body><w:op/><w:second/></e:Body>', /more than one element in Body/, '/Envelope/Body/second'],
    ['<e:Body><w:op/><w:op/></e:Body>', /more than one element in Body/, '/Envelope/Body/op[2]'],
    ['<e:Header><h/></e:Header><e:Body><w:op/></e:Body>', /header block without namespace/, '/Envelope/Header/h']
  ]
  for (const [inner, message, path] of cases) {
    const err = expectCode(t, () => read(env12(inner)), 'GW_SOAP_ENVELOPE_STRUCTURE', { soapVersion: '1.2', path }, String(message))
    t.match(err?.message, message)
  }
  expectCode(t, () => read(env11('<s:Body><w:op/></s:Body><s:Body><w:op/></s:Body>')), 'GW_SOAP_ENVELOPE_STRUCTURE', { soapVersion: '1.1' }, 'two Bodies in 1.1')
  const two = expectCode(t, () => read(env12('\n<e:Body><w:op/></e:Body>\n<e:Body/>')), 'GW_SOAP_ENVELOPE_STRUCTURE', { line: 3, column: 1 })
  t.ok(two)
})

t.test('operation and processing instructions', async (t) => {
  expectCode(t, () => read(env12('<e:Body/>')), 'GW_SOAP_ENVELOPE_NO_OPERATION', { soapVersion: '1.2', path: '/Envelope/Body' }, 'empty Body')
  expectCode(t, () => read(env12('<e:Body>\n  <!-- nothing -->\n</e:Body>')), 'GW_SOAP_ENVELOPE_NO_OPERATION', {}, 'only whitespace and a comment')
  const pi = Buffer.from(`<?xml version="1.0"?>\n<?evil x?><e:Envelope xmlns:e="${SOAP12_ENVELOPE_NS}"><e:Body><op/></e:Body></e:Envelope>`)
  expectCode(t, () => read(pi), 'GW_SOAP_ENVELOPE_PROCESSING_INSTRUCTION', { soapVersion: '1.2', line: 2, column: 1 })
  expectCode(t, () => read(env11('<s:Body><op><?pi?></op></s:Body>')), 'GW_SOAP_ENVELOPE_PROCESSING_INSTRUCTION', { soapVersion: '1.1' }, 'inside the Body')
})

t.test('action sources in order', async (t) => {
  const ct = (v: string): ReturnType<typeof parseContentType> => parseContentType(v)
  t.equal(resolveAction({ message: ct('multipart/related; action="urn:m"'), startInfo: ct('application/soap+xml; action="urn:s"'), soapAction: 'urn:h' }), 'urn:m')
  t.equal(resolveAction({ message: ct('multipart/related'), startInfo: ct('application/soap+xml; action="urn:s"'), root: ct('application/xop+xml; action=r') }), 'urn:s')
  t.equal(resolveAction({ message: ct('multipart/related'), root: ct('application/xop+xml; action=r'), rootType: ct('application/soap+xml; action=t') }), 'r')
  t.equal(resolveAction({ root: ct('application/xop+xml'), rootType: ct('application/soap+xml; action=t'), soapAction: 'h' }), 't')
  t.equal(resolveAction({ message: ct('text/xml'), soapAction: ' "urn:h" ' }), 'urn:h', 'SOAPAction unquoted')
  t.equal(resolveAction({}), '')
  t.equal(unquoteSoapAction('""'), '')
  t.equal(unquoteSoapAction('urn:x'), 'urn:x')
  t.equal(unquoteSoapAction(undefined), undefined)
})
