/**
 * The data plane's TCP listener. The HTTPS server never listens itself: this `net.Server` accepts
 * each connection and hands the raw socket to it with `httpsServer.emit('connection', socket)`.
 * The indirection exists so that an inspector can run between accept and TLS — the legacy-TLS
 * census peeks at the ClientHello there (Node never shows the hello of a handshake it refuses) —
 * by passing `inspect`, which must eventually call `handOff(socket)` or destroy the socket.
 *
 * node:http starts its connection tracking (the `headersTimeout`/`requestTimeout` checks that hold
 * off slowloris clients, and `closeIdleConnections`) on its own 'listening' event, so the listener
 * forwards that event once it listens.
 */
import { createServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net'
import type { Server as HttpsServer } from 'node:https'

/** Receives each accepted socket before TLS; calls `handOff` to give it to the HTTPS server. */
export type ConnectionInspector = (socket: Socket, handOff: (socket: Socket) => void) => void

export interface ListenerOptions {
  /** refuse connections beyond this many (`net.Server.maxConnections`) */
  maxConnections?: number
  inspect?: ConnectionInspector
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

/** Creates the TCP listener of `httpsServer` (not listening yet). */
export function createDataPlaneListener (httpsServer: HttpsServer, options: ListenerOptions = {}): DataPlaneListener {
  const handOff = (socket: Socket): void => { httpsServer.emit('connection', socket) }
  const inspect = options.inspect
  // Sockets still in a TLS handshake are not HTTP connections yet: node:http cannot close them.
  const open = new Set<Socket>()
  const server = createServer({ noDelay: true }, (socket) => {
    open.add(socket)
    socket.once('close', () => open.delete(socket))
    if (inspect === undefined) handOff(socket)
    else inspect(socket, handOff)
  })
  if (options.maxConnections !== undefined) server.maxConnections = options.maxConnections
  server.on('listening', () => httpsServer.emit('listening'))

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
      return server.address() as AddressInfo
    },
    async close () {
      if (!server.listening) return
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
    destroyConnections () {
      for (const socket of open) socket.destroy()
    }
  }
}
