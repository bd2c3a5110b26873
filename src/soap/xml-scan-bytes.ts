/**
 * The byte level of the XML scanner (`xml-scan.ts`): the classes of bytes in names, text and
 * attribute values, the strings it keeps by their bytes, and the few constructs it matches whole
 * (the XML declaration, a reference). Each accepts a subset of what the reader (`xml-lexer.ts`)
 * accepts, and answers "not sure" (-1, false) for the rest.
 */
import { isAscii } from 'node:buffer'
import { isXmlChar } from './xml-chars.js'

export const LT = 0x3c; export const GT = 0x3e; export const SLASH = 0x2f; export const EQ = 0x3d; export const QMARK = 0x3f
export const DQUOTE = 0x22; export const SQUOTE = 0x27; export const COLON = 0x3a; export const RBRACKET = 0x5d; export const CR = 0x0d

/** Bytes of an ASCII name: 1 may start one (letters, `_`), 2 may continue one (and digits, `-`, `.`, `:`). */
export const NAME = new Uint8Array(256)
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c)
  if (/[A-Za-z_]/.test(ch)) NAME[c] = 3
  else if (/[0-9.:-]/.test(ch)) NAME[c] = 2
}

/** Bytes of text: what the scanner does at each. */
export const T_PLAIN = 0; export const T_WS = 1; export const T_CR = 2; export const T_LT = 3; export const T_REFUSE = 4; export const T_BRACKET = 5; export const T_HIGH = 6; export const T_EF = 7; export const T_AMP = 8
export const TEXT = new Uint8Array(256)
for (let c = 0; c < 0x20; c++) TEXT[c] = T_REFUSE
TEXT[0x09] = T_WS; TEXT[0x0a] = T_WS; TEXT[0x20] = T_WS; TEXT[CR] = T_CR
TEXT[LT] = T_LT
TEXT[0x26] = T_AMP
TEXT[RBRACKET] = T_BRACKET
for (let c = 0x80; c < 0x100; c++) TEXT[c] = T_HIGH
TEXT[0xef] = T_EF

/**
 * Bytes of an attribute value: 1 printable ASCII but `<` and `&`, taken as they are; 2 TAB, LF
 * and CR, which the reader normalizes (a value holding one is not given: see `startTag`).
 */
export const VALUE = new Uint8Array(256)
for (let c = 0x20; c < 0x7f; c++) VALUE[c] = 1
VALUE[LT] = 0; VALUE[0x26] = 0
VALUE[0x09] = 2; VALUE[0x0a] = 2; VALUE[CR] = 2

export function isWs (c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === CR
}

/** Slots of a `ScanNames` table (a power of two): one string each. */
const SLOTS = 512
/** Longer strings are made each time and not kept: what a client can pin in memory stays small. */
const MAX_KEPT_LENGTH = 128

/**
 * The ASCII strings scans make (names, prefixes, namespace URIs, part header values), kept by their
 * bytes: a client sends the same few names in every message, and comparing a few bytes costs less
 * than making a string of them each time. A direct-mapped table shared by every scan: a string's
 * slot comes from its length and three of its bytes, a lookup compares the bytes with at most the
 * one string in that slot, and a miss puts the new string there. So a lookup costs at most one
 * comparison whatever a client sends (strings crafted to share a slot only evict each other), and
 * values that change with every message (attachment Content-IDs) take a slot for a while, never the
 * table: the names that come back keep finding their slot. At most SLOTS strings of at most
 * MAX_KEPT_LENGTH bytes are kept.
 */
export class ScanNames {
  private readonly slots: string[] = new Array<string>(SLOTS).fill('')
  /** lookups that found their string, and strings compared byte by byte (for tests) */
  readonly stats = { hits: 0, compared: 0 }

