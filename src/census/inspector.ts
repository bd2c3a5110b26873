/**
 * The ClientHello inspector: runs between TCP accept and node:tls on each data-plane connection.
 * It reads the first bytes until they hold a whole ClientHello (bounded in size and in time), then
 * gives the socket to the TLS server with every byte it read put back, untouched (`unshift`, then
 * the listener's `handOff`, i.e. `emit('connection')`): node:tls, with its minimum version, does the
 * refusing. The handshake's outcome — success with version, cipher and client identity from the
 * server's `secureConnection`, or OpenSSL's reason from `tlsClientError` — is then tied to the hello
 * and reported once per connection. What is not a TLS ClientHello, or comes too slowly or too big,
 * is reported with its own reason and closed here.
 *
 * Per connection: one small state object under a symbol on the socket and the received chunks
 * (one buffer in the usual one-segment case); the listeners are shared functions (no closures) and
 * one sweep per inspector enforces the time bound (no timer per connection).
 */
import type { Socket } from 'node:net'
import type { Server as TlsServer, TLSSocket } from 'node:tls'
import { clientTagOf, normalizeAddress, rawSocketOf } from '../tls/client-address.js'
import { DEFAULT_HELLO_LIMITS, parseClientHello, type ClientHello, type HelloLimits } from './client-hello.js'
import { ja4 } from './ja4.js'
import { kPeek } from './symbols.js'

/** How a connection ended, as far as TLS goes. */
export type HandshakeOutcome =
  /** TLS established */
  | 'success'
  /** node:tls refused or lost the handshake (reason: OpenSSL's, or the socket error) */
  | 'failure'
  /** never reached node:tls: not a ClientHello, too slow, too big, closed early */
  | 'rejected'

/** One connection's record: its ClientHello (when there was one) and what became of it. */
export interface HandshakeRecord {
  /** when the connection was accepted, ms since the epoch */
  at: number
  /**
   * client address, IPv4-mapped IPv6 addresses shown as IPv4 ('' when the socket was already gone):
   * the one a trusted balancer's PROXY header gave, when the listener read one
   */
  remoteAddress: string
  outcome: HandshakeOutcome
  /**
   * undefined on success; else a lower-case slug: the parser's reason (`plain-http`, `garbage`…),
   * the inspector's (`timeout`, `closed-early`, `empty`) or OpenSSL's (`unsupported-protocol`,
   * `no-shared-cipher`, `certificate-verify-failed`…)
   */
  reason: string | undefined
  hello: ClientHello | undefined
  /** highest version offered (hello.maxVersion, or the version of an SSLv2-format hello) */
  offeredVersion: number | undefined
  /** JA4 of the hello; JA3, needed less often, is computed from `hello` by whoever needs it */
  ja4: string | undefined
  /** `TLSv1.2`, `TLSv1.3` on success */
  negotiatedVersion: string | undefined
  /** OpenSSL cipher name on success */
  cipher: string | undefined
  /** client certificate identity on success, when the certificate was verified */
  identity: string | undefined
}

export interface InspectorOptions extends Partial<HelloLimits> {
  /** time allowed from accept to a complete ClientHello (default 10000 ms) */
  helloTimeoutMs?: number
}

export interface InspectorDeps {
  /** the TLS (or HTTPS) server the listener hands sockets to; else given later to `attach` */
  server?: TlsServer
  /** receives each connection's record once, when its outcome is known */
  onRecord: (record: HandshakeRecord) => void
  /** the client identity of an established connection (default: subject CN of a verified certificate) */
  identify?: (socket: TLSSocket) => string | undefined
  clock?: () => Date
}

