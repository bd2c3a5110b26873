import t from 'tap'
import { XmlDocument as LibxmlDocument } from 'libxml2-wasm'
import { codes, soapError } from '../../src/soap/errors.js'
import { FAULT_NAMESPACE, SOAP11_CONTENT_TYPE, SOAP12_CONTENT_TYPE, faultInputFromError, faultStatus, renderFault, renderOkEnvelope, soapContentType } from '../../src/soap/fault.js'
import { SOAP11_ENVELOPE_NS, SOAP12_ENVELOPE_NS } from '../../src/soap/types.js'
import { escapeXmlAttribute, escapeXmlText } from '../../src/soap/xml-escape.js'
import { parseXml } from '../../src/soap/xml-reader.js'

const NS = { env: SOAP12_ENVELOPE_NS, soap: SOAP11_ENVELOPE_NS, gw: FAULT_NAMESPACE }

/** Reads the rendered body with libxml2, an independent parser, and returns XPath string values. */
function xpaths (body: string, paths: string[]): string[] {
  const doc = LibxmlDocument.fromString(body)
  try {
    return paths.map((p) => {
      const count = /^count\((.*)\)$/.exec(p)
      if (count !== null) return String(doc.find(count[1]!, NS).length)
      return doc.get(p, NS)?.content ?? '(none)'
    })
  } finally {
    doc.dispose()
  }
}

const violation = { code: 'GW_SOAP_XML_TOO_DEEP', message: 'element nesting deeper than 50', path: '/Envelope/Body/a', line: 3, column: 7, part: 'soaproot' }

t.test('SOAP 1.2 Fault', async (t) => {
  const f = renderFault({ soapVersion: '1.2', code: 'Sender', subcode: 'GW_SOAP_XML_TOO_DEEP', reason: 'too deep', violations: [violation, { code: 'X', message: 'm' }] })
  t.equal(f.statusCode, 400)
  t.equal(f.contentType, 'application/soap+xml; charset=utf-8')
  t.ok(f.body.startsWith('<?xml version="1.0" encoding="UTF-8"?>'))
  t.same(xpaths(f.body, [
    '/env:Envelope/env:Body/env:Fault/env:Code/env:Value',
    '/env:Envelope/env:Body/env:Fault/env:Code/env:Subcode/env:Value',
    '/env:Envelope/env:Body/env:Fault/env:Reason/env:Text',
    '/env:Envelope/env:Body/env:Fault/env:Reason/env:Text/@xml:lang',
    'count(//gw:violation)',
    '//gw:violation[1]/gw:code', '//gw:violation[1]/gw:message', '//gw:violation[1]/gw:path',
    '//gw:violation[1]/gw:line', '//gw:violation[1]/gw:column', '//gw:violation[1]/gw:part',
    'count(//gw:violation[2]/*)'
  ]), ['env:Sender', 'gw:GW_SOAP_XML_TOO_DEEP', 'too deep', 'en', '2', 'GW_SOAP_XML_TOO_DEEP', 'element nesting deeper than 50', '/Envelope/Body/a', '3', '7', 'soaproot', '2'])
  const doc = parseXml(Buffer.from(f.body))
  const fault = doc.root.children[0]!.children[0]!
  t.same(fault.children.map((c) => c.local), ['Code', 'Reason', 'Detail'], 'Code, Reason, Detail in order')
  const violations = fault.children[2]!.children[0]!.children
  t.equal(violations.length, 2)
  t.same(violations[1]!.children.map((c) => c.local), ['code', 'message'], 'absent fields are left out')
  t.same(violations[0]!.children.map((c) => c.local), ['code', 'message', 'path', 'line', 'column', 'part'])
  const subcode = fault.children[0]!.children[1]!.children[0]!
  t.equal(subcode.text, 'gw:GW_SOAP_XML_TOO_DEEP')
  t.equal(subcode.parent!.parent!.parent!.parent!.parent!.namespaces!.gw, FAULT_NAMESPACE, 'gw prefix bound to the gateway namespace')
})

t.test('SOAP 1.1 Fault', async (t) => {
  const f = renderFault({ soapVersion: '1.1', code: 'Receiver', subcode: 'GW_PROXY_X', reason: 'upstream', lang: 'fr', violations: [violation] })
  t.equal(f.statusCode, 500)
  t.equal(f.contentType, 'text/xml; charset=utf-8')
  t.same(xpaths(f.body, [
    '/soap:Envelope/soap:Body/soap:Fault/faultcode',
    '/soap:Envelope/soap:Body/soap:Fault/faultstring',
    '/soap:Envelope/soap:Body/soap:Fault/faultstring/@xml:lang',
    '/soap:Envelope/soap:Body/soap:Fault/detail/gw:code',
    '/soap:Envelope/soap:Body/soap:Fault/detail/gw:violations/gw:violation/gw:line'
  ]), ['soap:Server', 'upstream', 'fr', 'GW_PROXY_X', '3'])
  const client = renderFault({ soapVersion: '1.1', code: 'Sender', subcode: 'GW_A', reason: 'r' })
  t.same(xpaths(client.body, ['//faultcode', 'count(//gw:violations)', '//detail/gw:code']), ['soap:Client', '0', 'GW_A'])
})

t.test('status codes', async (t) => {
  t.equal(renderFault({ soapVersion: '1.2', code: 'Sender', subcode: 'A', reason: 'r', statusCode: 413 }).statusCode, 413)
  t.equal(renderFault({ soapVersion: '1.2', code: 'Receiver', subcode: 'A', reason: 'r', statusCode: 504 }).statusCode, 504)
  const noDetail = renderFault({ soapVersion: '1.2', code: 'Receiver', subcode: 'A', reason: 'r', violations: [] })
  t.notOk(noDetail.body.includes('Detail'), 'no Detail without violations')
  t.equal(soapContentType('1.2'), SOAP12_CONTENT_TYPE)
  t.equal(soapContentType('1.1'), SOAP11_CONTENT_TYPE)
})

