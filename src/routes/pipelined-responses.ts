/**
 * Pipelined responses that can never be sent get their 'close' event.
 *
 * node:http answers pipelined requests in order: a request that arrives while an earlier answer
 * is still being written gets a ServerResponse without a socket, queued until the earlier ones are
 * done. When the connection closes first (the client went away, or node:http dropped it), node
 * emits 'close' on the response that holds the socket and destroys the queued requests, but the
 * queued responses never emit anything. Every per-call resource the data plane releases on the
 * response's 'close' (the in-flight count the drain waits for, the concurrency slot, the body
 * budget, the abort of an upstream read, the access line) would then stay held for good.
 *
 * This closes them the way node closes the one in front: `destroyed` set, then 'close' on the next
 * tick. Only queued responses are tracked (one Set per connection, made on its first queued
 * response), so a connection that is not pipelining costs one property check per request.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'

const kQueued = Symbol('sne-gateway.queuedResponses')

type Connection = Socket & { [kQueued]?: Set<ServerResponse> }

/** Installs the tracking on `server` (node:http or node:https). */
export function closeQueuedResponsesOnDisconnect (server: Server): void {
  server.on('request', onRequest)
}

function onRequest (request: IncomingMessage, response: ServerResponse): void {
  // Holding the socket already: node emits its 'close'.
  if (response.socket !== null) return
  const connection = request.socket as Connection
  let queued = connection[kQueued]
  if (queued === undefined) {
    queued = new Set()
    connection[kQueued] = queued
    connection.once('close', onConnectionClose)
  }
  queued.add(response)
  response.once('close', () => { queued.delete(response) })
  // Closed before node:http handed over the request: 'close' has come and gone.
  if (connection.closed) onConnectionClose.call(connection)
}

function onConnectionClose (this: Connection): void {
  const queued = this[kQueued]
  if (queued === undefined) return
  this[kQueued] = undefined
  process.nextTick(closeQueued, [...queued])
}

function closeQueued (responses: ServerResponse[]): void {
  for (const response of responses) {
    // Given the socket meanwhile, or closed otherwise: node took care of it.
    if (response.socket !== null || response.destroyed) continue
    response.destroyed = true
    response.emit('close')
  }
}
