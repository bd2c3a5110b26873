/**
 * The lexical layer of the hardened XML reader: positions and errors, names, character
 * checks, references, attribute values, the XML declaration, comments, processing
 * instructions and the refusal of markup declarations. `xml-reader.ts` builds the tree on it.
 */
import { codes, soapError } from './errors.js'
import type { GatewayErrorConstructor } from '../errors.js'
import type { XmlLimits, XmlProcessingInstruction } from './types.js'
import { NAME_CHAR, NAME_CLASS, NAME_START, PREDEFINED_ENTITIES, isForbiddenControl, isXmlChar, isXmlName } from './xml-chars.js'
import { XmlPositions } from './xml-positions.js'

// bytes the grammar looks for
export const LT = 0x3c // <
export const GT = 0x3e // >
export const AMP = 0x26 // &
export const SLASH = 0x2f // /
export const QMARK = 0x3f // ?
export const BANG = 0x21 // !
export const RBRACKET = 0x5d // ]
export const EQ = 0x3d // =
export const CR = 0x0d
export const LF = 0x0a
const DQUOTE = 0x22
const SQUOTE = 0x27
const COLON = 0x3a

const COMMENT_END = Buffer.from('--')
const PI_END = Buffer.from('?>')
const DTD_KEYWORDS = ['DOCTYPE', 'ENTITY', 'ELEMENT', 'ATTLIST', 'NOTATION']
/** the XML declaration's pseudo-attributes, in the order the grammar fixes */
const DECLARATION_ORDER = ['version', 'encoding', 'standalone']

export function isWs (c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d
}

/** XML 1.0 §2.11: CRLF and lone CR in literal text become LF. */
export function normalizeText (s: string): string {
  return s.includes('\r') ? s.replace(/\r\n?/g, '\n') : s
}

/** XML 1.0 §3.3.3 for CDATA attributes (no DTD, so every attribute): literal whitespace becomes a space. */
function normalizeAttribute (s: string): string {
  return s.replace(/\r\n|[\r\n\t]/g, ' ')
}

/** Cursor over one document's bytes; `parse` of the subclass drives it. */
export class XmlLexer {
  protected readonly b: Buffer
  protected readonly len: number
  protected readonly lim: Readonly<XmlLimits>
  /**
   * The whole document decoded once as Latin-1 (one character per byte, so byte offsets are
   * string indexes): names and ASCII text are slices of it, much cheaper than decoding each from
   * the bytes. Text and attribute values holding bytes above 0x7F are decoded as UTF-8 from the
   * bytes, once each.
   */
  private whole = ''
  protected pos = 0
  /** 3 when the document starts with a UTF-8 byte order mark (not a column) */
  protected bomLength = 0
  /** line and column of each offset asked for, worked out on demand */
  protected positions: XmlPositions | undefined
  protected readonly pis: XmlProcessingInstruction[] = []
  protected encoding: string | undefined
  // results of scanName besides the end offset (fields rather than an allocation per name)
  /** offset of the name's first ':', -1 when none */
  protected nameColon = -1
  /** the name holds a second ':' */
  protected nameColons = false
  /** the name holds a byte above 0x7F */
  protected nameHigh = false

  constructor (input: Buffer, limits: Readonly<XmlLimits>) {
    this.b = input
    this.len = input.length
    this.lim = limits
  }

  protected fail (Err: GatewayErrorConstructor, pos: number, ...args: Array<string | number>): never {
    const at = Math.min(pos, this.len)
    // before the document's encoding is known (`decodeWhole`), columns count UTF-8 lead bytes
    const where = (this.positions ?? new XmlPositions(this.b, false, this.bomLength)).locate(at)
    throw soapError(Err, { line: where.line, column: where.column, offset: pos }, ...args)
  }

  /** A slice of the document known to be ASCII (names, markup). */
  protected str (start: number, end: number): string {
    return this.whole.slice(start, end)
  }

  /** A slice of the document that may hold UTF-8 sequences (`high`: a byte above 0x7F was seen in it). */
  protected chars (start: number, end: number, high: boolean): string {
    return high ? this.b.toString('utf8', start, end) : this.whole.slice(start, end)
  }

  /** Decodes the document once (after its UTF-8 has been validated). */
  protected decodeWhole (ascii: boolean): void {
    this.whole = this.b.toString('latin1', 0, this.len)
    this.positions = new XmlPositions(this.b, ascii, this.bomLength)
  }

