/**
 * Publishing the WSDL and its schemas under the gateway's own URL.
 *
 * The files are rewritten in place: only the bytes of the attribute values concerned change,
 * everything else (layout, comments, declarations) is kept byte for byte.
 */
import type { XmlElement, XmlLimits } from './types.js'
import { parseXml } from './xml-reader.js'
import { walkElements } from './xml-tree.js'
import { escapeXmlAttribute } from './xml-escape.js'

export const WSDL_NS = 'http://schemas.xmlsoap.org/wsdl/'
export const WSDL_SOAP11_NS = 'http://schemas.xmlsoap.org/wsdl/soap/'
export const WSDL_SOAP12_NS = 'http://schemas.xmlsoap.org/wsdl/soap12/'
export const XSD_NS = 'http://www.w3.org/2001/XMLSchema'

/**
 * The interface files are the operator's own, trusted and read once: the request limits would
 * be too tight for a large official WSDL (many namespaces, long schemas).
 */
export const SPEC_XML_LIMITS: Readonly<Partial<XmlLimits>> = Object.freeze({
  maxDepth: 256,
  maxElements: 1_000_000,
  maxAttributes: 1000,
  maxNamespaces: 10_000,
  maxTextLength: 64 * 1024 * 1024,
  maxAttributeLength: 1024 * 1024,
  maxCommentLength: 1024 * 1024,
  maxSize: 64 * 1024 * 1024
})

interface ValueRange {
  start: number
  end: number
  quote: number
}

function isWs (c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d
}

/**
 * Finds the raw bytes of an unprefixed attribute's value in an element's start tag.
 * The document has been parsed already, so the tag is known to be well-formed.
 */
function attributeRange (doc: Buffer, el: XmlElement, name: string): ValueRange | undefined {
  let p = el.start + 1
  while (!isWs(doc[p]) && doc[p] !== 0x3e && doc[p] !== 0x2f) p++
  for (;;) {
    while (isWs(doc[p])) p++
    const c = doc[p]
    if (c === undefined || c === 0x3e || c === 0x2f) return undefined
    const nameStart = p
    while (!isWs(doc[p]) && doc[p] !== 0x3d) p++
    const attr = doc.toString('utf8', nameStart, p)
    while (doc[p] !== 0x3d) p++
    p++
    while (isWs(doc[p])) p++
    const quote = doc[p]!
    const start = p + 1
    const end = doc.indexOf(quote, start)
    if (attr === name) return { start, end, quote }
    p = end + 1
  }
}

interface Replacement extends ValueRange {
  value: string
}

function applyReplacements (doc: Buffer, replacements: Replacement[]): Buffer {
  if (replacements.length === 0) return doc
  replacements.sort((a, b) => a.start - b.start)
  const chunks: Buffer[] = []
  let from = 0
  for (const r of replacements) {
    chunks.push(doc.subarray(from, r.start), Buffer.from(escapeXmlAttribute(r.value), 'utf8'))
    from = r.end
  }
  chunks.push(doc.subarray(from))
  return Buffer.concat(chunks)
}

function rewrite (doc: Buffer, limits: Partial<XmlLimits> | undefined, pick: (el: XmlElement) => string | undefined, map: (value: string, el: XmlElement) => string): Buffer {
  const parsed = parseXml(doc, limits ?? SPEC_XML_LIMITS)
  const replacements: Replacement[] = []
  walkElements(parsed.root, (el) => {
    const attr = pick(el)
    if (attr === undefined) return
    const current = el.attributes.find((a) => a.uri === '' && a.local === attr)
    if (current === undefined) return
    const value = map(current.value, el)
    if (value === current.value) return
    const range = attributeRange(doc, el, attr)
    if (range !== undefined) replacements.push({ ...range, value })
  })
  return applyReplacements(doc, replacements)
}

/**
 * Sets the `location` of every `soap12:address` and `soap:address` (WSDL 1.1 SOAP bindings)
 * to `address`, leaving every other byte as it was.
 */
export function rewriteWsdlAddress (wsdl: Buffer, address: string, limits?: Partial<XmlLimits>): Buffer {
  return rewrite(wsdl, limits,
    (el) => el.local === 'address' && (el.uri === WSDL_SOAP12_NS || el.uri === WSDL_SOAP11_NS) ? 'location' : undefined,
    () => address)
}

/**
 * Maps every `schemaLocation` of `xs:import`, `xs:include`, `xs:redefine` and `xs:override`
 * (in a WSDL's types or an XSD) and every `location` of `wsdl:import`, leaving every other byte
 * as it was. `map` receives the value as written (entities decoded).
 */
export function rewriteSchemaLocations (doc: Buffer, map: (location: string) => string, limits?: Partial<XmlLimits>): Buffer {
  return rewrite(doc, limits,
    (el) => {
      if (el.uri === XSD_NS && (el.local === 'import' || el.local === 'include' || el.local === 'redefine' || el.local === 'override')) return 'schemaLocation'
      if (el.uri === WSDL_NS && el.local === 'import') return 'location'
      return undefined
    },
    (value) => map(value))
}
