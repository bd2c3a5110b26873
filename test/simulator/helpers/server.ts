// Starts a simulator over real TLS on 127.0.0.1:0 for a test, with an undici client that
// presents the dev PKI's guichet certificate. Everything is closed in t.teardown.
import { readFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import type { Test } from 'tap'
import { Agent, request } from 'undici'
import { buildSimulator, type Simulator, type SimulatorOptions } from '../../../src/simulator/index.js'
import type { InterfaceSpec } from '../../../src/contract/types.js'
import { testPki } from '../../helpers/pki.js'
import type { SoapRequest } from './messages.js'

export interface Tls {
  cert: Buffer
  key: Buffer
  ca: Buffer
  clientCert: Buffer
  clientKey: Buffer
}

export async function tlsMaterial (): Promise<Tls> {
  const pki = await testPki()
  const [cert, key, ca, clientCert, clientKey] = await Promise.all(
    [pki.simulator.cert, pki.simulator.key, pki.ca.cert, pki.client.cert, pki.client.key].map(async (p) => await readFile(p)))
  return { cert: cert!, key: key!, ca: ca!, clientCert: clientCert!, clientKey: clientKey! }
}

export interface Running {
  sim: Simulator
  url: string
  adminUrl: string
  agent: Agent
  /** POSTs a SOAP request; resolves with the status, content type and body */
  post (req: SoapRequest): Promise<{ statusCode: number, contentType: string, body: Buffer }>
  admin (method: string, path: string, body?: unknown): Promise<{ statusCode: number, json: unknown }>
}

export async function startSimulator (t: Test, spec: InterfaceSpec, options: Partial<SimulatorOptions> = {}, deps: { clock?: () => Date, random?: () => number } = {}): Promise<Running> {
  const tls = await tlsMaterial()
  const sim = await buildSimulator({ tls: { cert: tls.cert, key: tls.key, ca: tls.ca }, ...options }, { spec, ...deps })
  t.teardown(async () => { await sim.close() })
  await sim.app.listen({ host: '127.0.0.1', port: 0 })
  await sim.admin.listen({ host: '127.0.0.1', port: 0 })
  const port = (sim.app.server.address() as AddressInfo).port
  const adminPort = (sim.admin.server.address() as AddressInfo).port
  const agent = new Agent({ connect: { ca: tls.ca, cert: tls.clientCert, key: tls.clientKey, servername: 'localhost' }, connections: 100 })
  t.teardown(async () => { await agent.close() })
  const url = `https://127.0.0.1:${port}/services/DemandeLogementImplService/`
  const adminUrl = `http://127.0.0.1:${adminPort}`
  return {
    sim,
    url,
    adminUrl,
    agent,
    async post (req) {
      const res = await request(url, { dispatcher: agent, method: 'POST', headers: { 'content-type': req.contentType }, body: req.body })
      const body = Buffer.from(await res.body.arrayBuffer())
      return { statusCode: res.statusCode, contentType: String(res.headers['content-type']), body }
    },
    async admin (method, path, body) {
      const res = await request(`${adminUrl}${path}`, {
        method: method as 'GET',
        ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      })
      const text = await res.body.text()
      return { statusCode: res.statusCode, json: text === '' ? undefined : JSON.parse(text) }
    }
  }
}