export interface Inspector {
  /** the listener's `inspect` hook: peeks, then calls `handOff(socket)` or closes the socket */
  inspect: (socket: Socket, handOff: (socket: Socket) => void) => void
  /**
   * Follows the handshakes of `server` (the one `handOff` gives sockets to), when it did not exist
   * yet at creation; before that, handed-off connections get no outcome. Once only.
   */
  attach: (server: TlsServer, identify?: (socket: TLSSocket) => string | undefined) => void
  /** connections still sending their hello */
  readonly pending: number
  /** detaches from the server and closes the connections still sending their hello */
  close: () => void
}

/** Per-connection state, under `kPeek` on the raw socket from accept to outcome. */
interface Peek {
  owner: InspectorImpl
  record: HandshakeRecord
  handOff: ((socket: Socket) => void) | undefined
  /** every byte received, as one buffer, or undefined before the first */
  buffer: Buffer | undefined
  /** further chunks not yet joined to `buffer` */
  chunks: Buffer[] | undefined
  length: number
  need: number
  /** when the hello must be complete (`performance.now()` ms: real time, whatever the clock) */
  deadline: number
}

type PeekedSocket = Socket & { [kPeek]?: Peek | undefined }

const PLAIN_HTTP_BODY = 'This port speaks HTTPS only (TLS 1.2 or TLS 1.3).\n'
/** Response to plain HTTP on the TLS port, so that a misconfigured client sees why. */
const PLAIN_HTTP_ANSWER = Buffer.from('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n' +
  `Content-Length: ${PLAIN_HTTP_BODY.length}\r\n\r\n${PLAIN_HTTP_BODY}`, 'latin1')

function addressOf (socket: Socket, tlsSocket?: TLSSocket): string {
  return clientTagOf(socket)?.address ?? normalizeAddress(tlsSocket?.remoteAddress ?? socket.remoteAddress)
}

function slug (text: string): string {
  // Bounded label values: OpenSSL reasons and verify codes are fixed tables; cut anything else short anyway.
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 64) || 'unknown'
}

/**
 * Why a handshake failed, as a slug: OpenSSL's reason (`err.reason`, e.g. "unsupported protocol"),
 * else the certificate verification error (`certificate-<code>`: node:tls verifies the client
 * certificate after OpenSSL's handshake and, with rejectUnauthorized, just destroys the socket,
 * which surfaces as a "socket hang up"), else the error code.
 */
export function failureReason (err: unknown, authorizationError?: unknown): string {
  const e = err as { reason?: unknown, code?: unknown } | undefined
  let text = typeof e?.reason === 'string' && e.reason !== '' ? e.reason : undefined
  if (text === undefined && authorizationError !== undefined && authorizationError !== null) {
    const code = typeof authorizationError === 'string' ? authorizationError : (authorizationError as { code?: unknown }).code
    if (typeof code === 'string') text = `certificate ${code}`
  }
  if (text === undefined) {
    switch (e?.code) {
      case 'ECONNRESET': text = 'connection-reset'; break
      case 'ERR_TLS_HANDSHAKE_TIMEOUT': text = 'handshake-timeout'; break
      default: text = typeof e?.code === 'string' ? e.code : 'unknown'
    }
  }
  return slug(text)
}

function defaultIdentify (socket: TLSSocket): string | undefined {
  if (!socket.authorized) return undefined
  const cn = socket.getPeerCertificate()?.subject?.CN
  return typeof cn === 'string' ? cn : Array.isArray(cn) ? cn[0] : undefined
}

class InspectorImpl implements Inspector {
  readonly limits: HelloLimits
  readonly helloTimeoutMs: number
  server: TlsServer | undefined
  readonly onRecord: (record: HandshakeRecord) => void
  identify: (socket: TLSSocket) => string | undefined
  readonly now: () => number
  readonly peeking = new Set<PeekedSocket>()
  readonly sweeper: NodeJS.Timeout
  readonly inspect: (socket: Socket, handOff: (socket: Socket) => void) => void

