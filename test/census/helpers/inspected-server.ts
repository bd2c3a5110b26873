// A bare node:tls echo server behind a TCP listener that runs the inspector, for the tls/ tests.
import net, { type AddressInfo, type Socket } from 'node:net'
import tls, { type TlsOptions } from 'node:tls'
import { readFileSync } from 'node:fs'
import { createInspector, type HandshakeRecord, type Inspector, type InspectorOptions } from '../../../src/census/inspector.js'
import { testPki } from '../../helpers/pki.js'

export interface InspectedServer {
  port: number
  tlsServer: tls.Server
  inspector: Inspector
  records: HandshakeRecord[]
  /** resolves once `n` records in all have been reported */
  waitRecords: (n: number) => Promise<HandshakeRecord[]>
  close: () => Promise<void>
}

export async function startInspected (options: { tls?: TlsOptions, inspector?: InspectorOptions } = {}): Promise<InspectedServer> {
  const pki = await testPki()
  const tlsServer = tls.createServer({
    key: readFileSync(pki.server.key),
    cert: readFileSync(pki.server.cert),
    minVersion: 'TLSv1.2',
    ...options.tls
  }, (socket) => {
    socket.on('error', () => {})
    socket.pipe(socket)
  })
  const records: HandshakeRecord[] = []
  const waiters: Array<{ n: number, resolve: (r: HandshakeRecord[]) => void }> = []
  const inspector = createInspector(options.inspector ?? {}, {
    server: tlsServer,
    onRecord (record) {
      records.push(record)
      for (const w of waiters.splice(0)) {
        if (records.length >= w.n) w.resolve(records)
        else waiters.push(w)
      }
    }
  })
  const sockets = new Set<Socket>()
  const listener = net.createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    inspector.inspect(socket, (s) => { tlsServer.emit('connection', s) })
  })
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve))
  return {
    port: (listener.address() as AddressInfo).port,
    tlsServer,
    inspector,
    records,
    async waitRecords (n) {
      if (records.length >= n) return records
      return await new Promise((resolve) => waiters.push({ n, resolve }))
    },
    async close () {
      inspector.close()
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => listener.close(() => resolve()))
    }
  }
}

/** Connects with node:tls and resolves once the handshake ends, either way. */
export async function tlsAttempt (port: number, options: tls.ConnectionOptions = {}): Promise<{ ok: boolean, protocol?: string | null, error?: string }> {
  return await new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options }, () => {
      const protocol = socket.getProtocol()
      socket.end()
      resolve({ ok: true, protocol })
    })
    socket.on('error', (err: NodeJS.ErrnoException) => { resolve({ ok: false, error: err.code ?? err.message }) })
  })
}
