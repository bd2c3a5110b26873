/**
 * `multipart/related` (RFC 2046, RFC 2387) as used by MTOM/XOP, split on raw bytes.
 *
 * The body is never decoded to a string: delimiters are found with `Buffer.indexOf`, and only
 * part headers are read as text. CRLF is the standard line end; a bare LF is tolerated (some
 * clients build messages by hand), as is transport padding after a boundary.
 */
import { isAscii } from 'node:buffer'
import { codes, soapError, type SoapErrorDetail } from './errors.js'
import type { ContentType, MimePart } from './types.js'

/** Default maximum number of parts of one message. */
export const DEFAULT_MAX_PARTS = 32

/** A header block longer than this is refused (no legitimate part needs more). */
const MAX_HEADER_BLOCK = 16 * 1024

export interface MultipartOptions {
  maxParts?: number
}

export interface Multipart {
  /** every part, in order */
  parts: MimePart[]
  /** the part named by `start`, else the first */
  root: MimePart
  /** every other part, by Content-ID */
  attachments: Map<string, MimePart>
}

const CR = 0x0d; const LF = 0x0a; const DASH = 0x2d

// RFC 2046 bcharsnospace; space is allowed inside a boundary but not at its end
const BCHARS = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/

/** True for a boundary RFC 2046 allows (1 to 70 characters of its alphabet, no final space). */
export function isValidBoundary (boundary: string): boolean {
  return BCHARS.test(boundary)
}

/** The boundary of a multipart content type, checked against RFC 2046's grammar. */
export function multipartBoundary (ct: ContentType): string {
  const boundary = ct.params.boundary
  if (boundary === undefined) throw soapError(codes.GW_SOAP_MIME_INVALID_BOUNDARY, { part: 'multipart' }, 'missing')
  if (!BCHARS.test(boundary)) throw soapError(codes.GW_SOAP_MIME_INVALID_BOUNDARY, { part: 'multipart' }, 'not 1 to 70 characters of the RFC 2046 boundary alphabet')
  return boundary
}

/** Strips the angle brackets of a Content-ID (or of a `start` parameter written with them). */
export function stripAngleBrackets (value: string): string {
  const v = value.trim()
  return v.length >= 2 && v.startsWith('<') && v.endsWith('>') ? v.slice(1, -1).trim() : v
}

/**
 * Splits a multipart/related body into its parts and decodes each part's transfer encoding.
 * @throws GW_SOAP_MIME_… errors.
 */