  constructor (options: InspectorOptions, deps: InspectorDeps) {
    this.limits = { maxHelloBytes: options.maxHelloBytes ?? DEFAULT_HELLO_LIMITS.maxHelloBytes, maxRecords: options.maxRecords ?? DEFAULT_HELLO_LIMITS.maxRecords }
    this.helloTimeoutMs = options.helloTimeoutMs ?? 10000
    this.server = undefined
    this.onRecord = deps.onRecord
    this.identify = deps.identify ?? defaultIdentify
    const clock = deps.clock
    this.now = clock === undefined ? Date.now : () => clock().getTime()
    this.inspect = (socket, handOff) => { this.start(socket as PeekedSocket, handOff) }
    if (deps.server !== undefined) this.attach(deps.server)
    // One sweep over the hellos in progress instead of a timer per connection: a slow hello is
    // closed between helloTimeoutMs and 1.5 × helloTimeoutMs (at most one second late).
    this.sweeper = setInterval(() => { this.sweep() }, Math.min(1000, Math.max(10, this.helloTimeoutMs / 2)))
    this.sweeper.unref()
  }

  sweep (): void {
    if (this.peeking.size === 0) return
    const now = performance.now()
    for (const socket of [...this.peeking]) {
      const peek = socket[kPeek]
      if (peek !== undefined && now >= peek.deadline) this.reject(socket, peek, 'timeout')
    }
  }

  attach (server: TlsServer, identify?: (socket: TLSSocket) => string | undefined): void {
    if (this.server !== undefined) throw new Error('the inspector already follows a TLS server')
    this.server = server
    if (identify !== undefined) this.identify = identify
    server.on('secureConnection', onSecureConnection)
    server.on('tlsClientError', onTlsClientError)
  }

  get pending (): number { return this.peeking.size }

  start (socket: PeekedSocket, handOff: (socket: Socket) => void): void {
    const peek: Peek = {
      owner: this,
      record: {
        at: this.now(),
        remoteAddress: '',
        outcome: 'rejected',
        reason: undefined,
        hello: undefined,
        offeredVersion: undefined,
        ja4: undefined,
        negotiatedVersion: undefined,
        cipher: undefined,
        identity: undefined
      },
      handOff,
      buffer: undefined,
      chunks: undefined,
      length: 0,
      need: 1,
      deadline: 0
    }
    peek.deadline = performance.now() + this.helloTimeoutMs
    socket[kPeek] = peek
    this.peeking.add(socket)
    socket.on('data', onData)
    socket.on('error', onPeekError)
    socket.on('close', onPeekClose)
    // A listener created with pauseOnConnect leaves the socket paused: the peek reads anyway.
    socket.resume()
  }

  /** Ends the peek: listeners off; the socket keeps its state until the outcome. */
  stopPeeking (socket: PeekedSocket): void {
    this.peeking.delete(socket)
    socket.removeListener('data', onData)
    socket.removeListener('close', onPeekClose)
    // The error listener stays: a late error on the raw socket must never be unhandled.
  }

  /** Closes a connection that never reached TLS and reports it. */
  reject (socket: PeekedSocket, peek: Peek, reason: string, answer?: Buffer): void {
    this.stopPeeking(socket)
    peek.record.outcome = 'rejected'
    peek.record.reason = reason
    this.report(socket, peek)
    if (answer !== undefined && !socket.destroyed) {
      socket.write(answer)
      socket.destroySoon()
    } else {
      socket.destroy()
    }
  }

  /**
   * Reports the record. The address is the one the listener recorded at accept (the PROXY header's
   * included); without the listener's, it is read here, from the TLS socket when there is one:
   * node:tls and the HTTP layer then share one `getpeername` (Node caches it per socket object).
   */
  report (socket: PeekedSocket, peek: Peek, tlsSocket?: TLSSocket): void {
    if (peek.record.remoteAddress === '') peek.record.remoteAddress = addressOf(socket, tlsSocket)
    socket[kPeek] = undefined
    peek.handOff = undefined
    peek.buffer = undefined
    peek.chunks = undefined
    try {
      this.onRecord(peek.record)
    } catch {
      // A failing observer must not take the connection or the process down with it.
    }
  }

