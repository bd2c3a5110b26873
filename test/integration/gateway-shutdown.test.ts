// SIGTERM during a slow call, with the CLI as a child process: the call completes, new connections
// are refused, the process exits 0 once drained; a second signal forces the exit at once. After a
// burst of pipelined requests, some on connections abandoned mid-way, nothing stays counted in
// flight, so that the drain ends with the last real call.
import t, { type Test } from 'tap'
import { readFileSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { connect, type TLSSocket } from 'node:tls'
import { Agent, request, type Dispatcher } from 'undici'
import { buildSimulator, type Simulator } from '../../src/simulator/index.js'
import { testPki } from '../helpers/pki.js'
import { ecoleBehindSimulator, startCli, type Child } from '../helpers/child-process.js'
import { corpusCase, NOW, sharedSpec } from './helpers/gateway-stack.js'

const read = corpusCase('valid-getDemandeLogement-mtom')!

/** Makes the simulator hold its next answer `latencyMs`. */
async function slowNextAnswer (t: Test, sim: Simulator, latencyMs: number, operation = '*'): Promise<void> {
  const rule = await sim.admin.inject({ method: 'POST', url: '/faults', payload: { kind: 'latency', latencyMs, count: 1, operation } })
  t.equal(rule.statusCode, 201)
}

async function setup (t: Test, latencyMs: number | undefined, options: { ops?: boolean } = {}): Promise<{ child: Child, sim: Simulator, client: Agent, port: number }> {
  const pki = await testPki()
  const spec = await sharedSpec()
  const sim = await buildSimulator({ tls: { cert: readFileSync(pki.simulator.cert), key: readFileSync(pki.simulator.key), ca: readFileSync(pki.ca.cert) } }, { spec, clock: () => NOW })
  await sim.app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(() => sim.close())
  const simPort = (sim.app.server.address() as { port: number }).port
  if (latencyMs !== undefined) await slowNextAnswer(t, sim, latencyMs)
  const dir = t.testdir({})
  const config = join(dir, 'gateway.json')
  writeFileSync(config, JSON.stringify({
    dataPlane: { host: '127.0.0.1', port: 0, tls: { cert: pki.server.cert, key: pki.server.key, clientCertificates: 'optional', clientCa: pki.ca.cert } },
    ops: options.ops === true ? { host: '127.0.0.1', port: 0, probeIntervalMs: 60000 } : { enabled: false },
    shutdown: { drainTimeoutMs: 20000 },
    environments: ecoleBehindSimulator(pki, simPort, { timeouts: { headersMs: 30000 } })
  }))
  const child = startCli(config)
  t.teardown(() => { if (child.proc.exitCode === null) child.proc.kill('SIGKILL') })
  const port = await child.port
  if (port < 0) throw new Error(`the CLI exited: ${JSON.stringify(child.lines)}`)
  const client = new Agent({ connect: { ca: await readFile(pki.ca.cert), cert: await readFile(pki.client.cert), key: await readFile(pki.client.key) } })
  t.teardown(() => client.destroy())
  return { child, sim, client, port }
}

/** Waits until the call is held by the simulator's injected latency (counted when it starts). */
async function untilSimulatorGot (sim: Simulator, total: number): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    const stats = (await sim.admin.inject({ method: 'GET', url: '/faults' })).json() as { total: number }
    if (stats.total >= total) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error('the call never reached the simulator')
}

/**
 * Waits until the simulator holds `pending` (its injected latencies counted `total` calls). Should
 * the gateway answer first, fails with what it answered (seen on loaded CI machines, where the
 * bare timeout said nothing) and resolves false.
 */
async function untilSimulatorHolds (t: Test, sim: Simulator, total: number, pending: Promise<Dispatcher.ResponseData>): Promise<boolean> {
  const reached = untilSimulatorGot(sim, total).then(() => true)
  const answeredFirst = pending.then(() => false, () => false)
  if (await Promise.race([reached, answeredFirst])) return true
  reached.catch(() => {})
  const early = await pending.catch((err: unknown) => err as Error)
  t.fail('the gateway answered before the simulator held the call', {
    answer: 'statusCode' in early ? `${early.statusCode} ${(await early.body.text()).slice(0, 400)}` : String(early)
  })
  return false
}