t.test('everything is escaped', async (t) => {
  const evil = '</env:Text><x>&amp;]]><!--\u0001\u0000\uffff\ud800"\'\r\n'
  for (const version of ['1.2', '1.1'] as const) {
    const f = renderFault({
      soapVersion: version,
      code: 'Sender',
      subcode: 'BAD CODE<&>',
      reason: evil,
      lang: '"><x',
      violations: [{ code: evil, message: evil, path: evil, part: evil, line: 1.5, column: Number.NaN }]
    })
    const [reason, lang, code] = version === '1.2'
      ? xpaths(f.body, ['//env:Text', '//env:Text/@xml:lang', '//env:Subcode/env:Value'])
      : xpaths(f.body, ['//faultstring', '//faultstring/@xml:lang', '//detail/gw:code'])
    const expected = '</env:Text><x>&amp;]]><!--\ufffd\ufffd\ufffd\ufffd"\'\r\n'
    t.equal(reason, expected, `${version}: reason survives as text (CR kept, invalid characters replaced)`)
    t.equal(lang, '"><x', `${version}: attribute escaped`)
    t.match(code, /^(gw:)?BAD_CODE___$/, `${version}: the code stays an NCName`)
    t.equal(xpaths(f.body, ['//gw:violation/gw:path'])[0], expected)
    t.equal(xpaths(f.body, ['count(//gw:violation/gw:line)'])[0], '0', 'non-integer line left out')
    t.ok(parseXml(Buffer.from(f.body)), `${version}: our own reader accepts it too`)
  }
  t.equal(escapeXmlText('a<b>&c\r'), 'a&lt;b&gt;&amp;c&#xD;')
  t.equal(escapeXmlAttribute('"\'\n\t'), '&quot;&apos;&#xA;&#x9;')
  t.equal(escapeXmlText('😀'), '😀', 'surrogate pairs are kept')
})

t.test('fault input from a codec error', async (t) => {
  const err = soapError(codes.GW_SOAP_XML_TOO_DEEP, { line: 2, column: 3, part: 'root', path: '/a', soapVersion: '1.1' }, 50)
  const input = faultInputFromError(err)
  t.same(input, {
    soapVersion: '1.1',
    code: 'Sender',
    subcode: 'GW_SOAP_XML_TOO_DEEP',
    reason: 'element nesting deeper than 50',
    violations: [{ code: 'GW_SOAP_XML_TOO_DEEP', message: 'element nesting deeper than 50', path: '/a', line: 2, column: 3, part: 'root' }],
    statusCode: 400
  })
  const writer = faultInputFromError(soapError(codes.GW_SOAP_MTOM_INVALID_PART, {}, 'x'), '1.2')
  t.match(writer, { soapVersion: '1.2', code: 'Receiver', statusCode: 500 })
  t.match(faultInputFromError(soapError(codes.GW_SOAP_UNSUPPORTED_MEDIA_TYPE, {}, 'a/b'), '1.1'), { soapVersion: '1.1', statusCode: 415, code: 'Sender' }, 'fallback version')
  const rendered = renderFault(faultInputFromError(err))
  t.equal(rendered.statusCode, 500, 'a SOAP 1.1 Client Fault on HTTP 500 (SOAP 1.1 §6.2)')
  t.equal(rendered.contentType, SOAP11_CONTENT_TYPE)
})

t.test('HTTP status of a Fault: SOAP 1.2 Sender 400 / Receiver 500, SOAP 1.1 always 500 but for HTTP-level statuses', async (t) => {
  t.equal(faultStatus('1.2', 'Sender'), 400)
  t.equal(faultStatus('1.2', 'Receiver'), 500)
  t.equal(faultStatus('1.2', 'Sender', 403), 403)
  t.equal(faultStatus('1.1', 'Sender'), 500)
  t.equal(faultStatus('1.1', 'Receiver'), 500)
  t.equal(faultStatus('1.1', 'Sender', 403), 500, 'an authorization refusal is a Fault like any other in 1.1')
  for (const status of [404, 405, 413, 415, 429]) t.equal(faultStatus('1.1', 'Sender', status), status, `${status} is HTTP's own condition`)
  for (const status of [502, 503, 504]) t.equal(faultStatus('1.1', 'Receiver', status), status)
  t.equal(renderFault({ soapVersion: '1.1', code: 'Sender', subcode: 'X', reason: 'r' }).statusCode, 500)
  t.equal(renderFault({ soapVersion: '1.2', code: 'Sender', subcode: 'X', reason: 'r' }).statusCode, 400)
})

t.test('validate-only OK envelope', async (t) => {
  const ok = renderOkEnvelope({ soapVersion: '1.2', operation: 'getNumUnique' })
  t.equal(ok.statusCode, 200)
  t.equal(ok.contentType, SOAP12_CONTENT_TYPE)
  t.same(xpaths(ok.body, ['/env:Envelope/env:Body/gw:validationReport/@ok', '//gw:validationReport/@operation']), ['true', 'getNumUnique'])
  const ok11 = renderOkEnvelope({ soapVersion: '1.1' })
  t.equal(ok11.contentType, SOAP11_CONTENT_TYPE)
  t.same(xpaths(ok11.body, ['/soap:Envelope/soap:Body/gw:validationReport/@ok', 'count(//@operation)']), ['true', '0'])
})