  protected startsWith (s: string, at: number): boolean {
    if (at + s.length > this.len) return false
    for (let i = 0; i < s.length; i++) if (this.b[at + i] !== s.charCodeAt(i)) return false
    return true
  }

  protected skipWs (): boolean {
    const b = this.b
    const start = this.pos
    let p = start
    while (isWs(b[p])) p++
    this.pos = p
    return p > start
  }

  /**
   * Reads a Name at `pos` (validated, length-limited) and returns its end offset; `nameColon`
   * and `nameColons` tell where its colons are, so qualified names are split without searching.
   */
  protected scanName (what: string): number {
    const b = this.b
    const start = this.pos
    const first = b[start]
    if (first === undefined) this.fail(codes.GW_SOAP_XML_TRUNCATED, start, what)
    if ((NAME_CLASS[first]! & NAME_START) === 0) this.fail(codes.GW_SOAP_XML_MALFORMED, start, `invalid ${what}`)
    const stop = Math.min(this.len, start + this.lim.maxNameLength + 1)
    let high = 0
    let colon = -1
    let colons = false
    let p = start
    while (p < stop) {
      const c = b[p]!
      if ((NAME_CLASS[c]! & NAME_CHAR) === 0) break
      if (c === COLON) {
        if (colon < 0) colon = p
        else colons = true
      }
      high |= c
      p++
    }
    if (p - start > this.lim.maxNameLength) this.fail(codes.GW_SOAP_XML_NAME_TOO_LONG, start, this.lim.maxNameLength)
    this.pos = p
    // a name beyond ASCII: the table lets its UTF-8 bytes through, the full rule decides
    if (high >= 0x80 && !isXmlName(this.b.toString('utf8', start, p))) this.fail(codes.GW_SOAP_XML_MALFORMED, start, `invalid ${what}`)
    this.nameColon = colon
    this.nameColons = colons
    this.nameHigh = high >= 0x80
    return p
  }

  /** Reads a Name at `pos`; returns it (validated, length-limited). */
  protected name (what: string): string {
    const start = this.pos
    const end = this.scanName(what)
    return this.chars(start, end, this.nameHigh)
  }

  /** Checks the byte at `p` for characters XML forbids; `p` is inside already validated UTF-8. */
  protected checkChar (c: number, p: number): void {
    if (isForbiddenControl(c)) this.fail(codes.GW_SOAP_XML_INVALID_CHARACTER, p, `U+${c.toString(16).toUpperCase().padStart(4, '0')}`)
    // U+FFFE and U+FFFF (EF BF BE, EF BF BF) are not XML characters either
    if (c === 0xef && this.b[p + 1] === 0xbf && (this.b[p + 2] === 0xbe || this.b[p + 2] === 0xbf)) {
      this.fail(codes.GW_SOAP_XML_INVALID_CHARACTER, p, this.b[p + 2] === 0xbe ? 'U+FFFE' : 'U+FFFF')
    }
  }

  protected checkRange (start: number, end: number): void {
    const b = this.b
    for (let p = start; p < end; p++) {
      const c = b[p]!
      if (c < 0x20 || c === 0xef) this.checkChar(c, p)
    }
  }

