/**
 * The lexical layer of the hardened XML reader: positions and errors, names, character
 * checks, references, attribute values, the XML declaration, comments, processing
 * instructions and the refusal of markup declarations. `xml-reader.ts` builds the tree on it.
 */
import { codes, soapError } from './errors.js'
import type { GatewayErrorConstructor } from '../errors.js'
import type { XmlLimits, XmlProcessingInstruction } from './types.js'
import { NAME_CHAR, NAME_CLASS, NAME_START, PREDEFINED_ENTITIES, isForbiddenControl, isXmlChar, isXmlName } from './xml-chars.js'

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

const COMMENT_END = Buffer.from('--')
const PI_END = Buffer.from('?>')
const DTD_KEYWORDS = ['DOCTYPE', 'ENTITY', 'ELEMENT', 'ATTLIST', 'NOTATION']

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
   * The whole document decoded once: slicing it is much cheaper than decoding each name and
   * text from the bytes. For a pure ASCII document byte offsets are string indexes; otherwise
   * a forward-moving cursor maps byte offsets to UTF-16 indexes.
   */
  private whole = ''
  private ascii = false
  private uPos = 0
  private uIdx = 0
  protected pos = 0
  // incremental line/column cursor: elements come in document order, so the work stays linear
  protected lcPos = 0
  private lcLine = 1
  protected lcLineStart = 0
  private lcCol = 1
  /** cached positions of the next LF and CR at or after the cursor: -1 none, -2 not searched yet */
  private nextLf = -2
  private nextCr = -2
  /** 3 when the document starts with a UTF-8 byte order mark (not a column) */
  protected bomLength = 0
  protected line = 1
  protected column = 1
  protected readonly pis: XmlProcessingInstruction[] = []
  protected encoding: string | undefined

  constructor (input: Buffer, limits: Readonly<XmlLimits>) {
    this.b = input
    this.len = input.length
    this.lim = limits
  }

  /**
   * Sets `line` and `column` (1-based, columns in characters) for a byte offset. Line ends are
   * found with native `indexOf` and cached, so locating every element in document order costs
   * about one native search per line; columns are counted only on non-ASCII lines.
   */
  protected locate (pos: number): void {
    const b = this.b
    if (pos < this.lcPos) {
      this.lcPos = this.lcLineStart = this.bomLength
      this.lcLine = 1
      this.lcCol = 1
      this.nextLf = this.nextCr = -2
    }
    let line = this.lcLine
    let lineStart = this.lcLineStart
    let from = this.lcPos
    for (;;) {
      if (this.nextLf !== -1 && this.nextLf < from) this.nextLf = b.indexOf(LF, from)
      if (this.nextCr !== -1 && this.nextCr < from) this.nextCr = b.indexOf(CR, from)
      let end = this.nextLf
      // XML 1.0 §2.11: a CR not followed by LF ends a line too
      const cr = this.nextCr
      if (cr >= 0 && (end < 0 || cr < end) && b[cr + 1] !== LF) end = cr
      if (end < 0 || end >= pos) break
      line++
      lineStart = from = end + 1
    }
    let col: number
    if (this.ascii) col = pos - lineStart + 1
    else {
      let i = lineStart
      col = 1
      if (lineStart === this.lcLineStart && this.lcPos >= lineStart) {
        i = this.lcPos
        col = this.lcCol
      }
      // counted from the previous element on the same line: linear over the document, and no
      // buffer view allocated per element
      for (; i < pos; i++) if ((b[i]! & 0xc0) !== 0x80) col++
    }
    this.lcPos = pos
    this.lcLine = line
    this.lcLineStart = lineStart
    this.lcCol = col
    this.line = line
    this.column = col
  }

  protected fail (Err: GatewayErrorConstructor, pos: number, ...args: Array<string | number>): never {
    this.locate(Math.min(pos, this.len))
    throw soapError(Err, { line: this.line, column: this.column, offset: pos }, ...args)
  }

  protected str (start: number, end: number): string {
    if (this.ascii) return this.whole.slice(start, end)
    const from = this.unitIndex(start)
    return this.whole.slice(from, this.unitIndex(end))
  }

  /** Decodes the document once (after its UTF-8 has been validated). */
  protected decodeWhole (ascii: boolean): void {
    this.ascii = ascii
    this.whole = this.b.toString(ascii ? 'latin1' : 'utf8')
  }

  /** UTF-16 index of a byte offset: lead bytes count one unit, 4-byte sequences two. */
  private unitIndex (pos: number): number {
    if (pos < this.uPos) {
      this.uPos = 0
      this.uIdx = 0
    }
    const b = this.b
    let idx = this.uIdx
    for (let i = this.uPos; i < pos; i++) {
      const c = b[i]!
      if ((c & 0xc0) !== 0x80) idx += c >= 0xf0 ? 2 : 1
    }
    this.uPos = pos
    this.uIdx = idx
    return idx
  }

  protected startsWith (s: string, at: number): boolean {
    if (at + s.length > this.len) return false
    for (let i = 0; i < s.length; i++) if (this.b[at + i] !== s.charCodeAt(i)) return false
    return true
  }

  protected skipWs (): boolean {
    const start = this.pos
    while (isWs(this.b[this.pos])) this.pos++
    return this.pos > start
  }

  /** Reads a Name at `pos`; returns it (validated, length-limited). */
  protected name (what: string): string {
    const b = this.b
    const start = this.pos
    const first = b[start]
    if (first === undefined) this.fail(codes.GW_SOAP_XML_TRUNCATED, start, what)
    if ((NAME_CLASS[first]! & NAME_START) === 0) this.fail(codes.GW_SOAP_XML_MALFORMED, start, `invalid ${what}`)
    const stop = Math.min(this.len, start + this.lim.maxNameLength + 1)
    let high = 0
    let p = start
    while (p < stop) {
      const c = b[p]!
      if ((NAME_CLASS[c]! & NAME_CHAR) === 0) break
      high |= c
      p++
    }
    if (p - start > this.lim.maxNameLength) this.fail(codes.GW_SOAP_XML_NAME_TOO_LONG, start, this.lim.maxNameLength)
    this.pos = p
    const name = this.str(start, p)
    if (high >= 0x80 && !isXmlName(name)) this.fail(codes.GW_SOAP_XML_MALFORMED, start, `invalid ${what}`)
    return name
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
      // the order is fixed by the grammar: version, then encoding, then standalone
      const order = ['version', 'encoding', 'standalone']
      const rank = order.indexOf(name)
      const last = seen.length === 0 ? -1 : order.indexOf(seen[seen.length - 1]!)
      if (rank <= last || (rank > 0 && seen.length === 0)) this.fail(codes.GW_SOAP_XML_MALFORMED, at, 'XML declaration')
      seen.push(name)
      if (name === 'version' && !/^1\.[0-9]+$/.test(value)) this.fail(codes.GW_SOAP_XML_MALFORMED, vStart, 'XML version (1.0 expected)')
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
    this.locate(start)
    this.pis.push({ target, line: this.line, column: this.column, start })
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
    for (;;) {
      const c = b[p]
      if (c === q) break
      if (c === undefined) this.fail(codes.GW_SOAP_XML_TRUNCATED, start, 'an attribute value')
      if (p >= stop) this.fail(codes.GW_SOAP_XML_ATTRIBUTE_TOO_LONG, start, this.lim.maxAttributeLength)
      if (c === LT) this.fail(codes.GW_SOAP_XML_MALFORMED, p, '"<" in an attribute value')
      if (c === AMP) {
        const s = this.str(seg, p)
        out += ws ? normalizeAttribute(s) : s
        ws = false
        this.pos = p
        out += this.reference()
        p = seg = this.pos
        continue
      }
      if (c < 0x20) {
        if (c === 0x09 || c === LF || c === CR) ws = true
        else this.checkChar(c, p)
      } else if (c === 0xef) this.checkChar(c, p)
      p++
    }
    const s = this.str(seg, p)
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