export function parseMultipart (body: Buffer, ct: ContentType, options: MultipartOptions = {}): Multipart {
  const maxParts = options.maxParts ?? DEFAULT_MAX_PARTS
  const boundary = multipartBoundary(ct)
  const dash = Buffer.from(`--${boundary}`, 'latin1')

  const first = findDelimiter(body, dash, 0)
  if (first === undefined) throw soapError(codes.GW_SOAP_MIME_BOUNDARY_NOT_FOUND, { part: 'multipart' })
  if (first.close) throw soapError(codes.GW_SOAP_MIME_ROOT_NOT_FOUND, { part: 'multipart' }, 'the multipart body has no part')
  if (first.next < 0) throw soapError(codes.GW_SOAP_MIME_TRUNCATED, { part: 'multipart' })
  // A preamble is legal MIME, but some parsers (JAX-WS stacks among them) find the boundary
  // anywhere, mid-line included: a part hidden in the preamble would be their root part.
  if (!isBlank(body, 0, first.at)) throw soapError(codes.GW_SOAP_MIME_AMBIGUOUS, { part: 'multipart', offset: 0 }, 'text before the first delimiter')
  const delimiters = new Set([first.at])

  const parts: MimePart[] = []
  const byId = new Map<string, MimePart>()
  let pos = first.next
  for (;;) {
    if (parts.length >= maxParts) throw soapError(codes.GW_SOAP_MIME_TOO_MANY_PARTS, { part: 'multipart' }, maxParts)
    const label = `#${parts.length + 1}`
    const { headers, bodyStart } = readHeaders(body, pos, label)
    const next = findDelimiter(body, dash, bodyStart)
    if (next === undefined) throw soapError(codes.GW_SOAP_MIME_TRUNCATED, { part: label })
    delimiters.add(next.at)
    let bodyEnd = next.at - 1 // the LF before the delimiter belongs to it
    if (bodyEnd > bodyStart && body[bodyEnd - 1] === CR) bodyEnd--
    if (bodyEnd < bodyStart) bodyEnd = bodyStart

    const contentId = stripAngleBrackets(headers['content-id'] ?? '')
    const part: MimePart = {
      headers,
      contentId,
      contentType: headers['content-type'] ?? '',
      transferEncoding: (headers['content-transfer-encoding'] ?? '7bit').trim().toLowerCase(),
      body: Buffer.alloc(0)
    }
    // A part that declares no encoding is 7bit by RFC 2045's default, but clients that omit the
    // header send UTF-8 and binary as they are: only a 7bit the client declared is held to it.
    const declared = headers['content-transfer-encoding'] === undefined ? '8bit' : part.transferEncoding
    part.body = decodeTransferEncoding(body.subarray(bodyStart, bodyEnd), declared, { part: contentId === '' ? label : contentId })
    if (contentId !== '') {
      if (byId.has(contentId)) throw soapError(codes.GW_SOAP_MIME_DUPLICATE_CONTENT_ID, { part: contentId })
      byId.set(contentId, part)
    }
    parts.push(part)
    if (next.close) break
    if (next.next < 0) throw soapError(codes.GW_SOAP_MIME_TRUNCATED, { part: label })
    pos = next.next
  }

  // Nothing but blank lines after the close delimiter (the epilogue), and the boundary nowhere
  // but on the delimiter lines: a parser that splits on the boundary wherever it occurs must see
  // the same parts as this one.
  const closeEnd = [...delimiters].reduce((a, b) => Math.max(a, b)) + dash.length + 2
  if (!isBlank(body, closeEnd, body.length)) throw soapError(codes.GW_SOAP_MIME_AMBIGUOUS, { part: 'multipart', offset: closeEnd }, 'text after the close delimiter')
  for (let i = body.indexOf(dash); i >= 0; i = body.indexOf(dash, i + 1)) {
    if (!delimiters.has(i)) throw soapError(codes.GW_SOAP_MIME_AMBIGUOUS, { part: 'multipart', offset: i }, 'the boundary occurs inside a part')
  }

  let root = parts[0]!
  const start = ct.params.start
  if (start !== undefined) {
    // RFC 2387 writes start with angle brackets; some senders (the SNE's own reference
    // client among them) leave them out: both name the same Content-ID.
    const found = byId.get(stripAngleBrackets(start))
    if (found === undefined) throw soapError(codes.GW_SOAP_MIME_ROOT_NOT_FOUND, { part: 'multipart' }, 'no part has the Content-ID named by the start parameter')
    root = found
  }
  const attachments = new Map<string, MimePart>()
  for (const part of parts) {
    if (part !== root) attachments.set(part.contentId, part)
  }
  // two attachments without Content-ID would collide on '': keep the count honest
  if (attachments.size !== parts.length - 1) {
    throw soapError(codes.GW_SOAP_MIME_DUPLICATE_CONTENT_ID, { part: 'multipart' })
  }
  return { parts, root, attachments }
}

interface Delimiter {
  /** offset of the `--boundary` */
  at: number
  close: boolean
  /** offset of the next part's headers (open delimiter), -1 when the body ends right there */
  next: number
}

/**
 * Finds the next delimiter line at or after `from`: `--boundary` at the start of the body or
 * of a line, followed by `--` (close delimiter) or by optional transport padding and a line end.
 * Searching a part body from its first byte lets the LF that ends the header block serve as
 * the delimiter's own line end (a part without body, RFC 2046 §5.1.1).
 */
/** True when `body[from, to)` holds only spaces, tabs, CR and LF. */
function isBlank (body: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = body[i]
    if (c !== 0x20 && c !== 0x09 && c !== CR && c !== LF) return false
  }
  return true
}

function findDelimiter (body: Buffer, dash: Buffer, from: number): Delimiter | undefined {
  let i = body.indexOf(dash, from)
  while (i >= 0) {
    if (i === 0 || body[i - 1] === LF) {
      let p = i + dash.length
      if (body[p] === DASH && body[p + 1] === DASH) return { at: i, close: true, next: -1 }
      while (body[p] === 0x20 || body[p] === 0x09) p++
      if (p >= body.length) return { at: i, close: false, next: -1 }
      if (body[p] === CR && body[p + 1] === LF) return { at: i, close: false, next: p + 2 }
      if (body[p] === LF) return { at: i, close: false, next: p + 1 }
    }
    i = body.indexOf(dash, i + 1)
  }
  return undefined
}

