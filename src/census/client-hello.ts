/**
 * A pure parser of the first bytes a client sends on the TLS port: it reassembles a ClientHello
 * split across TCP segments (the caller passes everything received so far) and across several TLS
 * handshake records, and tells one of three things: more bytes are needed (and how many at least),
 * here is the ClientHello, or this is not a TLS ClientHello (with a reason of its own).
 *
 * It rejects only what has no ClientHello to report: broken record or handshake framing, vectors
 * that overrun their container, other protocols. Everything OpenSSL may refuse for its own reasons
 * (an unknown version, a long SNI, duplicate extensions) parses here, so that node:tls does the
 * refusing and the census records OpenSSL's reason next to the hello.
 *
 * Bounded: the handshake message may not exceed `maxHelloBytes` nor span more than `maxRecords`
 * records, and both are checked as soon as the headers are in, before the rest is awaited.
 */
import { SSL2, isGrease } from './tls-versions.js'

/** Why the first bytes are not a usable ClientHello. */
export type HelloRejectReason =
  /** an HTTP/1.x request line or the HTTP/2 preface: plain HTTP on the TLS port */
  | 'plain-http'
  /** an SSL 2.0-format hello (also sent, offering TLS 1.0, by very old Java and OpenSSL) */
  | 'sslv2-hello'
  /** a TLS record that is not a handshake (alert, change_cipher_spec, application data, heartbeat) */
  | 'unexpected-record'
  /** a handshake message other than ClientHello */
  | 'not-client-hello'
  /** TLS framing or ClientHello vectors inconsistent with their lengths */
  | 'malformed'
  /** a hello longer than `maxHelloBytes`, spread over more than `maxRecords` records, or a record over 2^14 */
  | 'oversized'
  /** anything else */
  | 'garbage'

/** What a ClientHello offers, as sent (GREASE values kept, in their order). */
export interface ClientHello {
  /** version field of the first record header */
  recordVersion: number
  /** `legacy_version` (`client_version` before TLS 1.3) */
  legacyVersion: number
  /** `supported_versions` (extension 43) as listed, undefined when absent */
  supportedVersions: number[] | undefined
  /** the highest version offered: highest non-GREASE `supported_versions` entry, else `legacyVersion` */
  maxVersion: number
  /** host name of `server_name` (extension 0), undefined when absent; bytes taken as Latin-1, at most 255 */
  sni: string | undefined
  cipherSuites: number[]
  /** extension types in the order sent */
  extensions: number[]
  /** ALPN protocol names in the order sent (bytes taken as Latin-1), undefined when absent */
  alpn: string[] | undefined
  /** `supported_groups` (extension 10, "elliptic curves" in JA3) */
  supportedGroups: number[]
  /** `signature_algorithms` (extension 13) in the order sent */
  signatureAlgorithms: number[]
  /** `ec_point_formats` (extension 11) */
  ecPointFormats: number[]
  /** length of the handshake message body */
  helloLength: number
  /** number of TLS records the hello came in */
  recordCount: number
}

export type HelloParseResult =
  /** `need`: total bytes (from the first) to have before parsing again is worth it */
  | { status: 'incomplete', need: number }
  | { status: 'complete', hello: ClientHello }
  /** `offeredVersion`: the version an SSLv2-format hello offers, when readable */
  | { status: 'rejected', reason: HelloRejectReason, offeredVersion?: number }

export interface HelloLimits {
  /** maximum length of the ClientHello handshake message (default 16384) */
  maxHelloBytes: number
  /** maximum number of TLS records carrying it (default 16) */
  maxRecords: number
}

export const DEFAULT_HELLO_LIMITS: Readonly<HelloLimits> = Object.freeze({ maxHelloBytes: 16384, maxRecords: 16 })

const RECORD_HEADER = 5
const HANDSHAKE_HEADER = 4
/** TLSPlaintext.length may not exceed 2^14 (RFC 8446 §5.1). */
const MAX_RECORD = 16384
const CONTENT_HANDSHAKE = 22
const MAX_HOST_NAME = 255
const CLIENT_HELLO = 1

const EXT_SERVER_NAME = 0
const EXT_SUPPORTED_GROUPS = 10
const EXT_EC_POINT_FORMATS = 11
const EXT_SIGNATURE_ALGORITHMS = 13
const EXT_ALPN = 16
const EXT_SUPPORTED_VERSIONS = 43

/** Request-line prefixes of plain HTTP (with their space) and the HTTP/2 connection preface. */
const HTTP_PREFIXES = ['GET ', 'POST ', 'HEAD ', 'PUT ', 'DELETE ', 'OPTIONS ', 'PATCH ', 'CONNECT ', 'TRACE ', 'PRI * HTTP/2.0']
  .map((p) => Buffer.from(p, 'latin1'))

const INCOMPLETE_1 = Object.freeze({ status: 'incomplete', need: 1 } as const)

function incomplete (need: number): HelloParseResult {
  return { status: 'incomplete', need }
}

function rejected (reason: HelloRejectReason, offeredVersion?: number): HelloParseResult {
  return offeredVersion === undefined ? { status: 'rejected', reason } : { status: 'rejected', reason, offeredVersion }
}

