/**
 * A hardened, non-validating XML 1.0 reader working on bytes.
 *
 * It accepts well-formed, namespace-well-formed UTF-8 documents and builds the light tree of
 * `types.ts`. It refuses every DTD (so no entity can be declared, expanded or fetched: billion
 * laughs and XXE have nothing to hold on to), decodes only the five predefined entities and
 * character references, and checks every limit while reading, before allocating for the
 * offending construct, so a hostile document costs at most one linear pass up to the breach.
 */
import { isAscii, isUtf8 } from 'node:buffer'
import { codes, soapError } from './errors.js'
import type { XmlAttribute, XmlDocument, XmlElement, XmlLimits } from './types.js'
import { ReaderElement } from './xml-element.js'
import { NAME_CHAR, NAME_CLASS, NAME_START, firstInvalidUtf8, sniffForeignEncoding } from './xml-chars.js'
import { AMP, BANG, CR, EQ, GT, LF, LT, QMARK, RBRACKET, SLASH, XmlLexer, isWs, normalizeText } from './xml-lexer.js'

export const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace'
export const XMLNS_NAMESPACE = 'http://www.w3.org/2000/xmlns/'

const MiB = 1024 * 1024

/**
 * Default limits. Kong's XML threat protection defaults are depth 50, 100 attributes,
 * 20 namespaces, 10 MiB documents, 1 MiB attribute values and 1 KiB names; these are as
 * strict or stricter, except text nodes: inline base64 attachments (a JAX-WS MTOM endpoint
 * accepts them) need a few MiB in one text node.
 */
export const DEFAULT_XML_LIMITS: Readonly<XmlLimits> = Object.freeze({
  maxDepth: 50,
  maxElements: 100_000,
  maxAttributes: 100,
  maxNameLength: 256,
  maxTextLength: 4 * MiB,
  maxAttributeLength: 64 * 1024,
  maxCommentLength: 64 * 1024,
  maxNamespaces: 20,
  maxSize: 10 * MiB
})

/** Resolves limits once (callers on a hot path keep the result and pass it back). */
export function resolveXmlLimits (limits?: Partial<XmlLimits>): Readonly<XmlLimits> {
  if (limits === undefined) return DEFAULT_XML_LIMITS
  if (isComplete(limits)) return limits
  const out = { ...DEFAULT_XML_LIMITS }
  for (const key of Object.keys(out) as Array<keyof XmlLimits>) {
    const v = limits[key]
    if (v !== undefined) out[key] = v
  }
  return Object.freeze(out)
}

function isComplete (limits: Partial<XmlLimits>): limits is XmlLimits {
  for (const key in DEFAULT_XML_LIMITS) {
    if (typeof limits[key as keyof XmlLimits] !== 'number') return false
  }
  return true
}

/**
 * Parses an XML document.
 * @throws a `GatewayError` with a `GW_SOAP_XML_…` code and `line`, `column`, `offset`.
 */
export function parseXml (input: Buffer, limits?: Partial<XmlLimits>): XmlDocument {
  return new Reader(input, resolveXmlLimits(limits)).parse()
}

const CDATA_END = Buffer.from(']]>')
/**
 * The lists of an element without attributes or children: shared and frozen (most elements of an
 * interfaceNuu document are leaves without attributes, and a list per element was a quarter of
 * the parse's allocations).
 */
const NO_ATTRIBUTES = Object.freeze([]) as unknown as XmlAttribute[]
const NO_CHILDREN = Object.freeze([]) as unknown as XmlElement[]

/** The tree layer: prolog, elements, namespaces and text, over the lexer. */
class Reader extends XmlLexer {
  private elements = 0
  private declarations = 0
  private readonly nsPrefix: string[] = ['xml']
  private readonly nsUri: string[] = [XML_NAMESPACE]