  close (): void {
    clearInterval(this.sweeper)
    this.server?.removeListener('secureConnection', onSecureConnection)
    this.server?.removeListener('tlsClientError', onTlsClientError)
    // Connections cut by the shutdown are not the clients' doing: closed, not reported.
    for (const socket of [...this.peeking]) {
      this.stopPeeking(socket)
      socket[kPeek] = undefined
      socket.destroy()
    }
  }
}

function onData (this: PeekedSocket, chunk: Buffer): void {
  const peek = this[kPeek]
  if (peek === undefined) return
  if (peek.buffer === undefined) {
    peek.buffer = chunk
  } else {
    (peek.chunks ??= []).push(chunk)
  }
  peek.length += chunk.length
  if (peek.length < peek.need) return
  if (peek.chunks !== undefined) {
    peek.buffer = Buffer.concat([peek.buffer, ...peek.chunks], peek.length)
    peek.chunks = undefined
  }
  const owner = peek.owner
  const bytes = peek.buffer
  const result = parseClientHello(bytes, owner.limits)
  if (result.status === 'incomplete') {
    // A hello in several segments (rare) may end with the peer gone, when the address can no
    // longer be read: read it now. The usual one-segment hello reads it once, at its outcome.
    if (peek.record.remoteAddress === '') peek.record.remoteAddress = addressOf(this)
    peek.need = result.need
    return
  }
  const record = peek.record
  if (result.status === 'rejected') {
    record.offeredVersion = result.offeredVersion
    owner.reject(this, peek, result.reason, result.reason === 'plain-http' ? PLAIN_HTTP_ANSWER : undefined)
    return
  }
  const hello = result.hello
  record.hello = hello
  record.offeredVersion = hello.maxVersion
  record.ja4 = ja4(hello).fingerprint
  const handOff = peek.handOff!
  owner.stopPeeking(this)
  // Pause before the listener goes, so that no byte is emitted to nobody; then put every byte
  // back: node:tls reads the socket's buffer first (_tls_wrap.js initRead).
  this.pause()
  peek.buffer = undefined
  this.unshift(bytes)
  handOff(this)
}

function onPeekError (this: PeekedSocket): void {
  // ECONNRESET and the like while peeking: 'close' follows and reports it.
}

function onPeekClose (this: PeekedSocket): void {
  const peek = this[kPeek]
  if (peek === undefined) return
  peek.owner.reject(this, peek, peek.length === 0 ? 'empty' : 'closed-early')
}

function peekOf (socket: TLSSocket): [PeekedSocket, Peek] | undefined {
  const raw = rawSocketOf(socket) as PeekedSocket
  const peek = raw === socket ? undefined : raw[kPeek]
  return peek === undefined ? undefined : [raw, peek]
}

function onSecureConnection (this: TlsServer, socket: TLSSocket): void {
  const found = peekOf(socket)
  if (found === undefined) return
  const [raw, peek] = found
  const record = peek.record
  record.outcome = 'success'
  record.negotiatedVersion = socket.getProtocol() ?? undefined
  record.cipher = socket.getCipher()?.name
  try {
    record.identity = peek.owner.identify(socket)
  } catch {
    record.identity = undefined
  }
  peek.owner.report(raw, peek, socket)
}

function onTlsClientError (this: TlsServer, err: Error, socket: TLSSocket): void {
  const found = peekOf(socket)
  if (found === undefined) return
  const [raw, peek] = found
  peek.record.outcome = 'failure'
  peek.record.reason = failureReason(err, socket.authorizationError)
  peek.owner.report(raw, peek, socket)
}

/** Creates an inspector for the sockets handed to `deps.server`. */
export function createInspector (options: InspectorOptions, deps: InspectorDeps): Inspector {
  return new InspectorImpl(options, deps)
}
