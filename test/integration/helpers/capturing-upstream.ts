// An HTTPS upstream that records exactly what reached it (the raw body bytes and the headers)
// and answers a canned SNE answer: the witness of what the gateway forwards.
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { IncomingHttpHeaders } from 'node:http'
import type { DevPki } from '../../../src/tls/dev-pki.js'

export interface Captured {
  method: string
  url: string
  headers: IncomingHttpHeaders
  /** the raw header names and values as received, in order */
  rawHeaders: string[]
  body: Buffer
}

export interface CapturingUpstream {
  url: string
  received: Captured[]
  close (): Promise<void>
}

/** A minimal valid-looking SOAP 1.2 answer (the gateway does not validate answers by default). */
export const CANNED_ANSWER = Buffer.from('<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body/></env:Envelope>')

export async function startCapturingUpstream (pki: DevPki): Promise<CapturingUpstream> {
  const received: Captured[] = []
  const server: Server = createServer({ cert: readFileSync(pki.simulator.cert), key: readFileSync(pki.simulator.key), ca: readFileSync(pki.ca.cert) }, (req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks) })
      res.writeHead(200, { 'content-type': 'application/soap+xml; charset=utf-8', 'content-length': CANNED_ANSWER.length })
      res.end(CANNED_ANSWER)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `https://127.0.0.1:${port}`,
    received,
    async close () {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}