t.test('SIGTERM during a slow call: the call completes, then the process exits 0', async (t) => {
  const { child, sim, client, port } = await setup(t, 1500)
  const url = `https://127.0.0.1:${port}/ecole/services/DemandeLogementImplService/`
  const pending = request(url, { method: 'POST', body: read.message, headers: { 'content-type': read.contentType }, dispatcher: client })
  if (!await untilSimulatorHolds(t, sim, 1, pending)) return
  child.proc.kill('SIGTERM')
  const res = await pending
  const body = await res.body.text()
  t.equal(res.statusCode, 200, 'the in-flight call got its answer')
  t.match(body, 'demandeLogementReponse')
  t.equal(res.headers.connection, 'close', 'the answer closes its connection during the drain')
  // A new connection after the signal is refused: the listener no longer accepts.
  const fresh = new Agent({ connect: { ca: readFileSync((await testPki()).ca.cert) } })
  t.teardown(() => fresh.destroy())
  await t.rejects(request(url, { method: 'GET', dispatcher: fresh }), 'no new connection')
  t.equal(await child.exited, 0)
  const messages = child.lines.map((l) => l.msg)
  t.ok(messages.includes('shutting down: draining in-flight calls'))
  t.ok(messages.includes('stopped'), 'logs flushed to the last line')
  t.ok(child.lines.some((l) => l.access === true && l.status === 200), 'the drained call has its access line')
})

t.test('a second signal forces the exit', async (t) => {
  const { child, sim, client, port } = await setup(t, 15000)
  const url = `https://127.0.0.1:${port}/ecole/services/DemandeLogementImplService/`
  const call = request(url, { method: 'POST', body: read.message, headers: { 'content-type': read.contentType }, dispatcher: client })
  if (!await untilSimulatorHolds(t, sim, 1, call)) return
  const pending = call.then(() => 'answered', () => 'cut')
  child.proc.kill('SIGTERM')
  for (let i = 0; i < 500 && !child.lines.some((l) => l.msg === 'shutting down: draining in-flight calls'); i++) await new Promise((resolve) => setTimeout(resolve, 10))
  child.proc.kill('SIGTERM')
  t.equal(await child.exited, 1)
  t.equal(await pending, 'cut', 'the slow call did not get to finish')
  t.ok(child.lines.some((l) => l.msg === 'second signal: exiting now, in-flight calls are cut'))
})

/** The i-th request of a pipeline: mostly WSDL reads, every fifth a call forwarded upstream. */
const held = corpusCase('valid-getDoublons-mtom')!

/** One pipelined request of a burst's connection: a SOAP read every fifth, WSDL GETs otherwise. */
function pipelined (i: number): Buffer {
  const service = '/ecole/services/DemandeLogementImplService/'
  if (i % 5 === 0) return soapPost(service, read)
  return Buffer.from(`GET ${service}?wsdl HTTP/1.1\r\nhost: localhost\r\n\r\n`)
}

function soapPost (service: string, c: { message: Buffer, contentType: string }): Buffer {
  return Buffer.concat([Buffer.from(`POST ${service} HTTP/1.1\r\nhost: localhost\r\ncontent-type: ${c.contentType}\r\ncontent-length: ${c.message.length}\r\n\r\n`), c.message])
}

async function tlsConnection (port: number): Promise<TLSSocket> {
  const pki = await testPki()
  const [ca, cert, key] = await Promise.all([readFile(pki.ca.cert), readFile(pki.client.cert), readFile(pki.client.key)])
  return await new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca, cert, key, servername: 'localhost' }, () => { resolve(socket) })
    socket.once('error', reject)
  })
}

