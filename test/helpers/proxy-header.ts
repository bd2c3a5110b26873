// PROXY protocol headers for tests, written as a balancer would (HAProxy's proxy-protocol.txt).
import { V2_SIGNATURE } from '../../src/tls/proxy-protocol.js'

/** A v2 header: command (0 LOCAL, 1 PROXY), the family/transport byte, the address block and TLVs. */
export function proxyV2 (command: number, familyTransport: number, block: Buffer): Buffer {
  const head = Buffer.alloc(4)
  head[0] = 0x20 | command
  head[1] = familyTransport
  head.writeUInt16BE(block.length, 2)
  return Buffer.concat([V2_SIGNATURE, head, block])
}

/** The v2 address block of TCP over IPv4. */
export function inet4Block (src: string, dst: string, sport: number, dport: number): Buffer {
  const b = Buffer.alloc(12)
  Buffer.from(src.split('.').map(Number)).copy(b, 0)
  Buffer.from(dst.split('.').map(Number)).copy(b, 4)
  b.writeUInt16BE(sport, 8)
  b.writeUInt16BE(dport, 10)
  return b
}

/** A v1 TCP4 header line. */
export function proxyV1 (src: string, dst: string, sport: number, dport: number): Buffer {
  return Buffer.from(`PROXY TCP4 ${src} ${dst} ${sport} ${dport}\r\n`, 'latin1')
}