  protected xmlDeclaration (ascii: boolean): void {
    const b = this.b
    const start = this.pos
    this.pos += 5
    const seen: string[] = []
    for (;;) {
      const ws = this.skipWs()
      if (this.pos >= this.len) this.fail(codes.GW_SOAP_XML_TRUNCATED, start, 'the XML declaration')
      if (b[this.pos] === QMARK && b[this.pos + 1] === GT) { this.pos += 2; break }
      if (!ws) this.fail(codes.GW_SOAP_XML_MALFORMED, this.pos, 'XML declaration')
      const at = this.pos
      const name = this.name('XML declaration')
      this.skipWs()
      if (b[this.pos] !== EQ) this.fail(codes.GW_SOAP_XML_MALFORMED, this.pos, 'XML declaration')
      this.pos++
      this.skipWs()
      const q = b[this.pos]
      if (q !== DQUOTE && q !== SQUOTE) this.fail(codes.GW_SOAP_XML_MALFORMED, this.pos, 'XML declaration')
      const vStart = this.pos + 1
      const vEnd = b.indexOf(q, vStart)
      if (vEnd < 0 || vEnd - vStart > 64) this.fail(codes.GW_SOAP_XML_MALFORMED, vStart, 'XML declaration')
      const value = this.str(vStart, vEnd)
      this.pos = vEnd + 1
      const rank = DECLARATION_ORDER.indexOf(name)
      const last = seen.length === 0 ? -1 : DECLARATION_ORDER.indexOf(seen[seen.length - 1]!)
      if (rank <= last || (rank > 0 && seen.length === 0)) this.fail(codes.GW_SOAP_XML_MALFORMED, at, 'XML declaration')
      seen.push(name)
      if (name === 'version' && value !== '1.0' && !/^1\.[0-9]+$/.test(value)) this.fail(codes.GW_SOAP_XML_MALFORMED, vStart, 'XML version (1.0 expected)')
      if (name === 'standalone' && value !== 'yes' && value !== 'no') this.fail(codes.GW_SOAP_XML_MALFORMED, vStart, 'XML declaration')
      if (name === 'encoding') {
        if (!/^[A-Za-z][A-Za-z0-9._-]*$/.test(value)) this.fail(codes.GW_SOAP_XML_MALFORMED, vStart, 'encoding name')
        const enc = value.toLowerCase()
        const isAsciiName = enc === 'us-ascii' || enc === 'ascii'
        if (enc !== 'utf-8' && !isAsciiName) this.fail(codes.GW_SOAP_XML_UNSUPPORTED_ENCODING, vStart, value)
        if (isAsciiName && !ascii) this.fail(codes.GW_SOAP_XML_UNSUPPORTED_ENCODING, vStart, `${value} (the document holds non-ASCII bytes)`)
        this.encoding = value
      }
    }
    if (seen[0] !== 'version') this.fail(codes.GW_SOAP_XML_MALFORMED, start, 'XML declaration without version')
  }

  /** `<!` that is neither a comment nor CDATA: a markup declaration (refused) or garbage. */
  protected declaration (p: number): never {
    for (const keyword of DTD_KEYWORDS) {
      if (this.b.toString('latin1', p + 2, p + 2 + keyword.length).toUpperCase() === keyword) {
        this.fail(codes.GW_SOAP_XML_DTD, p, `<!${keyword}`)
      }
    }
    this.fail(codes.GW_SOAP_XML_MALFORMED, p, 'unknown markup after "<!"')
  }

  protected comment (): void {
    const start = this.pos
    const from = start + 4
    const end = this.b.indexOf(COMMENT_END, from)
    if (end < 0) this.fail(codes.GW_SOAP_XML_TRUNCATED, start, 'a comment')
    if (end - from > this.lim.maxCommentLength) this.fail(codes.GW_SOAP_XML_COMMENT_TOO_LONG, start, this.lim.maxCommentLength)
    if (this.b[end + 2] !== GT) this.fail(codes.GW_SOAP_XML_MALFORMED, end, '"--" inside a comment')
    this.checkRange(from, end)
    this.pos = end + 3
  }

  protected processingInstruction (): void {
    const start = this.pos
    this.pos += 2
    const target = this.name('processing instruction target')
    if (target.toLowerCase() === 'xml') this.fail(codes.GW_SOAP_XML_MALFORMED, start, 'XML declaration not at the start of the document')
    if (target.includes(':')) this.fail(codes.GW_SOAP_XML_INVALID_NAMESPACE, start, 'a processing instruction target contains ":"')
    const b = this.b
    if (!(b[this.pos] === QMARK && b[this.pos + 1] === GT) && !isWs(b[this.pos])) {
      this.fail(codes.GW_SOAP_XML_MALFORMED, this.pos, 'processing instruction')
    }
    const end = b.indexOf(PI_END, this.pos)
    if (end < 0) this.fail(codes.GW_SOAP_XML_TRUNCATED, start, 'a processing instruction')
    if (end - start > this.lim.maxCommentLength) this.fail(codes.GW_SOAP_XML_COMMENT_TOO_LONG, start, this.lim.maxCommentLength)
    this.checkRange(this.pos, end)
    const at = this.positions!.locate(start)
    this.pis.push({ target, line: at.line, column: at.column, start })
    this.pos = end + 2
  }