  /** The string of the ASCII bytes `b[from, to)`. */
  of (b: Buffer, from: number, to: number): string {
    const n = to - from
    if (n === 0) return ''
    if (n > MAX_KEPT_LENGTH) return b.toString('latin1', from, to)
    const slot = (Math.imul(n, 0x9e3779b1) ^ Math.imul(b[from]!, 0x85ebca6b) ^ Math.imul(b[to - 1]!, 0xc2b2ae35) ^ Math.imul(b[from + (n >> 1)]!, 0x27d4eb2f)) >>> 23
    const known = this.slots[slot]!
    if (known.length === n) {
      this.stats.compared++
      let k = 0
      while (k < n && known.charCodeAt(k) === b[from + k]) k++
      if (k === n) {
        this.stats.hits++
        return known
      }
    }
    const made = b.toString('latin1', from, to)
    this.slots[slot] = made
    return made
  }
}

/** `b[from, to)` spells the ASCII `s`; `fold`: in either case (`s` in lower case, letters only differ by 0x20). */
export function spellsAt (b: Buffer, from: number, to: number, s: string, fold = false): boolean {
  if (to - from !== s.length) return false
  for (let i = 0; i < s.length; i++) {
    const c = b[from + i]!
    if (c !== s.charCodeAt(i) && !(fold && (c | 0x20) === s.charCodeAt(i) && c >= 0x41 && c <= 0x5a)) return false
  }
  return true
}

/**
 * `<?xml version="1.0"[ encoding="UTF-8"][ standalone="yes|no"]?>` at `start`, single spaces,
 * either quote, the encoding's name in either case, US-ASCII (or ASCII) for a document of ASCII
 * bytes only: its end, or -1.
 */
export function xmlDeclaration (b: Buffer, start: number): number {
  let p = start + 5
  let rank = 0
  for (;;) {
    if (b[p] === QMARK && b[p + 1] === GT) return rank === 0 ? -1 : p + 2
    if (b[p] !== 0x20) return -1
    p++
    if (b[p] === QMARK) continue
    const name = p
    while (NAME[b[p] ?? 0]! !== 0 && b[p] !== COLON) p++
    const key = p
    if (b[p] !== EQ) return -1
    const q = b[p + 1]
    if (q !== DQUOTE && q !== SQUOTE) return -1
    const end = b.indexOf(q, p + 2)
    if (end < 0 || end - p > 66) return -1
    const value = p + 2
    if (rank === 0 && spellsAt(b, name, key, 'version') && spellsAt(b, value, end, '1.0')) rank = 1
    else if (rank === 1 && spellsAt(b, name, key, 'encoding') && spellsAt(b, value, end, 'utf-8', true)) rank = 2
    else if (rank === 1 && spellsAt(b, name, key, 'encoding') && (spellsAt(b, value, end, 'us-ascii', true) || spellsAt(b, value, end, 'ascii', true)) && isAscii(b)) rank = 2
    else if (rank >= 1 && rank <= 2 && spellsAt(b, name, key, 'standalone') && (spellsAt(b, value, end, 'yes') || spellsAt(b, value, end, 'no'))) rank = 3
    else return -1
    p = end + 1
  }
}

const ENTITIES = ['lt;', 'gt;', 'amp;', 'apos;', 'quot;'].map((e) => Buffer.from(e, 'latin1'))

/**
 * A reference at `p` ('&') the reader decodes without a question: one of the five predefined
 * entities, or a character reference of at most 7 digits (`&#…;`, `&#x…;`, lower-case x as XML
 * has it) naming an XML character. Its end, or -1 (not sure: the reader decides).
 */
export function reference (b: Buffer, p: number): number {
  if (b[p + 1] === 0x23 /* # */) {
    const hex = b[p + 2] === 0x78 /* x */
    const digits = p + (hex ? 3 : 2)
    let q = digits
    let cp = 0
    while (q - digits < 7) {
      const c = b[q] ?? 0
      let d = -1
      if (c >= 0x30 && c <= 0x39) d = c - 0x30
      else if (hex && c >= 0x61 && c <= 0x66) d = c - 0x57
      else if (hex && c >= 0x41 && c <= 0x46) d = c - 0x37
      if (d < 0) break
      cp = cp * (hex ? 16 : 10) + d
      q++
    }
    return q > digits && b[q] === 0x3b /* ; */ && isXmlChar(cp) ? q + 1 : -1
  }
  for (const entity of ENTITIES) {
    if (b.compare(entity, 0, entity.length, p + 1, p + 1 + entity.length) === 0) return p + 1 + entity.length
  }
  return -1
}
