/**
 * A byte scanner for the plain XML that normal clients send: one pass over a document, checking
 * as it goes that the hardened reader (`xml-reader.ts`) would accept it, and keeping only a
 * skeleton of the elements its caller asks for. It answers "not sure" (undefined) at the first
 * thing it does not fully handle — a comment, CDATA, a processing instruction, a DOCTYPE, a
 * reference other than the predefined entities and short character references (and any in an
 * attribute value), a byte above 0x7F anywhere but in text, an unbound or reserved prefix, a
 * limit within reach — and at anything the reader would refuse: its caller then runs the reader.
 * So what it accepts is a subset of what the reader accepts, and for that subset the skeleton's
 * names, namespaces and texts are the reader's (a text holding a reference is not given: the
 * scanner checks references, it does not decode them).
 */
import { isUtf8 } from 'node:buffer'
import type { XmlAttribute, XmlElement, XmlLimits } from './types.js'
import { XML_NAMESPACE, XMLNS_NAMESPACE } from './xml-reader.js'
import * as bytes from './xml-scan-bytes.js'
import { ScanNames, isWs, reference, spellsAt, xmlDeclaration } from './xml-scan-bytes.js'

export { ScanNames } from './xml-scan-bytes.js'

// Bound here, not read through the import in the loops below: an imported binding is live, and
// V8 loads and checks it at each use where a module's own constant is folded (3 µs of a CRE's
// 16 when they were imported).
const {
  COLON, DQUOTE, EQ, GT, LT, NAME, QMARK, RBRACKET, SLASH, SQUOTE, T_AMP, T_BRACKET, T_CR, T_EF, T_LT, T_PLAIN,
  T_REFUSE, T_WS, TEXT, VALUE
} = bytes

/**
 * An element of the skeleton: the reader's `XmlElement` for the fields the skeleton keeps (names,
 * namespace, kept children, attributes of the kept namespace), plus what the scanner saw of its
 * direct text, from which `textOf` gives the reader's `text` when the scanner can be sure of it.
 */
export class ScannedElement implements XmlElement {
  uri: string
  local: string
  prefix = ''
  attributes: XmlAttribute[]
  children: XmlElement[] = []
  text = ''
  parent: ScannedElement | undefined
  line = 0
  column = 0
  start: number
  end = 0
  namespaces: undefined
  /** element children, kept or not */
  childCount = 0
  /** non-empty text runs between its tags */
  runs = 0
  /** the first non-empty run */
  runStart = 0
  runEnd = 0
  /** every run is XML whitespace */
  blank = true
  /** a run holds a CR (the reader normalizes line ends) */
  cr = false
  /** a run holds a byte above 0x7F (the reader decodes it as UTF-8) */
  high = false
  /** a run holds a reference (the reader decodes it) */
  ref = false

  constructor (uri: string, local: string, attributes: XmlAttribute[], parent: ScannedElement | undefined, start: number) {
    this.uri = uri
    this.local = local
    this.attributes = attributes
    this.parent = parent
    this.start = start
  }
}

const NO_ATTRIBUTES = Object.freeze([]) as unknown as XmlAttribute[]

/**
 * What to keep: at each depth (the root is 0), the local names kept (undefined: all), below a
 * kept parent; deeper elements are checked, not kept. Elements of `keepUri` are kept at any depth
 * with their attributes, when their parent is kept (else the scan is not sure).
 */
export interface ScanShape {
  depths: ReadonlyArray<readonly string[] | undefined>
  keepUri?: string
}

export interface ScannedDocument {
  root: ScannedElement
  /** the elements of `keepUri`, in document order */
  marked: ScannedElement[]
}

/**
 * The reader's text of a skeleton element, when the scanner is sure of it: '' without text, the
 * one run as Latin-1 when it is ASCII without CR; undefined for mixed content or a run the
 * reader would normalize or decode. `rawRun` also takes a run with CRs (for base64, whose
 * whitespace is dropped anyway).
 */
export function textOf (b: Buffer, el: ScannedElement, rawRun = false): string | undefined {
  if (el.runs === 0) return ''
  if (el.childCount > 0 || el.runs > 1 || el.high || el.ref || (el.cr && !rawRun)) return undefined
  return b.toString('latin1', el.runStart, el.runEnd)
}

/**
 * Scans `b`; the skeleton, or undefined when not sure (see the module comment). Limits are kept
 * with a margin: a document near one is left to the reader, which knows the exact bound.
 */