/**
 * Parses the bytes received so far on a new connection. Never throws; never reads past `buf`.
 */
export function parseClientHello (buf: Buffer, limits: HelloLimits = DEFAULT_HELLO_LIMITS): HelloParseResult {
  if (buf.length === 0) return INCOMPLETE_1
  const first = buf[0]!
  if (first === CONTENT_HANDSHAKE) return parseRecords(buf, limits)
  if (first >= 0x80) return sniffSslv2(buf)
  if (first === 20 || first === 21 || first === 23 || first === 24) {
    if (buf.length < 2) return incomplete(2)
    return rejected(buf[1] === 3 ? 'unexpected-record' : 'garbage')
  }
  if (first >= 0x41 && first <= 0x5a) return sniffHttp(buf)
  return rejected('garbage')
}

/** SSL 2.0 record: 2-byte header with the high bit set, then msg_type 1 (CLIENT-HELLO) and a version. */
function sniffSslv2 (buf: Buffer): HelloParseResult {
  if (buf.length < 3) return incomplete(3)
  if (buf[2] !== 1) return rejected('garbage')
  const length = ((buf[0]! & 0x7f) << 8) | buf[1]!
  // msg_type, version(2), three lengths (2 each): anything shorter is not an SSLv2 hello
  if (length < 9) return rejected('garbage')
  if (buf.length < 5) return incomplete(5)
  const version = buf.readUInt16BE(3)
  return rejected('sslv2-hello', version === SSL2 || (version >> 8) === 3 ? version : undefined)
}

function sniffHttp (buf: Buffer): HelloParseResult {
  let prefixOfSome = false
  for (const p of HTTP_PREFIXES) {
    const n = Math.min(p.length, buf.length)
    if (buf.compare(p, 0, n, 0, n) !== 0) continue
    if (n === p.length) return rejected('plain-http')
    prefixOfSome = true
  }
  return prefixOfSome ? incomplete(buf.length + 1) : rejected('garbage')
}

/**
 * Walks the handshake records, checking each header as soon as it is in. The handshake message is
 * assembled only once complete: in place when it sits in one record (the common case), copied
 * otherwise.
 */
function parseRecords (buf: Buffer, limits: HelloLimits): HelloParseResult {
  let offset = 0
  let records = 0
  let collected = 0
  let helloLength = -1
  // The 4-byte handshake header may itself be split across records: gather it here.
  const header = [0, 0, 0, 0]
  let headerBytes = 0

  for (;;) {
    if (buf.length < offset + RECORD_HEADER) return incomplete(offset + RECORD_HEADER)
    if (buf[offset] !== CONTENT_HANDSHAKE) return rejected(records === 0 ? 'garbage' : 'malformed')
    if (buf[offset + 1] !== 3) return rejected(records === 0 ? 'garbage' : 'malformed')
    const length = buf.readUInt16BE(offset + 3)
    if (length === 0) return rejected('malformed')
    if (length > MAX_RECORD) return rejected('oversized')
    records++
    if (records > limits.maxRecords) return rejected('oversized')

    const start = offset + RECORD_HEADER
    const available = Math.min(length, buf.length - start)
    for (let i = 0; headerBytes < HANDSHAKE_HEADER && i < available; i++) header[headerBytes++] = buf[start + i]!
    if (helloLength < 0 && headerBytes === HANDSHAKE_HEADER) {
      if (header[0] !== CLIENT_HELLO) return rejected('not-client-hello')
      helloLength = (header[1]! << 16) | (header[2]! << 8) | header[3]!
      if (helloLength > limits.maxHelloBytes) return rejected('oversized')
    }
    if (available < length) return incomplete(start + length)

    collected += length
    offset = start + length
    if (helloLength >= 0 && collected >= HANDSHAKE_HEADER + helloLength) {
      const message = records === 1
        ? buf.subarray(RECORD_HEADER + HANDSHAKE_HEADER, RECORD_HEADER + HANDSHAKE_HEADER + helloLength)
        : gather(buf, records, helloLength)
      const hello = parseHelloBody(message, buf.readUInt16BE(1), records)
      return hello === undefined ? rejected('malformed') : { status: 'complete', hello }
    }
  }
}

/** Concatenates the fragments of `records` records and returns the handshake body. */
function gather (buf: Buffer, records: number, helloLength: number): Buffer {
  const out = Buffer.allocUnsafe(HANDSHAKE_HEADER + helloLength)
  let written = 0
  let offset = 0
  for (let r = 0; r < records && written < out.length; r++) {
    const length = buf.readUInt16BE(offset + 3)
    const take = Math.min(length, out.length - written)
    buf.copy(out, written, offset + RECORD_HEADER, offset + RECORD_HEADER + take)
    written += take
    offset += RECORD_HEADER + length
  }
  return out.subarray(HANDSHAKE_HEADER)
}

/**
 * A cursor over one vector; every read is bounds-checked and turns the cursor invalid instead of
 * throwing, so that a truncated or lying length ends as `malformed`.
 */
class Reader {
  ok = true
  constructor (readonly buf: Buffer, public pos: number, readonly end: number) {}