/** RFC 9110 tchar: the bytes of a header name */
export const TCHAR = new Uint8Array(256)
for (const ch of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") TCHAR[ch.charCodeAt(0)] = 1
/** headers whose repetition would make the part ambiguous */
const SINGLE_HEADERS = new Set(['content-type', 'content-id', 'content-transfer-encoding'])
/** the names every MTOM part carries, recognised on the bytes (no string made and lower-cased) */
const KNOWN_HEADERS = [...SINGLE_HEADERS].map((name) => ({ name, bytes: Buffer.from(name, 'latin1') }))

/** The header name `body[from, to)` (tchar bytes), lower-cased. */
function headerName (body: Buffer, from: number, to: number): string {
  for (const known of KNOWN_HEADERS) {
    const k = known.bytes
    if (k.length !== to - from) continue
    // a tchar byte ORed with 0x20 is a lower-case letter or '-' only when it was that letter, in either case, or '-'
    let i = 0
    while (i < k.length && (body[from + i]! | 0x20) === k[i]) i++
    if (i === k.length) return known.name
  }
  return body.toString('latin1', from, to).toLowerCase()
}

/**
 * Reads a part's header block on its bytes: each line's control characters and its name are
 * checked byte by byte, and only the value is made a string.
 */
function readHeaders (body: Buffer, pos: number, label: string): { headers: Record<string, string>, bodyStart: number } {
  const headers: Record<string, string> = Object.create(null) as Record<string, string>
  let last: string | undefined
  let p = pos
  for (;;) {
    const eol = body.indexOf(LF, p)
    if (eol < 0 || eol - pos > MAX_HEADER_BLOCK) {
      if (eol < 0 && body.length - pos <= MAX_HEADER_BLOCK) throw soapError(codes.GW_SOAP_MIME_TRUNCATED, { part: label })
      throw soapError(codes.GW_SOAP_MIME_INVALID_HEADERS, { part: label }, `header block longer than ${MAX_HEADER_BLOCK} bytes`)
    }
    const end = eol > p && body[eol - 1] === CR ? eol - 1 : eol
    // A bare CR or another control character: parsers disagree on where such a header ends
    // (some break the line there), so two readers of the message would see two messages.
    let colon = -1
    for (let i = p; i < end; i++) {
      const c = body[i]!
      if ((c < 0x20 && c !== 0x09) || c === 0x7f) throw soapError(codes.GW_SOAP_MIME_INVALID_HEADERS, { part: label }, 'a control character (a bare CR among them) in a header line')
      if (c === 0x3a && colon < 0) colon = i
    }
    const lineStart = p
    p = eol + 1
    if (end === lineStart) return { headers, bodyStart: p }
    const c = body[lineStart]
    if (c === 0x20 || c === 0x09) {
      // obsolete line folding (RFC 5322 §3.2.2): the continuation joins the previous header
      if (last === undefined) throw soapError(codes.GW_SOAP_MIME_INVALID_HEADERS, { part: label }, 'continuation line without a header')
      headers[last] += ' ' + body.toString('latin1', lineStart, end).trim()
      continue
    }
    let valid = colon > lineStart
    for (let i = lineStart; valid && i < colon; i++) valid = TCHAR[body[i]!] === 1
    if (!valid) throw soapError(codes.GW_SOAP_MIME_INVALID_HEADERS, { part: label }, 'a header line without a valid name and ":"')
    const name = headerName(body, lineStart, colon)
    const value = body.toString('latin1', colon + 1, end).trim()
    if (name in headers) {
      if (SINGLE_HEADERS.has(name)) throw soapError(codes.GW_SOAP_MIME_INVALID_HEADERS, { part: label }, `${name} given twice`)
      headers[name] += ', ' + value
    } else headers[name] = value
    last = name
  }
}

/**
 * Decodes a part body from its Content-Transfer-Encoding (already lower-cased):
 * 7bit, 8bit and binary as is; base64 strictly; quoted-printable.
 */
export function decodeTransferEncoding (raw: Buffer, encoding: string, detail: SoapErrorDetail): Buffer {
  switch (encoding) {
    case '7bit':
      // 7bit promises US-ASCII without NUL (RFC 2045 §2.7): a part that breaks the promise is
      // read differently by parsers that trust it and by those that do not. Checked natively;
      // walked byte by byte only to say where it breaks.
      if (isAscii(raw) && raw.indexOf(0) < 0) return raw
      for (let i = 0; i < raw.length; i++) {
        const c = raw[i]!
        if (c === 0 || c > 0x7f) throw soapError(codes.GW_SOAP_MIME_INVALID_7BIT, { ...detail, offset: i }, `byte 0x${c.toString(16).padStart(2, '0')}`)
      }
      return raw
    case '8bit':
    case 'binary':
      return raw
    case 'base64':
      return decodeBase64Strict(raw, detail)
    case 'quoted-printable':
      return decodeQuotedPrintable(raw, detail)
    default:
      throw soapError(codes.GW_SOAP_MIME_UNSUPPORTED_TRANSFER_ENCODING, detail, JSON.stringify(encoding.slice(0, 40)))
  }
}

/** Each byte's value in RFC 4648's standard alphabet, -1 outside it. */
const B64 = new Int8Array(256).fill(-1)
for (const [i, ch] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].entries()) B64[ch.charCodeAt(0)] = i

