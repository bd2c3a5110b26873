import t from 'tap'
import { existsSync, readFileSync } from 'node:fs'
import { rewriteSchemaLocations, rewriteWsdlAddress } from '../../src/soap/wsdl-publisher.js'
import { parseXml } from '../../src/soap/xml-reader.js'
import { expectCode } from './helpers/expect-error.js'

const wsdl = readFileSync(new URL('fixtures/publish.wsdl', import.meta.url))

t.test('rewrites every SOAP 1.2 and 1.1 address location and nothing else', async (t) => {
  const out = rewriteWsdlAddress(wsdl, 'https://gw.example:8443/ecole/services/S/?a=1&b="2"')
  const expected = wsdl.toString()
    .replace('location="https://nuu-ws.ecole.example/services/S/"', 'location="https://gw.example:8443/ecole/services/S/?a=1&amp;b=&quot;2&quot;"')
    .replace("location='https://old.example/services/S/'", "location='https://gw.example:8443/ecole/services/S/?a=1&amp;b=&quot;2&quot;'")
  t.equal(out.toString(), expected, 'only the two location values changed, quotes and layout kept')
  const again = parseXml(out)
  t.ok(again.root, 'still well-formed')
  t.equal(rewriteWsdlAddress(out, 'https://gw.example:8443/ecole/services/S/?a=1&b="2"').toString(), expected, 'idempotent')
})

t.test('maps schemaLocation of xs:import/include and location of wsdl:import', async (t) => {
  const seen: string[] = []
  const out = rewriteSchemaLocations(wsdl, (location) => {
    seen.push(location)
    return `/ecole/wsdl/${location}`
  })
  t.same(seen, ['other.wsdl', 'a.xsd', 'dir/b&c.xsd'], 'values as written, entities decoded, document order')
  const expected = wsdl.toString()
    .replace('location="other.wsdl"', 'location="/ecole/wsdl/other.wsdl"')
    .replace("schemaLocation = 'a.xsd'", "schemaLocation = '/ecole/wsdl/a.xsd'")
    .replace('schemaLocation="dir/b&amp;c.xsd"', 'schemaLocation="/ecole/wsdl/dir/b&amp;c.xsd"')
  t.equal(out.toString(), expected)
  t.same(rewriteSchemaLocations(wsdl, (l) => l), wsdl, 'identity map: the very same bytes')
})

t.test('an XSD with include and import', async (t) => {
  const xsd = Buffer.from('\ufeff<?xml version="1.0"?>\n<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema"><xsd:include schemaLocation="n.xsd"/><xsd:import namespace="x"/><other schemaLocation="keep.xsd"/></xsd:schema>')
  const out = rewriteSchemaLocations(xsd, (l) => `https://gw/${l}`)
  t.equal(out.toString(), xsd.toString().replace('"n.xsd"', '"https://gw/n.xsd"'), 'BOM kept, import without schemaLocation and foreign elements untouched')
})

t.test('the repository WSDL keeps every other byte', { skip: !existsSync(new URL('../../wsdl/DemandeLogementImplService.wsdl', import.meta.url)) }, async (t) => {
  const real = readFileSync(new URL('../../wsdl/DemandeLogementImplService.wsdl', import.meta.url))
  const out = rewriteWsdlAddress(real, 'https://127.0.0.1:8443/ecole/services/DemandeLogementImplService/')
  const before = real.toString().replace(/(<(?:\w+:)?address\b[^>]*\blocation=")[^"]*/g, '$1X')
  const after = out.toString().replace(/(<(?:\w+:)?address\b[^>]*\blocation=")[^"]*/g, '$1X')
  t.equal(after, before)
  t.ok(out.toString().includes('location="https://127.0.0.1:8443/ecole/services/DemandeLogementImplService/"'))
})

t.test('a broken document is refused with the reader code', async (t) => {
  expectCode(t, () => rewriteWsdlAddress(Buffer.from('<definitions><oops></definitions>'), 'x'), 'GW_SOAP_XML_TAG_MISMATCH')
  expectCode(t, () => rewriteSchemaLocations(Buffer.from('<!DOCTYPE x><x/>'), (l) => l), 'GW_SOAP_XML_DTD')
})
