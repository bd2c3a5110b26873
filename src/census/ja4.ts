/**
 * JA4 (FoxIO, BSD-3-Clause spec: technical_details/JA4.md of FoxIO-LLC/ja4), for TLS over TCP:
 *
 *   t13d1516h2_8daaf6152771_e5627efa2ab1
 *   │ │ ││ │ │ │            └ c: sha256 of the sorted extensions (SNI and ALPN left out), "_",
 *   │ │ ││ │ │ │                 the signature algorithms in their order; first 12 hex digits
 *   │ │ ││ │ │ └ b: sha256 of the sorted cipher suites, first 12 hex digits
 *   │ │ ││ │ └ first and last character of the first ALPN value ("00" without)
 *   │ │ ││ └ number of extensions (two digits, at most 99)
 *   │ │ │└ number of cipher suites (two digits, at most 99)
 *   │ │ └ "d" with an SNI, "i" without
 *   │ └ highest version offered (supported_versions, else legacy_version)
 *   └ "t": TLS over TCP
 *
 * GREASE values are ignored everywhere; hex values are 4 lower-case digits, comma-separated.
 */
import { hash } from 'node:crypto'
import type { ClientHello } from './client-hello.js'
import { isGrease } from './tls-versions.js'

const EMPTY_HASH = '000000000000'
const EXT_SERVER_NAME = 0x0000
const EXT_ALPN = 0x0010

function versionCode (version: number): string {
  switch (version) {
    case 0x0304: return '13'
    case 0x0303: return '12'
    case 0x0302: return '11'
    case 0x0301: return '10'
    case 0x0300: return 's3'
    case 0x0002: return 's2'
    case 0xfeff: return 'd1'
    case 0xfefd: return 'd2'
    case 0xfefc: return 'd3'
    default: return '00'
  }
}

function count (n: number): string {
  return n > 99 ? '99' : n < 10 ? `0${n}` : String(n)
}

/** Two lower-case hex digits per byte value: 4-digit values are built without number formatting. */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

function hex4 (v: number): string {
  return HEX[v >> 8]! + HEX[v & 0xff]!
}

function isAlnum (c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)
}

/** First and last characters of the first ALPN value; its hex form's when either is not alphanumeric. */
function alpnCode (alpn: readonly string[] | undefined): string {
  const first = alpn?.[0]
  if (first === undefined || first.length === 0) return '00'
  const a = first.charCodeAt(0)
  const z = first.charCodeAt(first.length - 1)
  if (isAlnum(a) && isAlnum(z)) return first[0]! + first[first.length - 1]!
  const hex = Buffer.from(first, 'latin1').toString('hex')
  return hex[0]! + hex[hex.length - 1]!
}

function truncatedSha256 (text: string): string {
  // crypto.hash: one call, no Hash object (Node 20.12+); these inputs are ASCII.
  return hash('sha256', text, 'hex').slice(0, 12)
}

/** The values that are not GREASE nor skipped, sorted, as comma-separated 4-digit hex. */
function sortedHexList (values: readonly number[], skipSniAlpn: boolean): string {
  const kept = new Uint16Array(values.length)
  let n = 0
  for (const v of values) {
    if (isGrease(v) || (skipSniAlpn && (v === EXT_SERVER_NAME || v === EXT_ALPN))) continue
    kept[n++] = v
  }
  const sorted = kept.subarray(0, n).sort()
  let out = ''
  for (let i = 0; i < n; i++) out += i === 0 ? hex4(sorted[i]!) : `,${hex4(sorted[i]!)}`
  return out
}

/** The three parts of JA4 and their raw (unhashed) forms. */
export interface Ja4 {
  /** the fingerprint, `a_b_c` */
  fingerprint: string
  /** `JA4_r`: the same with the sorted lists in clear instead of their hashes */
  raw: string
}

/** JA4 of a ClientHello received over TCP. */
export function ja4 (hello: ClientHello): Ja4 {
  let ciphers = 0
  for (const c of hello.cipherSuites) if (!isGrease(c)) ciphers++
  let extensions = 0
  for (const e of hello.extensions) if (!isGrease(e)) extensions++

  // JA4's version is the highest non-GREASE supported_versions entry, else legacy_version:
  // exactly the parser's maxVersion.
  const a = `t${versionCode(hello.maxVersion)}${hello.sni === undefined ? 'i' : 'd'}${count(ciphers)}${count(extensions)}${alpnCode(hello.alpn)}`

  const cipherList = sortedHexList(hello.cipherSuites, false)
  const extensionList = sortedHexList(hello.extensions, true)
  let sigAlgs = ''
  for (const s of hello.signatureAlgorithms) if (!isGrease(s)) sigAlgs += sigAlgs === '' ? hex4(s) : `,${hex4(s)}`
  const cText = sigAlgs === '' ? extensionList : `${extensionList}_${sigAlgs}`

  const b = cipherList === '' ? EMPTY_HASH : truncatedSha256(cipherList)
  const c = extensionList === '' ? EMPTY_HASH : truncatedSha256(cText)
  return { fingerprint: `${a}_${b}_${c}`, raw: `${a}_${cipherList}_${cText}` }
}