export function scanXml (b: Buffer, limits: Readonly<XmlLimits>, shape: ScanShape, names: ScanNames = new ScanNames()): ScannedDocument | undefined {
  return new Scan(b, limits, shape, names).run()
}

/** The per-call state of one scan. */
class Scan {
  private readonly b: Buffer
  private readonly len: number
  private readonly lim: Readonly<XmlLimits>
  private readonly shape: ScanShape
  private readonly names: ScanNames
  private p = 0
  private readonly nsPrefix: string[] = []
  private readonly nsUri: string[] = []
  private declarations = 0
  private elements = 0
  private readonly marked: ScannedElement[] = []
  // the attributes of the start tag being read (offsets), reused from tag to tag
  private readonly aStart: number[] = []
  private readonly aColon: number[] = []
  private readonly aEnd: number[] = []
  private readonly vStart: number[] = []
  private readonly vEnd: number[] = []
  private readonly aUri: string[] = []

  constructor (b: Buffer, limits: Readonly<XmlLimits>, shape: ScanShape, names: ScanNames) {
    this.b = b
    this.len = b.length
    this.lim = limits
    this.shape = shape
    this.names = names
  }

  run (): ScannedDocument | undefined {
    const b = this.b
    if (this.len * 2 > this.lim.maxSize || this.len === 0 || !isUtf8(b)) return undefined
    // a UTF-8 byte order mark is skipped, as the reader skips it
    const start = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0
    this.p = start
    if (b[start] === LT && b[start + 1] === QMARK) {
      if (!(b[start + 2] === 0x78 && b[start + 3] === 0x6d && b[start + 4] === 0x6c && b[start + 5] === 0x20)) return undefined
      this.p = xmlDeclaration(b, start)
      if (this.p < 0) return undefined
    }
    while (isWs(b[this.p])) this.p++
    const root = this.elementTree()
    if (root === undefined) return undefined
    while (isWs(b[this.p])) this.p++
    if (this.p !== this.len) return undefined
    return { root, marked: this.marked }
  }

  private elementTree (): ScannedElement | undefined {
    const b = this.b
    const nameStart: number[] = []
    const nameEnd: number[] = []
    const nsMark: number[] = []
    const kept: Array<ScannedElement | undefined> = []
    let root: ScannedElement | undefined
    for (;;) {
      const p = this.p
      if (b[p] !== LT) return undefined
      const n = b[p + 1]
      if (n === SLASH) {
        const depth = nameStart.length - 1
        if (depth < 0 || !this.endTag(nameStart[depth]!, nameEnd[depth]!)) return undefined
        const el = kept[depth]
        if (el !== undefined) el.end = this.p
        this.popNamespaces(nsMark[depth]!)
        nameStart.pop(); nameEnd.pop(); nsMark.pop(); kept.pop()
        if (depth === 0) return root
      } else if ((NAME[n ?? 0]! & 1) !== 0) {
        const depth = nameStart.length
        if (depth + 2 >= this.lim.maxDepth || ++this.elements * 2 >= this.lim.maxElements) return undefined
        const parent = depth === 0 ? undefined : kept[depth - 1]
        const mark = this.nsPrefix.length
        const tag = this.startTag(depth, parent, depth > 0 && parent === undefined)
        if (tag === undefined) return undefined
        if (depth === 0) root = tag.el
        if (tag.empty) {
          if (tag.el !== undefined) tag.el.end = this.p
          this.popNamespaces(mark)
          if (depth === 0) return root
        } else {
          nameStart.push(p + 1); nameEnd.push(tag.nameEnd); nsMark.push(mark); kept.push(tag.el)
        }
      } else return undefined
      // the text up to the next tag
      if (!this.text(kept[kept.length - 1])) return undefined
    }
  }