  u8 (): number {
    if (this.pos + 1 > this.end) { this.ok = false; return 0 }
    return this.buf[this.pos++]!
  }

  u16 (): number {
    if (this.pos + 2 > this.end) { this.ok = false; return 0 }
    const v = this.buf.readUInt16BE(this.pos)
    this.pos += 2
    return v
  }

  /** A sub-reader over the next `length` bytes (the cursor moves past them). */
  sub (length: number): Reader {
    if (this.pos + length > this.end) { this.ok = false; return new Reader(this.buf, this.end, this.end) }
    const r = new Reader(this.buf, this.pos, this.pos + length)
    this.pos += length
    return r
  }

  skip (length: number): void {
    if (this.pos + length > this.end) { this.ok = false; return }
    this.pos += length
  }

  get remaining (): number { return this.end - this.pos }
}

function u16List (r: Reader, into: number[]): void {
  if (r.remaining % 2 !== 0) { r.ok = false; return }
  while (r.remaining > 0) into.push(r.u16())
}

/** Parses the ClientHello body; undefined when a length is inconsistent. */
function parseHelloBody (body: Buffer, recordVersion: number, recordCount: number): ClientHello | undefined {
  const r = new Reader(body, 0, body.length)
  const legacyVersion = r.u16()
  r.skip(32) // random
  r.skip(r.u8()) // legacy_session_id
  const suites = r.sub(r.u16())
  const cipherSuites: number[] = []
  u16List(suites, cipherSuites)
  r.skip(r.u8()) // legacy_compression_methods
  if (!r.ok || !suites.ok) return undefined

  const hello: ClientHello = {
    recordVersion,
    legacyVersion,
    supportedVersions: undefined,
    maxVersion: legacyVersion,
    sni: undefined,
    cipherSuites,
    extensions: [],
    alpn: undefined,
    supportedGroups: [],
    signatureAlgorithms: [],
    ecPointFormats: [],
    helloLength: body.length,
    recordCount
  }
  // SSL 3.0 and early TLS 1.0 clients may send no extensions block at all.
  if (r.remaining === 0) return hello
  const exts = r.sub(r.u16())
  if (!r.ok || r.remaining !== 0) return undefined
  while (exts.ok && exts.remaining > 0) {
    const type = exts.u16()
    const data = exts.sub(exts.u16())
    if (!exts.ok) return undefined
    hello.extensions.push(type)
    parseExtension(type, data, hello)
  }
  if (!exts.ok) return undefined
  if (hello.supportedVersions !== undefined) {
    let max = -1
    for (const v of hello.supportedVersions) if (!isGrease(v) && v > max) max = v
    if (max >= 0) hello.maxVersion = max
  }
  return hello
}

/**
 * Fills `hello` from one extension. A known extension whose content overruns its own length (the
 * outer framing being sound) leaves its field empty: OpenSSL refuses such a hello with a decode
 * error, and the census records that reason next to everything else the hello offered.
 */
function parseExtension (type: number, data: Reader, hello: ClientHello): void {
  switch (type) {
    case EXT_SERVER_NAME: {
      // An empty server_name extension is what a server echoes; a client sending it names nothing.
      if (data.remaining === 0) return
      const list = data.sub(data.u16())
      let sni: string | undefined
      while (list.ok && list.remaining > 0) {
        const nameType = list.u8()
        const name = list.sub(list.u16())
        // A DNS name has at most 255 bytes (OpenSSL refuses longer ones): keep no more than that.
        if (list.ok && nameType === 0 && sni === undefined) sni = name.buf.toString('latin1', name.pos, Math.min(name.end, name.pos + MAX_HOST_NAME))
      }
      if (list.ok && data.ok) hello.sni = sni
      return
    }
    case EXT_SUPPORTED_GROUPS:
      hello.supportedGroups = u16Vector(data)
      return
    case EXT_EC_POINT_FORMATS: {
      const list = data.sub(data.u8())
      const formats: number[] = []
      while (list.ok && list.remaining > 0) formats.push(list.u8())
      if (list.ok && data.ok) hello.ecPointFormats = formats
      return
    }
    case EXT_SIGNATURE_ALGORITHMS:
      hello.signatureAlgorithms = u16Vector(data)
      return
    case EXT_ALPN: {
      const list = data.sub(data.u16())
      const names: string[] = []
      while (list.ok && list.remaining > 0) {
        const name = list.sub(list.u8())
        if (list.ok) names.push(name.buf.toString('latin1', name.pos, name.end))
      }
      hello.alpn = list.ok && data.ok ? names : []
      return
    }
    case EXT_SUPPORTED_VERSIONS: {
      const list = data.sub(data.u8())
      const versions: number[] = []
      u16List(list, versions)
      hello.supportedVersions = list.ok && data.ok ? versions : []
      return
    }
    default:
  }
}

/** A 2-byte-length-prefixed list of 16-bit values; empty when inconsistent. */
function u16Vector (data: Reader): number[] {
  const list = data.sub(data.u16())
  const values: number[] = []
  u16List(list, values)
  return list.ok && data.ok ? values : []
}
