// The data plane's body reader alone, on a bare Fastify app: raw bodies of every media type,
// bodyLimit on declared and received bytes, and the body budget reserved as chunks arrive and given
// back exactly once (refusal, end of the call, client gone).
import t, { type Test } from 'tap'
import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import Fastify, { type FastifyInstance } from 'fastify'
import { addBodyReader } from '../../src/routes/body-reader.js'
import { kCall, newCallState } from '../../src/routes/call-state.js'
import { createBodyBudget, type BodyBudget, type BudgetScope } from '../../src/limits/body-budget.js'

interface Bench { app: FastifyInstance, budget: BodyBudget, refused: BudgetScope[], gate: { wait: Promise<void> } }

async function bench (t: Test, limits: { bodyLimit?: number, totalBytes?: number, perIdentityBytes?: number } = {}): Promise<Bench> {
  const app = Fastify()
  t.teardown(async () => { await app.close() })
  const budget = createBodyBudget({ totalBytes: limits.totalBytes ?? 1 << 20, perIdentityBytes: limits.perIdentityBytes ?? 1 << 20 })
  const refused: BudgetScope[] = []
  app.decorateRequest(kCall, null as unknown as never)
  app.addHook('onRequest', async (request, reply) => {
    const state = newCallState(0)
    request[kCall] = state
    // As routes/index.ts: the call ends when its response closes.
    reply.raw.once('close', () => { state.body?.release() })
  })
  addBodyReader(app, {
    bodyLimit: limits.bodyLimit ?? 1024,
    budget,
    identityOf: (request) => String(request.headers['x-identity'] ?? ''),
    onRefused: (_request, scope) => { refused.push(scope) }
  })
  app.post('/', async (request) => ({ isBuffer: Buffer.isBuffer(request.body), length: (request.body as Buffer).length, held: budget.inFlight() }))
  // A call whose handler waits for the test: its body stays held meanwhile.
  const gate = { wait: Promise.resolve() }
  app.post('/slow', async (request) => {
    await gate.wait
    return { length: (request.body as Buffer).length }
  })
  return { app, budget, refused, gate }
}

t.test('SOAP media types are registered by name (cached lookup); anything else still reads raw', async (t) => {
  const { app } = await bench(t)
  for (const type of ['multipart/related', 'application/soap+xml', 'text/xml']) {
    t.ok(app.hasContentTypeParser(type), type)
  }
  for (const type of ['multipart/related; type="application/xop+xml"; boundary="B"', 'application/json', 'x-whatever/thing']) {
    const res = await app.inject({ method: 'POST', url: '/', headers: { 'content-type': type }, payload: '{"a":1}' })
    t.match(res.json(), { isBuffer: true, length: 7 }, type)
  }
})

t.test('bodyLimit applies to the declared length and to the bytes received (chunked)', async (t) => {
  const { app, budget } = await bench(t)
  const declared = await app.inject({ method: 'POST', url: '/', headers: { 'content-type': 'text/xml' }, payload: Buffer.alloc(2048) })
  t.equal(declared.statusCode, 413)
  t.equal(declared.json().code, 'GW_ROUTE_BODY_TOO_LARGE')
  const chunked = await app.inject({ method: 'POST', url: '/', headers: { 'content-type': 'text/xml' }, payload: Readable.from([Buffer.alloc(600), Buffer.alloc(600)]) })
  t.equal(chunked.statusCode, 413, 'no Content-Length: refused on the bytes received')
  t.equal(chunked.headers.connection, 'close', 'the connection of a refused upload is closed')
  t.equal(budget.inFlight(), 0)
})

t.test('a body is held against the budget while its call runs, and given back once it ends', async (t) => {
  const { app, budget } = await bench(t)
  const res = await app.inject({ method: 'POST', url: '/', headers: { 'content-type': 'text/xml', 'x-identity': 'G1226' }, payload: Buffer.alloc(700) })
  t.match(res.json(), { length: 700, held: 700 }, 'reserved while the handler runs')
  t.equal(budget.inFlight(), 0, 'released when the response closed')
  t.equal(budget.heldBy('G1226'), 0)
})

t.test('over the identity\'s share or the total, the upload is refused from the bytes received and nothing stays reserved', async (t) => {
  const { app, budget, refused, gate } = await bench(t, { bodyLimit: 4096, perIdentityBytes: 1000, totalBytes: 1500 })
  // No Content-Length: the decision comes from the chunks.
  const mine = await app.inject({ method: 'POST', url: '/', headers: { 'content-type': 'text/xml', 'x-identity': 'G1226' }, payload: Readable.from([Buffer.alloc(600), Buffer.alloc(600)]) })
  t.equal(mine.statusCode, 429)
  t.equal(mine.json().code, 'GW_LIMIT_BODY_MEMORY_IDENTITY')
  t.equal(mine.headers.connection, 'close')
  t.same(refused, ['identity'])
  t.equal(budget.inFlight(), 0, 'the refused bytes are given back')

  // Hold 900 bytes of another identity (a request whose handler is still running), then overflow the total.
  let release: () => void = () => {}
  gate.wait = new Promise<void>((resolve) => { release = resolve })
  const slow = app.inject({ method: 'POST', url: '/slow', headers: { 'content-type': 'text/xml', 'x-identity': 'G1104' }, payload: Buffer.alloc(900) })
  for (let i = 0; i < 200 && budget.inFlight() === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5))
  t.equal(budget.heldBy('G1104'), 900)
  const total = await app.inject({ method: 'POST', url: '/', headers: { 'content-type': 'text/xml', 'x-identity': 'G2000' }, payload: Buffer.alloc(700) })
  t.equal(total.statusCode, 503)
  t.equal(total.json().code, 'GW_LIMIT_BODY_MEMORY')
  t.same(refused, ['identity', 'total'])
  t.equal(budget.inFlight(), 900)
  release()
  t.equal((await slow).statusCode, 200)
  t.equal(budget.inFlight(), 0)
})

t.test('a client that goes away mid-upload gives its bytes back', async (t) => {
  const { app, budget } = await bench(t, { bodyLimit: 1 << 20 })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo
  const socket = connect(port, '127.0.0.1')
  t.teardown(() => { socket.destroy() })
  socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nX-Identity: G1226\r\nContent-Length: 100000\r\n\r\n')
  socket.write(Buffer.alloc(40000))
  for (let i = 0; i < 400 && budget.inFlight() < 40000; i++) await new Promise((resolve) => setTimeout(resolve, 5))
  t.equal(budget.heldBy('G1226'), 40000, 'the bytes received are reserved')
  socket.destroy()
  for (let i = 0; i < 400 && budget.inFlight() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 5))
  t.equal(budget.inFlight(), 0, 'released when the client went away')
})
