// Load shedding in front of a slow upstream, over real mutual TLS: with 2 connections for calls
// and 3 places to wait, the 6th caller on is refused at once (GW_PROXY_QUEUE_FULL, a Fault, or
// problem+json on the REST API), the waiting ones after queue.maxWaitMs (GW_PROXY_QUEUE_TIMEOUT),
// all 503 with Retry-After and counted; the request bodies held stay within what the configuration
// allows; the readiness probe, on its own connection, keeps the gateway ready meanwhile.
import t from 'tap'
import { request } from 'undici'
import { corpusCase, startStack } from './helpers/gateway-stack.js'

const SERVICE = '/ecole/services/DemandeLogementImplService/'
const read = corpusCase('valid-getDemandeLogement-mtom')!
const subcode = (body: Buffer): string | undefined => /<env:Subcode><env:Value>gw:(\w+)</.exec(body.toString('utf8'))?.[1]
const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

t.test('calls beyond the upstream connections and the queue are shed with 503 and Retry-After', async (t) => {
  const stack = await startStack({
    edit: (c) => {
      c.environments.ecole.upstream.connections = 2
      c.environments.ecole.upstream.queue = { maxWaiting: 3, maxWaitMs: 1500 }
      c.ops.probeIntervalMs = 100
      c.ops.probeTimeoutMs = 1000
    }
  })
  t.teardown(stack.close)
  const rule = await stack.sim!.admin.inject({ method: 'POST', url: '/faults', payload: { kind: 'latency', latencyMs: 4000, count: 2, operation: 'getDemandeLogement' } })
  t.equal(rule.statusCode, 201)
  const metrics = async (): Promise<string> => await (await request(`${stack.opsUrl!}/metrics`)).body.text()
  const gauge = async (pattern: RegExp): Promise<number> => Number(pattern.exec(await metrics())?.[1] ?? NaN)
  const call = async (): Promise<Awaited<ReturnType<typeof stack.post>>> => await stack.post(SERVICE, read.message, read.contentType)

  // Two calls hold both connections (the simulator sits on them)…
  const held = [call(), call()]
  let heldAnswered = false
  void Promise.all(held).then(() => { heldAnswered = true })
  const delayed = async (): Promise<number> => ((await stack.sim!.admin.inject({ method: 'GET', url: '/faults' })).json() as { total: number }).total
  for (let i = 0; i < 500 && await delayed() < 2; i++) await sleep(10)
  // … three more wait for one …
  const waiting = [call(), call(), call()]
  let queued = 0
  for (let i = 0; i < 500 && queued < 3; i++) {
    await sleep(10)
    queued = await gauge(/^sne_gateway_upstream_waiting_calls\{env="ecole"\} (\d+)$/m)
  }
  t.equal(queued, 3, 'three calls wait for a connection')
  // … and the next ones are refused at once.
  const refused = await Promise.all([call(), call(), call(), call()])
  for (const res of refused) {
    t.equal(res.status, 503)
    t.equal(res.headers['retry-after'], '1')
    t.equal(subcode(res.body), 'GW_PROXY_QUEUE_FULL')
  }
  const rest = await request(`${stack.gatewayUrl}/ecole/api/v1/demandes/0750124000001G1226`, { headers: { 'sne-guichet': 'G1226' }, dispatcher: stack.client })
  t.equal(rest.statusCode, 503, 'a REST call is shed the same way')
  t.equal(rest.headers['retry-after'], '1')
  t.match(rest.headers['content-type'], /^application\/problem\+json/)
  t.match(await rest.body.json(), { status: 503, code: 'GW_PROXY_QUEUE_FULL' })

  // Memory follows what the configuration admits, not the number of callers: the request bodies
  // held are those of the 2 calls upstream and the 3 waiting.
  const held5 = await gauge(/^sne_gateway_body_bytes_in_flight (\d+)$/m)
  t.ok(held5 > 0 && held5 <= 5 * read.message.length, `body bytes held ${held5} ≤ (connections + maxWaiting) × ${read.message.length}`)

  // The probe has its own connection: the gateway stays ready while every call connection is busy.
  const probedAfter = Date.now()
  let ready: { statusCode: number, body: { upstreams: { ecole: { ok: boolean, checkedAt: string } } } } | undefined
  for (let i = 0; i < 300; i++) {
    const res = await request(`${stack.opsUrl!}/health/ready`)
    ready = { statusCode: res.statusCode, body: await res.body.json() as never }
    if (Date.parse(ready.body.upstreams.ecole.checkedAt) >= probedAfter) break
    await sleep(10)
  }
  t.equal(ready?.statusCode, 200, 'ready during the overload')
  t.ok(Date.parse(ready!.body.upstreams.ecole.checkedAt) >= probedAfter, 'by a probe made during it')
  t.notOk(heldAnswered, 'answered while the calls still held every call connection')

  for (const res of await Promise.all(waiting)) {
    t.equal(res.status, 503)
    t.equal(res.headers['retry-after'], '1')
    t.equal(subcode(res.body), 'GW_PROXY_QUEUE_TIMEOUT')
  }
  for (const res of await Promise.all(held)) t.equal(res.status, 200, 'the calls that had a connection are answered')

  const text = await metrics()
  t.match(text, /^sne_gateway_upstream_shed_total\{env="ecole",reason="queue_full"\} 5$/m)
  t.match(text, /^sne_gateway_upstream_shed_total\{env="ecole",reason="queue_timeout"\} 3$/m)
  t.match(text, /^sne_gateway_upstream_waiting_calls\{env="ecole"\} 0$/m)
  t.match(text, /^sne_gateway_body_bytes_in_flight 0$/m)
  // Connections free again: the next call goes through.
  t.equal((await call()).status, 200)
})
