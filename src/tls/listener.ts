/**
 * The data plane's TCP listener. The HTTPS server never listens itself: this `net.Server` accepts
 * each connection and hands the raw socket to it with `httpsServer.emit('connection', socket)`.
 * The indirection exists so that the gateway can act between accept and TLS:
 *
 *   accept ─▶ PROXY header, from a trusted balancer only: the real client address
 *          ─▶ per-address cap on that address ─▶ `inspect` (the legacy-TLS census) ─▶ node:tls
 *
 * and bound what TLS and HTTP leave open: a connection whose first request has not arrived within
 * `firstRequestMs` of accept is closed, whatever phase it is in. node:http's own `headersTimeout`
 * also covers a connection that is silent after its handshake, but only from the handshake's end;
 * this one bound covers the header, the hello and the handshake as well (see docs/security.md).
 * Every connection closed by these limits is reported to `onRefused` with a bounded reason.
 *
 * `inspect`, when given, must eventually call `handOff(socket)` or destroy the socket.
 *
 * Per connection: one state object under `kConnection` on the raw socket (its client address, read
 * by `clientAddressOf`), shared listener functions (no closures) and one sweep per listener for the
 * time bounds (no timer per connection).
 *
 * node:http starts its connection tracking (the `headersTimeout`/`requestTimeout` checks that hold
 * off slowloris clients, and `closeIdleConnections`) on its own 'listening' event, so the listener
 * forwards that event once it listens.
 */
import { createServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net'
import type { IncomingMessage } from 'node:http'
import type { Server as HttpsServer } from 'node:https'
import { createAddressCounter, type AddressCounter } from './address-counter.js'
import { clientTagOf, normalizeAddress, rawSocketOf, type ClientTag } from './client-address.js'
import { DEFAULT_V2_MAX_LENGTH, parseProxyHeader } from './proxy-protocol.js'
import { kConnection } from './symbols.js'

/** Receives each accepted socket before TLS; calls `handOff` to give it to the HTTPS server. */
export type ConnectionInspector = (socket: Socket, handOff: (socket: Socket) => void) => void

/** Why the listener closed a connection (metric label `reason`: a bounded set). */
export type RefusalReason =
  /** `maxConnections` reached (the address is the TCP peer's: no header was read) */
  | 'max_connections'
  /** the client address already has `perAddress` connections open */
  | 'per_address'
  /** a trusted balancer's PROXY header was malformed, too long or too slow */
  | 'proxy_header'
  /** no request within `firstRequestMs` of accept */
  | 'idle_before_request'

export interface ProxyProtocolOptions {
  /** whether a peer is a balancer that must begin with a PROXY header */
  trusted: (address: string) => boolean
  /** time allowed from accept to a complete header */
  timeoutMs: number
  /** largest v2 address block and TLVs (default 4096 bytes) */
  maxV2Length?: number
}

export interface ListenerOptions {
  /** refuse connections beyond this many (`net.Server.maxConnections`) */
  maxConnections?: number
  /** most connections open at once per client address */
  perAddress?: number
  /** close a connection that has not sent a complete request head within this many ms of accept */
  firstRequestMs?: number
  /** read a PROXY protocol header from trusted balancers */
  proxyProtocol?: ProxyProtocolOptions
  inspect?: ConnectionInspector
  /** a connection closed by one of the limits above (never throws into the listener) */
  onRefused?: (reason: RefusalReason, address: string) => void
}

export interface DataPlaneListener {
  readonly server: NetServer
  /** resolves with the bound address (port 0 picks a free port) */
  listen (host: string, port: number): Promise<AddressInfo>
  /** stops accepting; resolves once every accepted connection has ended */
  close (): Promise<void>
  /** destroys every accepted connection still open (end of a bounded drain) */
  destroyConnections (): void
}

/** The listener's state of one connection, under `kConnection` on the accepted socket. */
interface Connection extends ClientTag {
  owner: Limits
  /** counted against its address's cap (released on close) */
  counted: boolean
  /** `performance.now()` ms by which a request must have come; Infinity once one came */
  requestDeadline: number
  /** while a PROXY header is awaited: the bytes so far and its deadline */
  header: { bytes: Buffer | undefined, deadline: number } | undefined
}

type TrackedSocket = Socket & { [kConnection]?: Connection | undefined }

/** What the shared listener functions need, per listener. */
class Limits {
  readonly open = new Set<TrackedSocket>()
  /** sockets with a pending deadline (header or first request) */
  readonly waiting = new Set<TrackedSocket>()
  readonly counter: AddressCounter | undefined
  sweeper: NodeJS.Timeout | undefined

  constructor (readonly options: ListenerOptions, readonly handOff: (socket: Socket) => void) {
    this.counter = options.perAddress === undefined ? undefined : createAddressCounter(options.perAddress)
  }

  accept (socket: TrackedSocket): void {
    const now = performance.now()
    const { firstRequestMs, proxyProtocol } = this.options
    const connection: Connection = {
      owner: this,
      address: normalizeAddress(socket.remoteAddress),
      counted: false,
      requestDeadline: firstRequestMs === undefined ? Infinity : now + firstRequestMs,
      header: undefined
    }
    socket[kConnection] = connection
    this.open.add(socket)
    socket.once('close', onClose)
    if (connection.requestDeadline !== Infinity) this.waiting.add(socket)
    if (proxyProtocol !== undefined && proxyProtocol.trusted(connection.address)) {
      connection.header = { bytes: undefined, deadline: now + proxyProtocol.timeoutMs }
      this.waiting.add(socket)
      socket.on('data', onHeaderData)
      // A late error on the raw socket must never be unhandled; 'close' follows it.
      socket.on('error', ignore)
      socket.resume()
      return
    }
    this.admit(socket, connection)
  }

  /** The per-address cap on the client address, then the inspector or TLS. */
  admit (socket: TrackedSocket, connection: Connection): void {
    if (this.counter !== undefined) {
      if (!this.counter.acquire(connection.address)) {
        this.refuse(socket, 'per_address')
        return
      }
      connection.counted = true
    }
    const inspect = this.options.inspect
    if (inspect === undefined) this.handOff(socket)
    else inspect(socket, this.handOff)
  }

  refuse (socket: TrackedSocket, reason: RefusalReason): void {
    socket.destroy()
    this.report(reason, socket[kConnection]?.address ?? '')
  }

  report (reason: RefusalReason, address: string): void {
    try {
      this.options.onRefused?.(reason, address)
    } catch {
      // A failing observer must not take the listener down with it.
    }
  }

  sweep (): void {
    if (this.waiting.size === 0) return
    const now = performance.now()
    for (const socket of [...this.waiting]) {
      const connection = socket[kConnection]
      if (connection === undefined) continue
      if (connection.header !== undefined && now >= connection.header.deadline) this.refuse(socket, 'proxy_header')
      else if (now >= connection.requestDeadline) this.refuse(socket, 'idle_before_request')
    }
  }

  startSweeping (): void {
    const bounds = [this.options.firstRequestMs, this.options.proxyProtocol?.timeoutMs].filter((ms): ms is number => ms !== undefined)
    if (bounds.length === 0 || this.sweeper !== undefined) return
    // One sweep instead of a timer per connection: a deadline is enforced within a quarter of
    // itself, and at most a second late.
    this.sweeper = setInterval(() => { this.sweep() }, Math.min(1000, Math.max(10, Math.floor(Math.min(...bounds) / 4))))
    this.sweeper.unref()
  }

  stopSweeping (): void {
    clearInterval(this.sweeper)
    this.sweeper = undefined
  }
}

function ignore (): void {}

function onClose (this: TrackedSocket): void {
  const connection = this[kConnection]
  if (connection === undefined) return
  const owner = connection.owner
  owner.open.delete(this)
  owner.waiting.delete(this)
  if (connection.counted) {
    connection.counted = false
    owner.counter?.release(connection.address)
  }
}

function onHeaderData (this: TrackedSocket, chunk: Buffer): void {
  const connection = this[kConnection]
  const header = connection?.header
  if (connection === undefined || header === undefined) return
  const bytes = header.bytes === undefined ? chunk : Buffer.concat([header.bytes, chunk])
  header.bytes = bytes
  const owner = connection.owner
  const result = parseProxyHeader(bytes, owner.options.proxyProtocol?.maxV2Length ?? DEFAULT_V2_MAX_LENGTH)
  if (result.status === 'incomplete') return
  this.removeListener('data', onHeaderData)
  connection.header = undefined
  if (connection.requestDeadline === Infinity) owner.waiting.delete(this)
  if (result.status === 'invalid') {
    owner.refuse(this, 'proxy_header')
    return
  }
  if (result.source !== undefined) connection.address = normalizeAddress(result.source.address)
  // Pause before the listener goes, so that no byte is emitted to nobody; then put the client's
  // first bytes back for the inspector or node:tls (which reads the socket's buffer first).
  this.pause()
  if (bytes.length > result.length) this.unshift(bytes.subarray(result.length))
  owner.admit(this, connection)
}

function onRequest (this: HttpsServer, request: IncomingMessage): void {
  const connection = clientTagOf(request.socket) as Connection | undefined
  if (connection === undefined || connection.requestDeadline === Infinity) return
  connection.requestDeadline = Infinity
  connection.owner.waiting.delete(rawSocketOf(request.socket) as TrackedSocket)
}

/** Creates the TCP listener of `httpsServer` (not listening yet). */
export function createDataPlaneListener (httpsServer: HttpsServer, options: ListenerOptions = {}): DataPlaneListener {
  const handOff = (socket: Socket): void => { httpsServer.emit('connection', socket) }
  // Sockets still in a TLS handshake are not HTTP connections yet: node:http cannot close them.
  const limits = new Limits(options, handOff)
  const server = createServer({ noDelay: true }, (socket) => { limits.accept(socket) })
  if (options.maxConnections !== undefined) server.maxConnections = options.maxConnections
  server.on('drop', (data) => { limits.report('max_connections', normalizeAddress(data?.remoteAddress)) })
  server.on('listening', () => httpsServer.emit('listening'))
  if (options.firstRequestMs !== undefined) httpsServer.on('request', onRequest)

  return {
    server,
    async listen (host, port) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen({ host, port }, () => {
          server.off('error', reject)
          resolve()
        })
      })
      limits.startSweeping()
      return server.address() as AddressInfo
    },
    async close () {
      limits.stopSweeping()
      if (!server.listening) return
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
    destroyConnections () {
      for (const socket of limits.open) socket.destroy()
    }
  }
}
