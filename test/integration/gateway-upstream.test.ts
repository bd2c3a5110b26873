// Upstream failures over real sockets: the simulator down, slow (read and write), unreachable by
// name, answering 503, resetting, truncating; each answered as the mapping says, with the audit
// record of a write whose outcome is unknown.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { createServer as createHttpsServer } from 'node:https'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { BUFFERED_ANSWER_MAX } from '../../src/routes/soap-service.js'
import { testPki } from '../helpers/pki.js'
import { corpusCase, startStack, type Stack } from './helpers/gateway-stack.js'

const SERVICE = '/ecole/services/DemandeLogementImplService/'
const read = corpusCase('valid-getDemandeLogement-mtom')!
const write = corpusCase('valid-getNumUnique-cre-mtom')!

function subcode (body: Buffer): string | undefined {
  return /<env:Subcode><env:Value>gw:([A-Z_]+)</.exec(body.toString('utf8'))?.[1]
}

async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

async function inject (stack: Stack, rule: Record<string, unknown>): Promise<void> {
  const res = await stack.sim!.admin.inject({ method: 'POST', url: '/faults', payload: rule })
  if (res.statusCode !== 201) throw new Error(`fault rule refused: ${res.body}`)
}

t.test('simulator down: 502, after one retry of the read', async (t) => {
  const port = await freePort()
  const stack = await startStack({ upstreamUrl: `https://127.0.0.1:${port}` })
  t.teardown(stack.close)
  const res = await stack.post(SERVICE, read.message, read.contentType)
  t.equal(res.status, 502)
  t.equal(subcode(res.body), 'GW_PROXY_UPSTREAM_UNREACHABLE')
  t.match(await stack.gateway.metrics.registry.metrics(), 'sne_gateway_upstream_retries_total{env="ecole"} 1')
  const w = await stack.post(SERVICE, write.message, write.contentType)
  t.equal(w.status, 502, 'a write refused at connect was certainly not sent: a plain 502')
  t.equal(subcode(w.body), 'GW_PROXY_UPSTREAM_UNREACHABLE')
})

t.test('upstream host name that does not resolve: 503', async (t) => {
  const stack = await startStack({ upstreamUrl: 'https://sne-gateway-test-host.invalid' })
  t.teardown(stack.close)
  const res = await stack.post(SERVICE, read.message, read.contentType)
  t.equal(res.status, 503)
  t.equal(subcode(res.body), 'GW_PROXY_UPSTREAM_DNS')
})

t.test('simulator slow on a read: 504 from the headers timeout, not the simulator\'s late answer', async (t) => {
  const stack = await startStack({ edit: (c) => { c.environments.ecole.upstream.timeouts.headersMs = 300 } })
  t.teardown(stack.close)
  await inject(stack, { kind: 'latency', latencyMs: 5000, count: 1, operation: 'getDemandeLogement' })
  const res = await stack.post(SERVICE, read.message, read.contentType)
  t.equal(res.status, 504)
  t.equal(subcode(res.body), 'GW_PROXY_UPSTREAM_TIMEOUT')
  t.match(stack.logs.access().at(-1), { outcome: 'upstream_error', upstreamError: 'UND_ERR_HEADERS_TIMEOUT', status: 504 })
})

t.test('simulator slow on getNumUnique: outcome unknown, audit record', async (t) => {
  const dir = t.testdir({})
  const audit = join(dir, 'audit.jsonl')
  const stack = await startStack({ edit: (c) => { c.environments.ecole.upstream.timeouts.headersMs = 300; c.audit = { file: audit } } })
  t.teardown(stack.close)
  await inject(stack, { kind: 'latency', latencyMs: 5000, count: 1, operation: 'getNumUnique' })
  const res = await stack.post(SERVICE, write.message, write.contentType, { 'x-request-id': 'slow-write-1' })
  t.equal(res.status, 504)
  t.equal(subcode(res.body), 'GW_PROXY_OUTCOME_UNKNOWN')
  const record = JSON.parse(readFileSync(audit, 'utf8').trim()) as Record<string, unknown>
  t.match(record, { event: 'outcome_unknown', reqId: res.headers['x-request-id'], clientRequestId: 'slow-write-1', env: 'ecole', operation: 'getNumUnique', identity: 'G1226', fileName: 'DEMG1226-202501141032-000000.xml', cause: 'UND_ERR_HEADERS_TIMEOUT' })
})

