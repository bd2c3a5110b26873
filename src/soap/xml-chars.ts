/**
 * Character-level facts of XML 1.0 (fifth edition) used by the reader: byte classes,
 * name validation, character references, encoding sniffing and UTF-8 error location.
 */
import { isUtf8 } from 'node:buffer'

/** Byte classes for the ASCII range of names: 1 = may start a name, 2 = may continue one. */
export const NAME_START = 1
export const NAME_CHAR = 2
export const NAME_CLASS = new Uint8Array(256)
for (let c = 0; c < 256; c++) {
  const letter = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x3a
  const other = (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e
  // Bytes of multi-byte UTF-8 sequences are admitted here and the decoded name is then
  // checked against the Unicode ranges of the specification (rare, so not on the fast path).
  if (letter || c >= 0x80) NAME_CLASS[c] = NAME_START | NAME_CHAR
  else if (other) NAME_CLASS[c] = NAME_CHAR
}

const NAME_START_RANGES = ':A-Z_a-z\\u{C0}-\\u{D6}\\u{D8}-\\u{F6}\\u{F8}-\\u{2FF}\\u{370}-\\u{37D}\\u{37F}-\\u{1FFF}' +
  '\\u{200C}-\\u{200D}\\u{2070}-\\u{218F}\\u{2C00}-\\u{2FEF}\\u{3001}-\\u{D7FF}\\u{F900}-\\u{FDCF}\\u{FDF0}-\\u{FFFD}\\u{10000}-\\u{EFFFF}'
// The class lists code point ranges, combining marks (U+0300-U+036F) among them on purpose.
// eslint-disable-next-line no-misleading-character-class
const NAME_RE = new RegExp(`^[${NAME_START_RANGES}][${NAME_START_RANGES}\\-.0-9\\u{B7}\\u{300}-\\u{36F}\\u{203F}-\\u{2040}]*$`, 'u')

/** Full check of a name holding non-ASCII characters (XML 1.0 fifth edition, production [5]). */
export function isXmlName (name: string): boolean {
  return NAME_RE.test(name)
}

/** XML 1.0 production [2] Char, for a code point. */
export function isXmlChar (cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff)
}

/** True when a byte may not appear literally in a UTF-8 XML document (C0 controls but TAB, LF, CR). */
export function isForbiddenControl (b: number): boolean {
  return b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d
}

/**
 * The encoding a document's first bytes reveal when it is not UTF-8: a UTF-16/32 byte order
 * mark, or the UTF-16/32/EBCDIC patterns of `<?` (XML 1.0 Appendix F). Undefined for UTF-8.
 */
export function sniffForeignEncoding (b: Buffer): string | undefined {
  const b0 = b[0]; const b1 = b[1]; const b2 = b[2]; const b3 = b[3]
  if (b0 === 0x00 && b1 === 0x00 && b2 === 0xfe && b3 === 0xff) return 'UTF-32BE (byte order mark)'
  if (b0 === 0xff && b1 === 0xfe && b2 === 0x00 && b3 === 0x00) return 'UTF-32LE (byte order mark)'
  if (b0 === 0xfe && b1 === 0xff) return 'UTF-16BE (byte order mark)'
  if (b0 === 0xff && b1 === 0xfe) return 'UTF-16LE (byte order mark)'
  if (b0 === 0x00 && b1 === 0x00 && b2 === 0x00 && b3 === 0x3c) return 'UTF-32BE'
  if (b0 === 0x3c && b1 === 0x00 && b2 === 0x00 && b3 === 0x00) return 'UTF-32LE'
  if (b0 === 0x00 && b1 === 0x3c) return 'UTF-16BE'
  if (b0 === 0x3c && b1 === 0x00) return 'UTF-16LE'
  if (b0 === 0x4c && b1 === 0x6f && b2 === 0xa7 && b3 === 0x94) return 'EBCDIC'
  return undefined
}

/**
 * Offset of the first byte that does not start a valid UTF-8 sequence (RFC 3629), or -1.
 * Only called once a document is known to be invalid: whole 64 KiB chunks are skipped with
 * the native check, and only the first failing chunk is walked byte by byte.
 */
export function firstInvalidUtf8 (b: Buffer, from = 0): number {
  const CHUNK = 64 * 1024
  let start = from
  while (start + CHUNK < b.length) {
    // end the chunk on a sequence start, so that a valid character is never cut in two
    let end = start + CHUNK
    while (end > start + CHUNK - 3 && (b[end]! & 0xc0) === 0x80) end--
    // four continuation bytes in a row are invalid anyway: let the scan find where
    if ((b[end]! & 0xc0) === 0x80 || !isUtf8(b.subarray(start, end))) break
    start = end
  }
  return firstInvalidUtf8Scan(b, start)
}

function firstInvalidUtf8Scan (b: Buffer, from: number): number {
  const len = b.length
  let i = from
  while (i < len) {
    const c = b[i]!
    if (c < 0x80) { i++; continue }
    let need: number
    let min: number
    if (c >= 0xc2 && c <= 0xdf) { need = 1; min = 0x80 } else if (c >= 0xe0 && c <= 0xef) { need = 2; min = 0x800 } else if (c >= 0xf0 && c <= 0xf4) { need = 3; min = 0x10000 } else return i
    let cp = c & (0x3f >> need)
    for (let k = 1; k <= need; k++) {
      const n = b[i + k]
      if (n === undefined || (n & 0xc0) !== 0x80) return i
      cp = (cp << 6) | (n & 0x3f)
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i
    i += need + 1
  }
  return -1
}

/** The five entities XML predefines; any other name is undeclared, since DTDs are refused. */
export const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = Object.freeze({
  lt: '<', gt: '>', amp: '&', apos: "'", quot: '"'
})
