/**
 * The client address of a data-plane connection, for every part that names the client (the
 * per-address connection cap, the legacy-TLS census, the access log). It is the TCP peer's
 * address, unless a trusted load balancer gave the real one in a PROXY protocol header: the
 * listener then records it on the accepted socket (`kConnection`), and `clientAddressOf` finds it
 * from that socket or from the TLS socket wrapping it. Reading `socket.remoteAddress` directly
 * would name the balancer.
 */
import type { Socket } from 'node:net'
import { kConnection } from './symbols.js'

/** The part of the listener's per-connection state every reader may see. */
export interface ClientTag {
  /** the client's address, IPv4-mapped IPv6 addresses written as IPv4 */
  address: string
}

type Tagged = Socket & { [kConnection]?: ClientTag | undefined }

/** IPv4-mapped IPv6 (`::ffff:192.0.2.1`) as IPv4; '' for a socket already gone. */
export function normalizeAddress (address: string | undefined): string {
  if (address === undefined) return ''
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address
}

/**
 * The accepted `net.Socket` under a TLS socket: node:tls keeps the socket it wrapped as `_parent`
 * (server side included, Node 20 to 24); any other socket is its own.
 */
export function rawSocketOf (socket: Socket): Socket {
  const parent = (socket as unknown as { _parent?: Socket | null })._parent
  return parent === undefined || parent === null ? socket : parent
}

/** The tag the listener put on the socket (or on the socket a TLS socket wraps), if any. */
export function clientTagOf (socket: Socket): ClientTag | undefined {
  return (socket as Tagged)[kConnection] ?? (rawSocketOf(socket) as Tagged)[kConnection]
}

/**
 * The client's address: the one the listener recorded (PROXY header included), else the peer's,
 * normalized. Takes the accepted socket or the TLS socket over it (`request.raw.socket`).
 */
export function clientAddressOf (socket: Socket | undefined): string {
  if (socket === undefined) return ''
  return clientTagOf(socket)?.address ?? normalizeAddress(socket.remoteAddress)
}
