/**
 * A parser of the PROXY protocol header, versions 1 and 2 (HAProxy's
 * `doc/proxy-protocol.txt`): a TCP load balancer that keeps no client address writes one header at
 * the start of each connection, naming the client it relays. Pure: bytes in, a result out; the
 * listener reads the socket. It takes the bytes received so far and answers *incomplete*,
 * *complete* (the header's length and, when the header names one, the client's address and port)
 * or *invalid* with a reason. Only a connection from a trusted balancer is parsed at all.
 *
 * - v1: `PROXY TCP4|TCP6 <src> <dst> <sport> <dport>\r\n` or `PROXY UNKNOWN…\r\n`, at most 107
 *   bytes with the CRLF (spec 2.1); addresses must be of the announced family.
 * - v2: the 12-byte signature, version 2, command LOCAL (the balancer's own connection, health
 *   checks) or PROXY; families INET and INET6 over STREAM give the client's address, UNSPEC and
 *   UNIX keep the balancer's (spec 2.2). TLVs after the addresses are skipped, never read; the
 *   whole block is bounded (`maxV2Length`).
 */
import { SocketAddress, isIPv4, isIPv6 } from 'node:net'

export const V1_MAX_LENGTH = 107
/** `\r\n\r\n\0\r\nQUIT\n` */
export const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a])
const V2_HEADER = 16
/**
 * Largest v2 address block and TLVs accepted: the addresses take at most 216 bytes (UNIX), and
 * balancers add a few TLVs (AWS and Azure endpoint ids, HAProxy's SSL facts); 64 KiB is allowed
 * by the format, but nothing legitimate needs it before TLS.
 */
export const DEFAULT_V2_MAX_LENGTH = 4096
const V1_PREFIX = Buffer.from('PROXY ', 'latin1')

export type ProxyHeaderResult =
  | { status: 'incomplete' }
  | { status: 'invalid', reason: 'malformed' | 'oversized' }
  | {
    status: 'complete'
    version: 1 | 2
    /** bytes the header takes; what follows is the client's first bytes */
    length: number
    /** the client's address and port; undefined for LOCAL/UNKNOWN/UNSPEC: keep the balancer's */
    source: { address: string, port: number } | undefined
  }

const INCOMPLETE = { status: 'incomplete' } as const
const MALFORMED = { status: 'invalid', reason: 'malformed' } as const
const OVERSIZED = { status: 'invalid', reason: 'oversized' } as const

/** Whether the first `n` bytes of `bytes` equal those of `prefix`. */
function startsLike (bytes: Buffer, prefix: Buffer): boolean {
  const n = Math.min(bytes.length, prefix.length)
  return bytes.subarray(0, n).equals(prefix.subarray(0, n))
}

/** Parses the PROXY header at the start of `bytes` (what has been received so far). */
export function parseProxyHeader (bytes: Buffer, maxV2Length = DEFAULT_V2_MAX_LENGTH): ProxyHeaderResult {
  if (bytes.length === 0) return INCOMPLETE
  if (startsLike(bytes, V2_SIGNATURE)) return bytes.length < V2_SIGNATURE.length ? INCOMPLETE : parseV2(bytes, maxV2Length)
  if (startsLike(bytes, V1_PREFIX)) return parseV1(bytes)
  return MALFORMED
}

const PORT = /^(0|[1-9][0-9]{0,4})$/

function parseV1 (bytes: Buffer): ProxyHeaderResult {
  const lf = bytes.subarray(0, V1_MAX_LENGTH).indexOf(0x0a)
  if (lf === -1) return bytes.length >= V1_MAX_LENGTH ? OVERSIZED : INCOMPLETE
  if (lf === 0 || bytes[lf - 1] !== 0x0d) return MALFORMED
  const line = bytes.toString('latin1', 0, lf - 1)
  const length = lf + 1
  const parts = line.split(' ')
  if (parts[1] === 'UNKNOWN') return { status: 'complete', version: 1, length, source: undefined }
  if (parts.length !== 6) return MALFORMED
  const [, family, src, dst, sport, dport] = parts as [string, string, string, string, string, string]
  const isFamily = family === 'TCP4' ? isIPv4 : family === 'TCP6' ? isIPv6 : undefined
  if (isFamily === undefined || !isFamily(src) || !isFamily(dst)) return MALFORMED
  if (!PORT.test(sport) || !PORT.test(dport) || Number(sport) > 65535 || Number(dport) > 65535) return MALFORMED
  return { status: 'complete', version: 1, length, source: { address: family === 'TCP6' ? canonicalIPv6(src) : src, port: Number(sport) } }
}

/** An IPv6 address in its canonical text (compressed, lower case), as node:net writes a peer's. */
function canonicalIPv6 (text: string): string {
  return new SocketAddress({ address: text, family: 'ipv6' }).address
}

function ipv6 (bytes: Buffer, at: number): string {
  const groups: string[] = []
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(at + i).toString(16))
  return canonicalIPv6(groups.join(':'))
}

function parseV2 (bytes: Buffer, maxV2Length: number): ProxyHeaderResult {
  if (bytes.length < V2_HEADER) return INCOMPLETE
  const versionCommand = bytes[12]!
  const familyTransport = bytes[13]!
  const blockLength = bytes.readUInt16BE(14)
  if (versionCommand >> 4 !== 2) return MALFORMED
  const command = versionCommand & 0x0f
  if (command > 1) return MALFORMED
  if (blockLength > maxV2Length) return OVERSIZED
  const length = V2_HEADER + blockLength
  if (bytes.length < length) return INCOMPLETE
  const family = familyTransport >> 4
  const transport = familyTransport & 0x0f
  if (family > 3 || transport > 2) return MALFORMED
  // LOCAL: the balancer speaking for itself (health checks); the block is to be ignored.
  if (command === 0) return { status: 'complete', version: 2, length, source: undefined }
  // A datagram client cannot be behind a TCP connection.
  if (transport === 2) return MALFORMED
  const at = V2_HEADER
  if (family === 1) {
    if (blockLength < 12) return MALFORMED
    const address = `${bytes[at]}.${bytes[at + 1]}.${bytes[at + 2]}.${bytes[at + 3]}`
    return { status: 'complete', version: 2, length, source: { address, port: bytes.readUInt16BE(at + 8) } }
  }
  if (family === 2) {
    if (blockLength < 36) return MALFORMED
    return { status: 'complete', version: 2, length, source: { address: ipv6(bytes, at), port: bytes.readUInt16BE(at + 32) } }
  }
  // UNSPEC or UNIX: no IP address to take; the balancer's stands.
  if (family === 3 && blockLength < 216) return MALFORMED
  return { status: 'complete', version: 2, length, source: undefined }
}
