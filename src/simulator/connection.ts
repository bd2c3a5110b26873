/**
 * Ending a connection the way a failing server does, for fault injection.
 */
import type { Socket } from 'node:net'

interface TcpHandle {
  reset?: (callback: () => void) => number
}

/**
 * Resets a connection: the peer reads ECONNRESET (a TCP RST), not an orderly close.
 *
 * On a TLS connection the RST must be sent by the TCP socket underneath (`_parent`). Its
 * handle's `reset()` (what `net.Socket#resetAndDestroy` uses) sets SO_LINGER to 0 and closes;
 * the TLS socket is then destroyed normally, so that the HTTP server forgets the connection.
 * (Calling `resetAndDestroy()` on the parent instead leaves the HTTP server's connection list
 * holding a socket-less entry, and a later `server.close()` throws in closeIdleConnections.)
 * Without a TCP handle to reset, an abrupt close is the closest.
 */
export function resetConnection (socket: Socket): void {
  const parent = (socket as Socket & { _parent?: { _handle?: TcpHandle | null } })._parent
  const handle = parent?._handle ?? (socket as Socket & { _handle?: TcpHandle | null })._handle
  if (typeof handle?.reset === 'function') handle.reset(() => {})
  socket.destroy()
}
