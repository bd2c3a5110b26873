// HTTP-layer client errors: a Fault for a malformed request, nothing written after a TLS-level
// failure (a refused renegotiation, as Node 22 and later report it).
import t from 'tap'
import { Duplex } from 'node:stream'
import { pino } from 'pino'
import { buildClientErrorHandler } from '../../src/routes/client-errors.js'

class FakeSocket extends Duplex {
  written = ''
  override _read (): void {}
  override _write (chunk: Buffer, _encoding: BufferEncoding, done: () => void): void { this.written += chunk.toString(); done() }
}

const handler = buildClientErrorHandler(pino({ level: 'silent' }))
const error = (code: string): NodeJS.ErrnoException => Object.assign(new Error(code), { code })

t.test('a malformed request is answered with a Fault, then closed', async (t) => {
  const socket = new FakeSocket()
  handler(error('HPE_INVALID_METHOD'), socket)
  t.match(socket.written, /^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*GW_ROUTE_BAD_REQUEST/)
})

t.test('a refused renegotiation (a TLS-level error) closes the connection without a word', async (t) => {
  for (const code of ['ERR_TLS_RENEGOTIATION_DISABLED', 'ERR_SSL_SSLV3_ALERT_BAD_RECORD_MAC']) {
    const socket = new FakeSocket()
    handler(error(code), socket)
    t.equal(socket.written, '', `${code}: nothing written`)
    t.equal(socket.destroyed, true, `${code}: closed`)
  }
})