/**
 * Sends `perConnection` pipelined requests at once on each of `connections` connections; every other
 * connection is abandoned mid-way, the others read every answer. Resolves once every connection
 * has closed. An abandoned connection's second request is a getDoublons, which the simulator holds
 * (`abandonedHoldMs`, set by the caller): the connection is destroyed `abandonAfterMs` after its
 * first answer, while that call is certainly still in flight — whatever the machine's speed, the
 * burst abandons calls, not only answers already written.
 */
async function pipelinedBurst (port: number, connections: number, perConnection: number, abandonAfterMs: number): Promise<void> {
  const sockets = await Promise.all(Array.from({ length: connections }, async () => await tlsConnection(port)))
  await Promise.all(sockets.map(async (socket, c) => {
    socket.on('error', () => {})
    const closed = new Promise<void>((resolve) => socket.once('close', () => { resolve() }))
    const abandoned = c % 2 === 1
    const requests = Array.from({ length: perConnection }, (_, i) => abandoned && i === 1
      ? soapPost('/ecole/services/DemandeLogementImplService/', held)
      : pipelined(c * perConnection + i))
    socket.write(Buffer.concat(requests))
    let answers = 0
    let tail = ''
    socket.on('data', (chunk: Buffer) => {
      // Status lines, also when one straddles two chunks.
      const text = tail + chunk.toString('latin1')
      const before = answers
      answers += text.split('HTTP/1.1 ').length - 1
      tail = text.slice(-8)
      if (abandoned) {
        if (before === 0 && answers > 0) setTimeout(() => { socket.destroy() }, abandonAfterMs)
      } else if (answers >= perConnection) socket.end()
    })
    await closed
  }))
}

async function inflightGauge (opsPort: number): Promise<number> {
  const res = await request(`http://127.0.0.1:${opsPort}/metrics`)
  const match = /^sne_gateway_inflight_requests (\d+)$/m.exec(await res.body.text())
  return Number(match?.[1] ?? NaN)
}

t.test('1,000 pipelined requests, some on connections abandoned mid-way: back to 0 in flight, then SIGTERM drains without timing out', async (t) => {
  const { child, sim, client, port } = await setup(t, undefined, { ops: true })
  const opsPort = await child.opsPort
  // The abandoned connections' getDoublons are held far longer than the connections live.
  const hold = await sim.admin.inject({ method: 'POST', url: '/faults', payload: { kind: 'latency', latencyMs: 2000, probability: 1, operation: held.operation! } })
  t.equal(hold.statusCode, 201)
  await pipelinedBurst(port, 20, 50, 300)
  t.equal((await sim.admin.inject({ method: 'DELETE', url: `/faults/${(hold.json() as { id: string }).id}` })).statusCode, 204, 'the hold is lifted')
  let inflight = await inflightGauge(opsPort)
  for (let i = 0; i < 500 && inflight !== 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10))
    inflight = await inflightGauge(opsPort)
  }
  t.equal(inflight, 0, 'the in-flight gauge is back to 0')
  t.ok(child.lines.some((l) => l.access === true && l.outcome === 'aborted'), 'abandoned calls were ended as aborted')

  // The slow call: the simulator holds its next getDoublons (the burst's hold is lifted).
  const slow = held
  const injectedBefore = ((await sim.admin.inject({ method: 'GET', url: '/faults' })).json() as { total: number }).total
  await slowNextAnswer(t, sim, 1000, slow.operation!)
  const url = `https://127.0.0.1:${port}/ecole/services/DemandeLogementImplService/`
  const pending = request(url, { method: 'POST', body: slow.message, headers: { 'content-type': slow.contentType }, dispatcher: client })
  if (!await untilSimulatorHolds(t, sim, injectedBefore + 1, pending)) return
  child.proc.kill('SIGTERM')
  const res = await pending
  t.equal(res.statusCode, 200, 'the call in flight at SIGTERM got its answer')
  await res.body.text()
  t.equal(await child.exited, 0)
  t.notOk(child.lines.some((l) => l.msg === 'drain timed out: remaining calls are cut'), 'no drain timeout')
})