  /** The text from `p` to the next `<` (or the end): checked, and noted on `el`. False when not sure. */
  private text (el: ScannedElement | undefined): boolean {
    const b = this.b
    const start = this.p
    let p = start
    let blank = true
    let cr = false
    let high = false
    let ref = false
    for (;;) {
      const c = b[p]
      if (c === undefined) break
      const k = TEXT[c]!
      if (k === T_PLAIN) { blank = false; p++; continue }
      if (k === T_WS) { p++; continue }
      if (k === T_LT) break
      if (k === T_CR) { cr = true; p++; continue }
      if (k === T_REFUSE) return false
      blank = false
      if (k === T_AMP) {
        const end = reference(b, p)
        if (end < 0) return false
        ref = true
        p = end
        continue
      }
      if (k === T_BRACKET) {
        if (b[p + 1] === RBRACKET && b[p + 2] === GT) return false
      } else {
        high = true
        // U+FFFE and U+FFFF are not XML characters (the rest of the UTF-8 was checked whole)
        if (k === T_EF && b[p + 1] === 0xbf && (b[p + 2] === 0xbe || b[p + 2] === 0xbf)) return false
      }
      p++
    }
    this.p = p
    if (p === start) return true
    if ((p - start) * 2 > this.lim.maxTextLength) return false
    if (el !== undefined) {
      if (el.runs === 0) { el.runStart = start; el.runEnd = p }
      el.runs++
      if (!blank) el.blank = false
      if (cr) el.cr = true
      if (high) el.high = true
      if (ref) el.ref = true
    }
    return true
  }

  /** An ASCII name at `p`: its end, with `colon` its colon (-1 if none); -1 when not sure. */
  private colon = -1
  private name (): number {
    const b = this.b
    const start = this.p
    if ((NAME[b[start] ?? 0]! & 1) === 0) return -1
    let p = start + 1
    let colon = -1
    for (;;) {
      const c = b[p] ?? 0
      if (NAME[c] === 0) break
      if (c === COLON) {
        if (colon >= 0) return -1
        colon = p
      }
      p++
    }
    // a byte above 0x7F would continue the reader's name: not this scanner's
    if ((b[p] ?? 0) >= 0x80 || (p - start) * 2 > this.lim.maxNameLength || colon === p - 1) return -1
    this.colon = colon
    this.p = p
    return p
  }

  private startTag (depth: number, parent: ScannedElement | undefined, parentUnkept: boolean): { el: ScannedElement | undefined, empty: boolean, nameEnd: number } | undefined {
    const b = this.b
    const start = this.p
    this.p = start + 1
    const nameEnd = this.name()
    if (nameEnd < 0) return undefined
    const colon = this.colon
    const mark = this.nsPrefix.length
    let count = 0
    let empty = false
    let normalizedValues = false
    for (;;) {
      const ws = isWs(b[this.p])
      while (isWs(b[this.p])) this.p++
      const c = b[this.p]
      if (c === GT) { this.p++; break }
      if (c === SLASH) {
        if (b[this.p + 1] !== GT) return undefined
        this.p += 2
        empty = true
        break
      }
      if (!ws || ++count * 2 > this.lim.maxAttributes || count > 16) return undefined
      const aStart = this.p
      const aEnd = this.name()
      if (aEnd < 0) return undefined
      const aColon = this.colon
      while (isWs(b[this.p])) this.p++
      if (b[this.p] !== EQ) return undefined
      this.p++
      while (isWs(b[this.p])) this.p++
      const q = b[this.p]
      if (q !== DQUOTE && q !== SQUOTE) return undefined
      const vStart = ++this.p
      let v = vStart
      let kinds = 0
      while (b[v] !== q) {
        const k = VALUE[b[v] ?? 0]!
        if (k === 0) return undefined
        kinds |= k
        v++
      }
      if ((v - vStart) * 2 > this.lim.maxAttributeLength) return undefined
      this.p = v + 1
      // a value with literal whitespace other than spaces is normalized by the reader: taken only
      // where nothing reads it (not a namespace, not an attribute of a kept namespace's element)
      const normalized = (kinds & 2) !== 0
      if (this.isXmlns(aStart, aColon < 0 ? aEnd : aColon)) {
        if (normalized || !this.declare(aColon < 0 ? '' : this.names.of(b, aColon + 1, aEnd), this.names.of(b, vStart, v), mark)) return undefined
      } else {
        const i = count - 1 - (this.nsPrefix.length - mark)
        this.aStart[i] = aStart; this.aColon[i] = aColon; this.aEnd[i] = aEnd; this.vStart[i] = vStart; this.vEnd[i] = v
        if (normalized) normalizedValues = true
      }
    }
    const attributes = count - (this.nsPrefix.length - mark)
    const nameStart = start + 1
    if (colon >= 0 && this.isXmlns(nameStart, colon)) return undefined
    const uri = colon < 0 ? this.lookup(nameStart, nameStart) : this.lookup(nameStart, colon)
    if (uri === undefined) return undefined
    for (let i = 0; i < attributes; i++) {
      const ac = this.aColon[i]!
      const au = ac < 0 ? '' : this.lookup(this.aStart[i]!, ac)
      if (au === undefined || au === XML_NAMESPACE) return undefined
      this.aUri[i] = au
      for (let j = 0; j < i; j++) if (this.aUri[j] === au && this.sameLocal(i, j)) return undefined
    }

    const keepUri = this.shape.keepUri
    const marked = keepUri !== undefined && uri === keepUri
    let el: ScannedElement | undefined
    if (marked || (!parentUnkept && this.kept(depth, colon < 0 ? nameStart : colon + 1, nameEnd))) {
      if (marked && (parentUnkept || depth === 0 || normalizedValues)) return undefined
      const local = this.names.of(b, colon < 0 ? nameStart : colon + 1, nameEnd)
      el = new ScannedElement(uri, local, marked ? this.attributesOf(attributes) : NO_ATTRIBUTES, parent, start)
      if (colon >= 0) el.prefix = this.names.of(b, nameStart, colon)
      if (marked) this.marked.push(el)
      parent?.children.push(el)
    }
    if (parent !== undefined) parent.childCount++
    return { el, empty, nameEnd }
  }