/**
 * Base64 of RFC 4648's standard alphabet with line breaks: any other character, padding in the
 * middle or a length that is not a multiple of four is refused (Node's own decoder would skip
 * them silently, so a corrupted attachment would pass unnoticed).
 *
 * One pass over the bytes, checking and decoding at once into the output buffer: no Latin-1 string
 * of the body for Node's decoder to read again. The output is Node's: the unused bits of a final
 * character are dropped, as Node does.
 */
export function decodeBase64Strict (raw: Buffer, detail: SoapErrorDetail): Buffer {
  const len = raw.length
  const out = Buffer.allocUnsafe((len >>> 2) * 3 + 3)
  let o = 0
  // the sextets of the current group of four, and how many
  let acc = 0
  let k = 0
  let pad = 0
  for (let i = 0; i < len; i++) {
    // the common case first: four characters of the alphabet at a group's start, decoded at once
    if (k === 0 && pad === 0 && i + 3 < len) {
      const v0 = B64[raw[i]!]!; const v1 = B64[raw[i + 1]!]!; const v2 = B64[raw[i + 2]!]!; const v3 = B64[raw[i + 3]!]!
      if ((v0 | v1 | v2 | v3) >= 0) {
        const g = (v0 << 18) | (v1 << 12) | (v2 << 6) | v3
        out[o] = g >>> 16
        out[o + 1] = (g >>> 8) & 0xff
        out[o + 2] = g & 0xff
        o += 3
        i += 3
        continue
      }
    }
    const c = raw[i]!
    const v = B64[c]!
    if (v >= 0 && pad === 0) {
      acc = (acc << 6) | v
      if (++k === 4) {
        out[o] = acc >>> 16
        out[o + 1] = (acc >>> 8) & 0xff
        out[o + 2] = acc & 0xff
        o += 3
        k = 0
        acc = 0
      }
    } else if (c === CR || c === LF) continue
    else if (pad > 0) {
      if (c !== 0x3d || ++pad > 2) throw soapError(codes.GW_SOAP_MIME_INVALID_BASE64, { ...detail, offset: i }, 'data after the padding')
    } else if (c === 0x3d /* = */) pad = 1
    else throw soapError(codes.GW_SOAP_MIME_INVALID_BASE64, { ...detail, offset: i }, `byte 0x${c.toString(16).padStart(2, '0')} outside the base64 alphabet`)
  }
  // with at most two '=' this also rules out padding where no bits are missing
  if ((k + pad) % 4 !== 0) throw soapError(codes.GW_SOAP_MIME_INVALID_BASE64, detail, 'length not a multiple of 4')
  if (k === 2) out[o++] = acc >>> 4
  else if (k === 3) {
    out[o] = acc >>> 10
    out[o + 1] = (acc >>> 2) & 0xff
    o += 2
  }
  return out.subarray(0, o)
}

function hexValue (c: number | undefined): number {
  if (c === undefined) return -1
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  if (c >= 0x41 && c <= 0x46) return c - 0x37
  if (c >= 0x61 && c <= 0x66) return c - 0x57
  return -1
}

/** Quoted-printable (RFC 2045 §6.7): `=XX` escapes, soft line breaks, trailing blanks dropped. */
export function decodeQuotedPrintable (raw: Buffer, detail: SoapErrorDetail): Buffer {
  const out = Buffer.allocUnsafe(raw.length)
  let o = 0
  const len = raw.length
  for (let i = 0; i < len; i++) {
    const c = raw[i]!
    if (c === 0x3d /* = */) {
      let j = i + 1
      while (raw[j] === 0x20 || raw[j] === 0x09) j++
      if (raw[j] === CR && raw[j + 1] === LF) { i = j + 1; continue }
      if (raw[j] === LF) { i = j; continue }
      if (j >= len) { i = j; continue } // soft break at the very end
      const h = hexValue(raw[i + 1]); const l = hexValue(raw[i + 2])
      if (h < 0 || l < 0) throw soapError(codes.GW_SOAP_MIME_INVALID_QUOTED_PRINTABLE, { ...detail, offset: i }, '"=" not followed by two hexadecimal digits or a line break')
      out[o++] = (h << 4) | l
      i += 2
    } else if (c === 0x20 || c === 0x09) {
      // blanks at the end of a line were added in transport and are not part of the data
      let j = i
      while (raw[j] === 0x20 || raw[j] === 0x09) j++
      if (j >= len || raw[j] === LF || (raw[j] === CR && raw[j + 1] === LF)) { i = j - 1; continue }
      out[o++] = c
    } else out[o++] = c
  }
  return out.subarray(0, o)
}
