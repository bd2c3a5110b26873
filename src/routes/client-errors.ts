/**
 * Errors Node's HTTP layer raises before a request reaches a route (a malformed request line or
 * header, a bad Content-Length, headers too large, a request too slow), and CONNECT, which Node
 * hands to no route at all. They are answered as every other error of the data plane: a SOAP
 * 1.2 Fault with a stable code (the client's SOAP version cannot be known before its headers are
 * read), then the connection is closed, as Node does, since the stream can no longer be trusted.
 */
import { STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Logger } from 'pino'
import { renderFault } from '../soap/fault.js'
import type { GatewayError } from '../errors.js'
import { codes } from './errors.js'

/** The gateway error of an HTTP-layer client error, by Node's code. */
export function clientErrorOf (err: NodeJS.ErrnoException): GatewayError {
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT': return new codes.GW_ROUTE_REQUEST_TIMEOUT({ cause: err })
    case 'HPE_HEADER_OVERFLOW': return new codes.GW_ROUTE_HEADERS_TOO_LARGE({ cause: err })
    default: return new codes.GW_ROUTE_BAD_REQUEST(err.code ?? 'parse error', { cause: err })
  }
}

const kAnswered = Symbol('sne-gateway.clientErrorAnswered')
/** Node keeps the response being written on its socket (undocumented, read-only here). */
type Marked = Duplex & { [kAnswered]?: true, _httpMessage?: { headersSent?: boolean } | null }

/**
 * Writes `error` as a complete HTTP/1.1 answer carrying a SOAP 1.2 Fault, then closes; once per
 * socket (data that follows an error raises it again).
 */
export function answerRaw (socket: Duplex, error: GatewayError, extraHeaders = ''): void {
  const marked = socket as Marked
  if (marked[kAnswered] === true) return
  marked[kAnswered] = true
  if (socket.writable) {
    const fault = renderFault({ soapVersion: '1.2', code: 'Sender', subcode: error.code, reason: error.message, lang: 'en', statusCode: error.statusCode })
    const body = Buffer.from(fault.body, 'utf8')
    socket.write(`HTTP/1.1 ${fault.statusCode} ${STATUS_CODES[fault.statusCode] ?? 'Error'}\r\nContent-Type: ${fault.contentType}\r\n` +
      `Content-Length: ${body.length}\r\n${extraHeaders}Connection: close\r\n\r\n`)
    socket.write(body)
  }
  socket.end()
  // A client that never reads its answer must not hold the socket.
  setTimeout(() => { socket.destroy() }, 1000).unref()
}

/** Fastify's `clientErrorHandler`: a Fault instead of Fastify's JSON, logged with its code only. */
export function buildClientErrorHandler (log: Logger) {
  return function clientErrorHandler (err: NodeJS.ErrnoException, socket: Duplex): void {
    // A reset connection has nothing left to answer (Node's own advice for 'clientError').
    if (err.code === 'ECONNRESET' || socket.destroyed) return
    // A TLS-level failure (a refused renegotiation, which Node 22 and later report here where
    // Node 20 closed at once): the encrypted stream itself is no longer trusted, so no answer is
    // written on it; the connection is closed, as before.
    if (err.code?.startsWith('ERR_TLS_') === true || err.code?.startsWith('ERR_SSL_') === true) {
      log.info({ cause: err.code }, 'TLS-level client error: connection closed')
      socket.destroy()
      return
    }
    // A response already under way belongs to an earlier request of the connection (pipelining),
    // except on a timeout, where it is the late request's own: a pipelining client would pair a
    // Fault with the earlier call, so such a connection is closed without a word.
    const pending = (socket as Marked)._httpMessage
    if (pending !== undefined && pending !== null && (err.code !== 'ERR_HTTP_REQUEST_TIMEOUT' || pending.headersSent === true)) {
      socket.destroy()
      return
    }
    const error = clientErrorOf(err)
    log.info({ code: error.code, cause: err.code }, 'HTTP-layer client error')
    answerRaw(socket, error)
  }
}

/** The data plane tunnels nothing: CONNECT is answered 405 with a Fault, not left unanswered. */
export function answerConnect (log: Logger) {
  return function onConnect (_request: unknown, socket: Duplex): void {
    log.info({ code: codes.GW_ROUTE_METHOD_NOT_ALLOWED.code }, 'CONNECT refused')
    answerRaw(socket, new codes.GW_ROUTE_METHOD_NOT_ALLOWED('CONNECT'), 'Allow: GET, POST\r\n')
  }
}