  /** Is an element of this local name kept at this depth (its parent being kept)? */
  private kept (depth: number, from: number, to: number): boolean {
    const depths = this.shape.depths
    if (depth >= depths.length) return false
    const names = depths[depth]
    if (names === undefined) return true
    for (const name of names) if (this.spells(from, to, name)) return true
    return false
  }

  private spells (from: number, to: number, s: string): boolean {
    return spellsAt(this.b, from, to, s)
  }

  private sameLocal (i: number, j: number): boolean {
    const b = this.b
    const is = this.aColon[i]! < 0 ? this.aStart[i]! : this.aColon[i]! + 1
    const js = this.aColon[j]! < 0 ? this.aStart[j]! : this.aColon[j]! + 1
    const n = this.aEnd[i]! - is
    if (this.aEnd[j]! - js !== n) return false
    for (let k = 0; k < n; k++) if (b[is + k] !== b[js + k]) return false
    return true
  }

  private attributesOf (n: number): XmlAttribute[] {
    const b = this.b
    const out: XmlAttribute[] = []
    for (let i = 0; i < n; i++) {
      const c = this.aColon[i]!
      const s = this.aStart[i]!
      out.push({
        uri: this.aUri[i]!,
        local: b.toString('latin1', c < 0 ? s : c + 1, this.aEnd[i]),
        prefix: c < 0 ? '' : b.toString('latin1', s, c),
        value: b.toString('latin1', this.vStart[i], this.vEnd[i])
      })
    }
    return out
  }

  private isXmlns (start: number, end: number): boolean {
    return this.spells(start, end, 'xmlns')
  }

  /** A namespace declaration the reader takes without a question; false for any other. */
  private declare (prefix: string, uri: string, mark: number): boolean {
    if (++this.declarations * 2 > this.lim.maxNamespaces) return false
    if (prefix === 'xml' || prefix === 'xmlns' || uri === XML_NAMESPACE || uri === XMLNS_NAMESPACE) return false
    if (prefix !== '' && uri === '') return false
    for (let i = mark; i < this.nsPrefix.length; i++) if (this.nsPrefix[i] === prefix) return false
    this.nsPrefix.push(prefix)
    this.nsUri.push(uri)
    return true
  }

  private popNamespaces (mark: number): void {
    // setting an array's length is a runtime call: most elements declare nothing
    if (this.nsPrefix.length === mark) return
    this.nsPrefix.length = mark
    this.nsUri.length = mark
  }

  /** The namespace of the prefix spelled by `b[from, to)` ('' when empty); undefined when unbound. */
  private lookup (from: number, to: number): string | undefined {
    for (let i = this.nsPrefix.length - 1; i >= 0; i--) {
      if (this.spells(from, to, this.nsPrefix[i]!)) return this.nsUri[i]
    }
    return from === to ? '' : undefined
  }

  /** An end tag at `p` naming the open element `b[start, end)`; false when not sure. */
  private endTag (start: number, end: number): boolean {
    const b = this.b
    const n = this.p + 2
    const length = end - start
    for (let i = 0; i < length; i++) if (b[n + i] !== b[start + i]) return false
    let p = n + length
    while (isWs(b[p])) p++
    if (b[p] !== GT) return false
    this.p = p + 1
    return true
  }
}