  parse (): XmlDocument {
    const b = this.b
    if (this.len > this.lim.maxSize) throw soapError(codes.GW_SOAP_XML_TOO_LARGE, {}, this.len, this.lim.maxSize)
    const foreign = sniffForeignEncoding(b)
    if (foreign !== undefined) this.fail(codes.GW_SOAP_XML_UNSUPPORTED_ENCODING, 0, foreign)
    if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) this.pos = this.bomLength = 3
    if (!isUtf8(b)) {
      const at = firstInvalidUtf8(b, this.pos)
      this.fail(codes.GW_SOAP_XML_INVALID_UTF8, at < 0 ? this.pos : at)
    }
    const ascii = isAscii(b)
    this.decodeWhole(ascii)
    if (this.startsWith('<?xml', this.pos) && (isWs(b[this.pos + 5]) || b[this.pos + 5] === QMARK)) this.xmlDeclaration(ascii)
    this.misc(false)
    if (this.pos >= this.len) this.fail(codes.GW_SOAP_XML_NO_ROOT, this.pos)
    const root = this.elementTree()
    this.misc(true)
    return { root, encoding: this.encoding, processingInstructions: this.pis }
  }

  /** Whitespace, comments and processing instructions before (`after` false) or after the root. */
  private misc (after: boolean): void {
    const b = this.b
    for (;;) {
      this.skipWs()
      if (this.pos >= this.len) return
      const p = this.pos
      if (b[p] !== LT) this.fail(codes.GW_SOAP_XML_MALFORMED, p, after ? 'text after the root element' : 'text before the root element')
      const n = b[p + 1]
      if (n === undefined) this.fail(codes.GW_SOAP_XML_TRUNCATED, p, 'markup')
      if (n === QMARK) this.processingInstruction()
      else if (n === BANG) {
        if (this.startsWith('<!--', p)) this.comment()
        else this.declaration(p)
      } else if (after) {
        this.fail((NAME_CLASS[n]! & NAME_START) !== 0 ? codes.GW_SOAP_XML_MULTIPLE_ROOTS : codes.GW_SOAP_XML_MALFORMED, p, 'markup after the root element')
      } else return
    }
  }

  private elementTree (): XmlElement {
    const b = this.b
    const open: XmlElement[] = []
    const nameStart: number[] = []
    const nameEnd: number[] = []
    const nsMark: number[] = []
    let current = this.startTag(undefined, 0)
    if (current.end > 0) return current
    const root = current
    open.push(current); nameStart.push(this.tagNameStart); nameEnd.push(this.tagNameEnd); nsMark.push(this.tagNsMark)
    for (;;) {
      const p = this.pos
      if (p >= this.len) this.fail(codes.GW_SOAP_XML_TRUNCATED, p, `element <${current.prefix === '' ? current.local : current.prefix + ':' + current.local}>`)
      if (b[p] !== LT) { this.text(current); continue }
      const n = b[p + 1]
      if (n === SLASH) {
        this.endTag(nameStart[nameStart.length - 1]!, nameEnd[nameEnd.length - 1]!)
        current.end = this.pos
        const mark = nsMark.pop()!
        if (this.nsPrefix.length !== mark) this.popNamespaces(mark)
        open.pop(); nameStart.pop(); nameEnd.pop()
        if (open.length === 0) return root
        current = open[open.length - 1]!
      } else if (n === BANG) {
        if (this.startsWith('<!--', p)) this.comment()
        else if (this.startsWith('<![CDATA[', p)) this.cdata(current)
        else this.declaration(p)
      } else if (n === QMARK) {
        this.processingInstruction()
      } else if (n === undefined) {
        this.fail(codes.GW_SOAP_XML_TRUNCATED, p, 'markup')
      } else {
        const child = this.startTag(current, open.length)
        if (current.children === NO_CHILDREN) current.children = [child]
        else current.children.push(child)
        if (child.end === 0) {
          open.push(child); nameStart.push(this.tagNameStart); nameEnd.push(this.tagNameEnd); nsMark.push(this.tagNsMark)
          current = child
        }
      }
    }
  }

  // results of startTag besides the element (kept in fields to avoid an allocation per tag)
  private tagNameStart = 0
  private tagNameEnd = 0
  private tagNsMark = 0

  /** Reads a start tag at `pos` ('<'); returns the element, with `end` set when it was empty (`/>`). */
  private startTag (parent: XmlElement | undefined, depth: number): XmlElement {
    const b = this.b
    const lim = this.lim
    const start = this.pos
    if (depth + 1 > lim.maxDepth) this.fail(codes.GW_SOAP_XML_TOO_DEEP, start, lim.maxDepth)
    if (++this.elements > lim.maxElements) this.fail(codes.GW_SOAP_XML_TOO_MANY_ELEMENTS, start, lim.maxElements)
    const nameStart = ++this.pos
    const nameEnd = this.scanName('element name')
    const colon = this.nameColon
    const colons = this.nameColons
    const high = this.nameHigh
    this.tagNameStart = nameStart
    this.tagNameEnd = nameEnd
    const mark = this.nsPrefix.length
    this.tagNsMark = mark
    let attrs: XmlAttribute[] | undefined
    let declared: Record<string, string> | undefined
    let count = 0
    let empty = false
    for (;;) {
      const ws = this.skipWs()
      const c = b[this.pos]
      if (c === undefined) this.fail(codes.GW_SOAP_XML_TRUNCATED, start, 'a start tag')
      if (c === GT) { this.pos++; break }
      if (c === SLASH) {
        if (b[this.pos + 1] !== GT) this.fail(codes.GW_SOAP_XML_MALFORMED, this.pos, '"/" not followed by ">" in a start tag')
        this.pos += 2
        empty = true
        break
      }
      if (!ws) this.fail(codes.GW_SOAP_XML_MALFORMED, this.pos, 'missing whitespace before an attribute')
      if (++count > lim.maxAttributes) this.fail(codes.GW_SOAP_XML_TOO_MANY_ATTRIBUTES, this.pos, lim.maxAttributes)
      const aStart = this.pos
      const aEnd = this.scanName('attribute name')
      const aColon = this.nameColon
      const aColons = this.nameColons
      const aHigh = this.nameHigh
      this.skipWs()
      if (b[this.pos] !== EQ) this.fail(b[this.pos] === undefined ? codes.GW_SOAP_XML_TRUNCATED : codes.GW_SOAP_XML_MALFORMED, this.pos, 'an attribute (expected "=")')
      this.pos++
      this.skipWs()
      const value = this.attributeValue()
      // xmlns and xmlns:… told by their bytes, before any string is made
      if (this.isXmlns(aStart, aColon < 0 ? aEnd : aColon)) {
        if (aColon >= 0) this.checkQName(aStart, aColon, aColons, aEnd, aStart)
        const prefix = aColon < 0 ? '' : this.chars(aColon + 1, aEnd, aHigh)
        this.declare(prefix, value, mark, aStart)
        declared ??= {}
        declared[prefix] = value
      } else {
        if (aColon >= 0) this.checkQName(aStart, aColon, aColons, aEnd, aStart)
        const a = aColon < 0
          ? { uri: '', local: this.chars(aStart, aEnd, aHigh), prefix: '', value }
          : { uri: '', local: this.chars(aColon + 1, aEnd, aHigh), prefix: this.chars(aStart, aColon, aHigh), value }
        if (attrs === undefined) attrs = [a]
        else attrs.push(a)
      }
    }

    let prefix = ''
    let local: string
    let uri: string | undefined
    if (colon >= 0) {
      this.checkQName(nameStart, colon, colons, nameEnd, start)
      if (this.isXmlns(nameStart, colon)) this.fail(codes.GW_SOAP_XML_INVALID_NAMESPACE, start, 'an element uses the xmlns prefix')
      // the in-scope declaration whose prefix has these bytes lends its string: no copy per element
      const i = high ? -1 : this.declarationOf(nameStart, colon)
      if (i >= 0) {
        prefix = this.nsPrefix[i]!
        uri = this.nsUri[i]!
      } else {
        prefix = this.chars(nameStart, colon, high)
        uri = this.lookup(prefix)
      }
      local = this.chars(colon + 1, nameEnd, high)
    } else {
      local = this.chars(nameStart, nameEnd, high)
      uri = this.lookup('')
    }
    if (uri === undefined) this.fail(codes.GW_SOAP_XML_UNBOUND_PREFIX, start, prefix)
    if (attrs !== undefined) this.resolveAttributes(attrs, start)

    const el = new ReaderElement(uri, local, prefix, attrs ?? NO_ATTRIBUTES, NO_CHILDREN, parent, start, declared, this.positions!)
    if (empty) {
      el.end = this.pos
      if (this.nsPrefix.length !== mark) this.popNamespaces(mark)
    }
    return el
  }

  /** The bytes from `start` to `end` spell `xmlns`. */
  private isXmlns (start: number, end: number): boolean {
    const b = this.b
    return end - start === 5 && b[start] === 0x78 && b[start + 1] === 0x6d && b[start + 2] === 0x6c && b[start + 3] === 0x6e && b[start + 4] === 0x73
  }

  /** A name with a colon is a qualified name: one colon, neither first nor last (Namespaces in XML §3). */
  private checkQName (start: number, colon: number, colons: boolean, end: number, at: number): void {
    if (colon === start || colon === end - 1 || colons) {
      this.fail(codes.GW_SOAP_XML_INVALID_NAMESPACE, at, 'a name is not a valid qualified name')
    }
  }

  private declare (prefix: string, uri: string, mark: number, at: number): void {
    if (++this.declarations > this.lim.maxNamespaces) this.fail(codes.GW_SOAP_XML_TOO_MANY_NAMESPACES, at, this.lim.maxNamespaces)
    if (prefix === 'xmlns') this.fail(codes.GW_SOAP_XML_INVALID_NAMESPACE, at, 'the xmlns prefix cannot be declared')
    if (prefix === 'xml' && uri !== XML_NAMESPACE) this.fail(codes.GW_SOAP_XML_INVALID_NAMESPACE, at, 'the xml prefix bound to another namespace')
    if (prefix !== 'xml' && uri === XML_NAMESPACE) this.fail(codes.GW_SOAP_XML_INVALID_NAMESPACE, at, 'the XML namespace bound to another prefix')
    if (uri === XMLNS_NAMESPACE) this.fail(codes.GW_SOAP_XML_INVALID_NAMESPACE, at, 'the xmlns namespace cannot be declared')
    if (prefix !== '' && uri === '') this.fail(codes.GW_SOAP_XML_INVALID_NAMESPACE, at, 'a prefix bound to the empty namespace name')
    for (let i = mark; i < this.nsPrefix.length; i++) {
      if (this.nsPrefix[i] === prefix) this.fail(codes.GW_SOAP_XML_DUPLICATE_ATTRIBUTE, at, prefix === '' ? 'xmlns' : `xmlns:${prefix}`)
    }
    this.nsPrefix.push(prefix)
    this.nsUri.push(uri)
  }

  private popNamespaces (mark: number): void {
    this.nsPrefix.length = mark
    this.nsUri.length = mark
  }

  private lookup (prefix: string): string | undefined {
    for (let i = this.nsPrefix.length - 1; i >= 0; i--) {
      if (this.nsPrefix[i] === prefix) return this.nsUri[i]
    }
    return prefix === '' ? '' : undefined
  }

  /** Index of the innermost declaration of the (ASCII) prefix spelled by the bytes from `start` to `end`, -1 when none. */
  private declarationOf (start: number, end: number): number {
    const b = this.b
    const length = end - start
    for (let i = this.nsPrefix.length - 1; i >= 0; i--) {
      const p = this.nsPrefix[i]!
      if (p.length !== length) continue
      let same = true
      for (let k = 0; same && k < length; k++) same = p.charCodeAt(k) === b[start + k]
      if (same) return i
    }
    return -1
  }

  private resolveAttributes (attrs: XmlAttribute[], at: number): void {
    for (const a of attrs) {
      if (a.prefix !== '') {
        const uri = this.lookup(a.prefix)
        if (uri === undefined) this.fail(codes.GW_SOAP_XML_UNBOUND_PREFIX, at, a.prefix)
        a.uri = uri
      }
    }
    // uniqueness by expanded name (raw duplicates are a special case of it); at most
    // maxAttributes² / 2 comparisons, and most elements carry zero to two attributes
    for (let i = 1; i < attrs.length; i++) {
      const a = attrs[i]!
      for (let j = 0; j < i; j++) {
        const o = attrs[j]!
        if (o.local === a.local && o.uri === a.uri) {
          this.fail(codes.GW_SOAP_XML_DUPLICATE_ATTRIBUTE, at, a.prefix === '' ? a.local : `${a.prefix}:${a.local}`)
        }
      }
    }
  }

  private text (el: XmlElement): void {
    const b = this.b
    const start = this.pos
    const max = this.lim.maxTextLength
    // past 4 KiB of text, one native search for the next '<' tells whether the limit will be
    // broken, so an oversized text is refused without walking it byte by byte
    let check = start + Math.min(4096, max)
    let seg = start
    // pieces around references, joined once: repeated `+=` would build a deep rope whose
    // flattening is slow and large when a hostile text is made of references only
    let parts: string[] | undefined
    let p = start
    // the segment's first CR (-1: none), and whether it has another: a CRLF line end, the one
    // CR of an indentation run, is dropped by slicing around it rather than by a regex
    let cr = -1
    let crs = false
    let high = false
    for (;;) {
      const c = b[p]
      if (c === LT || c === undefined) break
      if (p >= check) {
        const next = b.indexOf(LT, p)
        if ((next < 0 ? this.len : next) - start > max) this.fail(codes.GW_SOAP_XML_TEXT_TOO_LONG, start, max)
        check = Infinity
      }
      if (c === AMP) {
        parts ??= []
        // literal line ends are normalized, those from character references are kept
        if (p > seg) {
          parts.push(this.segment(seg, p, cr, crs, high))
        }
        cr = -1
        crs = high = false
        this.pos = p
        parts.push(this.reference())
        p = seg = this.pos
        continue
      }
      if (c < 0x20) {
        if (c === CR) {
          if (cr < 0) cr = p
          else crs = true
        } else if (c !== 0x09 && c !== LF) this.checkChar(c, p)
      } else if (c === RBRACKET) {
        if (b[p + 1] === RBRACKET && b[p + 2] === GT) this.fail(codes.GW_SOAP_XML_MALFORMED, p, '"]]>" in text')
      } else if (c >= 0x80) {
        high = true
        if (c === 0xef) this.checkChar(c, p)
      }
      p++
    }
    this.pos = p
    let s = this.segment(seg, p, cr, crs, high)
    if (parts !== undefined) {
      parts.push(s)
      s = parts.join('')
    }
    el.text = el.text === '' ? s : el.text + s
  }

  /**
   * Literal text from `start` to `end` with its line ends normalized (XML 1.0 §2.11): `cr` is
   * its first CR (-1: none), `crs` whether it has more than one.
   */
  private segment (start: number, end: number, cr: number, crs: boolean, high: boolean): string {
    if (cr < 0) return this.chars(start, end, high)
    if (crs || high || this.b[cr + 1] !== LF) return normalizeText(this.chars(start, end, high))
    // one CRLF in ASCII text: the text around its CR
    return cr === start ? this.str(start + 1, end) : this.str(start, cr) + this.str(cr + 1, end)
  }

  private cdata (el: XmlElement): void {
    const start = this.pos
    const from = start + 9
    const end = this.b.indexOf(CDATA_END, from)
    if (end < 0) this.fail(codes.GW_SOAP_XML_TRUNCATED, start, 'a CDATA section')
    if (end - from > this.lim.maxTextLength) this.fail(codes.GW_SOAP_XML_TEXT_TOO_LONG, start, this.lim.maxTextLength)
    this.checkRange(from, end)
    const s = normalizeText(this.b.toString('utf8', from, end))
    el.text = el.text === '' ? s : el.text + s
    this.pos = end + 3
  }

  private endTag (openStart: number, openEnd: number): void {
    const b = this.b
    const start = this.pos
    const nStart = start + 2
    const length = openEnd - openStart
    // compare bytes with the open element's name: no string is made unless they differ
    let same = (NAME_CLASS[b[nStart + length] ?? 0x20]! & NAME_CHAR) === 0
    for (let i = 0; same && i < length; i++) same = b[nStart + i] === b[openStart + i]
    if (same) this.pos = nStart + length
    else {
      this.pos = nStart
      const name = this.name('end tag name')
      this.fail(codes.GW_SOAP_XML_TAG_MISMATCH, start, name, b.toString('utf8', openStart, openEnd))
    }
    this.skipWs()
    const c = b[this.pos]
    if (c !== GT) this.fail(c === undefined ? codes.GW_SOAP_XML_TRUNCATED : codes.GW_SOAP_XML_MALFORMED, this.pos, 'an end tag')
    this.pos++
  }
}