  protected attributeValue (): string {
    const b = this.b
    const q = b[this.pos]
    if (q !== DQUOTE && q !== SQUOTE) this.fail(q === undefined ? codes.GW_SOAP_XML_TRUNCATED : codes.GW_SOAP_XML_MALFORMED, this.pos, 'an attribute value (expected a quote)')
    const start = ++this.pos
    const stop = start + this.lim.maxAttributeLength
    let seg = start
    let out = ''
    let p = start
    let ws = false
    let high = false
    for (;;) {
      const c = b[p]
      if (c === q) break
      if (c === undefined) this.fail(codes.GW_SOAP_XML_TRUNCATED, start, 'an attribute value')
      if (p >= stop) this.fail(codes.GW_SOAP_XML_ATTRIBUTE_TOO_LONG, start, this.lim.maxAttributeLength)
      if (c === LT) this.fail(codes.GW_SOAP_XML_MALFORMED, p, '"<" in an attribute value')
      if (c === AMP) {
        const s = this.chars(seg, p, high)
        out += ws ? normalizeAttribute(s) : s
        ws = high = false
        this.pos = p
        out += this.reference()
        p = seg = this.pos
        continue
      }
      if (c < 0x20) {
        if (c === 0x09 || c === LF || c === CR) ws = true
        else this.checkChar(c, p)
      } else if (c >= 0x80) {
        high = true
        if (c === 0xef) this.checkChar(c, p)
      }
      p++
    }
    const s = this.chars(seg, p, high)
    this.pos = p + 1
    return out + (ws ? normalizeAttribute(s) : s)
  }

  /** Decodes the reference at `pos` ('&'): a predefined entity or a character reference. */
  protected reference (): string {
    const b = this.b
    const start = this.pos
    if (b[start + 1] === 0x23 /* # */) {
      const hex = b[start + 2] === 0x78 /* x */
      let p = start + (hex ? 3 : 2)
      const digits = p
      let cp = 0
      for (;;) {
        const c = b[p]
        if (c === undefined) this.fail(codes.GW_SOAP_XML_TRUNCATED, start, 'a character reference')
        let d: number
        if (c >= 0x30 && c <= 0x39) d = c - 0x30
        else if (hex && c >= 0x61 && c <= 0x66) d = c - 0x57
        else if (hex && c >= 0x41 && c <= 0x46) d = c - 0x37
        else break
        cp = cp * (hex ? 16 : 10) + d
        if (cp > 0x10ffff) cp = 0x110000 // saturate: out of range whatever follows
        p++
      }
      if (p === digits || b[p] !== 0x3b /* ; */) this.fail(codes.GW_SOAP_XML_MALFORMED, start, 'character reference')
      if (!isXmlChar(cp)) this.fail(codes.GW_SOAP_XML_INVALID_CHAR_REF, start, cp > 0x10ffff ? 'beyond U+10FFFF' : `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`)
      this.pos = p + 1
      return String.fromCodePoint(cp)
    }
    // fast path for the five predefined entities, by their bytes
    const c1 = b[start + 1]; const c2 = b[start + 2]; const c3 = b[start + 3]
    if (c2 === 0x74 /* t */ && c3 === 0x3b) {
      if (c1 === 0x6c /* l */) { this.pos = start + 4; return '<' }
      if (c1 === 0x67 /* g */) { this.pos = start + 4; return '>' }
    } else if (c1 === 0x61 /* a */ && c2 === 0x6d /* m */ && c3 === 0x70 /* p */ && b[start + 4] === 0x3b) {
      this.pos = start + 5
      return '&'
    }
    this.pos = start + 1
    if ((NAME_CLASS[b[this.pos] ?? 0]! & NAME_START) === 0) this.fail(codes.GW_SOAP_XML_MALFORMED, start, '"&" not starting a reference')
    const name = this.name('entity name')
    if (b[this.pos] !== 0x3b) this.fail(b[this.pos] === undefined ? codes.GW_SOAP_XML_TRUNCATED : codes.GW_SOAP_XML_MALFORMED, start, b[this.pos] === undefined ? 'an entity reference' : 'entity reference without ";"')
    this.pos++
    if (!Object.hasOwn(PREDEFINED_ENTITIES, name)) this.fail(codes.GW_SOAP_XML_UNDEFINED_ENTITY, start, name)
    return PREDEFINED_ENTITIES[name]!
  }
}