t.test('an upstream 503 comes back as it is', async (t) => {
  const stack = await startStack()
  t.teardown(stack.close)
  await inject(stack, { kind: 'http-503', count: 1 })
  const res = await stack.post(SERVICE, read.message, read.contentType)
  t.equal(res.status, 503)
  t.equal(subcode(res.body), undefined, 'not a gateway Fault')
  t.match(stack.logs.access().at(-1), { outcome: 'forwarded', upstreamStatus: 503 })
})

t.test('a reset after the request was read: 502 for a read, outcome unknown for a write', async (t) => {
  const stack = await startStack()
  t.teardown(stack.close)
  await inject(stack, { kind: 'reset-after-body', count: 2 })
  const r = await stack.post(SERVICE, read.message, read.contentType)
  t.equal(r.status, 502)
  t.equal(subcode(r.body), 'GW_PROXY_UPSTREAM_RESET')
  const w = await stack.post(SERVICE, write.message, write.contentType)
  t.equal(w.status, 504)
  t.equal(subcode(w.body), 'GW_PROXY_OUTCOME_UNKNOWN')
  t.equal((await stack.simulatorStats()).total, 2, 'neither was retried')
})

t.test('a truncated answer is read whole first, so the client gets a Fault, never a cut answer', async (t) => {
  const dir = t.testdir({})
  const audit = join(dir, 'audit.jsonl')
  const stack = await startStack({ edit: (c) => { c.audit = { file: audit } } })
  t.teardown(stack.close)
  await inject(stack, { kind: 'truncate', count: 2 })
  const r = await stack.post(SERVICE, read.message, read.contentType)
  t.equal(r.status, 502, 'a read: the upstream failed')
  t.equal(subcode(r.body), 'GW_PROXY_UPSTREAM_RESET')
  t.equal(Number(r.headers['content-length']), r.body.length, 'the Fault is complete')
  t.match(stack.logs.access().at(-1), { outcome: 'upstream_error', status: 502 })

  const w = await stack.post(SERVICE, write.message, write.contentType, { 'x-request-id': 'cut-write-1' })
  t.equal(w.status, 504, 'a write: it was carried out, its answer was lost')
  t.equal(subcode(w.body), 'GW_PROXY_OUTCOME_UNKNOWN')
  t.match(stack.logs.access().at(-1), { outcome: 'outcome_unknown', status: 504 })
  const record = JSON.parse(readFileSync(audit, 'utf8').trim()) as Record<string, unknown>
  t.match(record, { event: 'answer_truncated', reqId: w.headers['x-request-id'], clientRequestId: 'cut-write-1', operation: 'getNumUnique', identity: 'G1226' })
})

t.test('a large chunked answer streams, and one cut mid-way reaches the client cut', async (t) => {
  const pki = await testPki()
  let calls = 0
  const upstream = createHttpsServer({ cert: readFileSync(pki.simulator.cert), key: readFileSync(pki.simulator.key) }, (req, res) => {
    req.resume()
    req.on('end', () => {
      // No Content-Length: chunked, as JAX-WS answers are; larger than what the gateway reads whole.
      res.writeHead(200, { 'content-type': 'application/soap+xml' })
      const cut = req.method === 'POST' && ++calls === 2
      res.write(Buffer.alloc(BUFFERED_ANSWER_MAX + 1024, 0x20), () => {
        if (cut) res.socket?.destroy()
        else res.end('<end/>')
      })
    })
  })
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { upstream.closeAllConnections(); upstream.close() })
  const port = (upstream.address() as { port: number }).port
  const stack = await startStack({ upstreamUrl: `https://127.0.0.1:${port}`, edit: (c) => { c.validation = { mode: 'off' } } })
  t.teardown(stack.close)

  const whole = await stack.post(SERVICE, read.message, read.contentType)
  t.equal(whole.status, 200)
  t.equal(whole.body.length, BUFFERED_ANSWER_MAX + 1024 + '<end/>'.length, 'passed on whole')

  let outcome: string
  try {
    // the second call is cut
    const res = await stack.post(SERVICE, read.message, read.contentType)
    outcome = `complete(${res.status}, ${res.body.length} bytes)`
  } catch {
    outcome = 'error'
  }
  t.equal(outcome, 'error', 'the client sees an incomplete answer, not a completed one')
  for (let i = 0; i < 100 && stack.logs.access().at(-1)?.outcome === 'forwarded'; i++) await new Promise((resolve) => setTimeout(resolve, 10))
  t.match(stack.logs.access().at(-1), { outcome: /^(upstream_error|aborted)$/ })
})
