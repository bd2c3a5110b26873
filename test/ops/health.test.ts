// /health/live and /health/ready: readiness from the spec, the drain flag and the upstream probes;
// the probe timer follows the ops plane's lifecycle (onReady / onClose).
import t, { type Test } from 'tap'
import Fastify from 'fastify'
import { healthRoutes } from '../../src/ops/health.js'
import type { ProbeResult, UpstreamProber } from '../../src/proxy/probe.js'
import type { InterfaceSpec } from '../../src/contract/types.js'
import { unitGateway, UPSTREAM_PATH } from '../routes/helpers/unit-gateway.js'

function fakeProber (results: Map<string, ProbeResult>): UpstreamProber & { started: number, stopped: number } {
  return {
    started: 0,
    stopped: 0,
    start () { this.started++ },
    stop () { this.stopped++ },
    async probeAll () {},
    results: () => results
  }
}

const spec = { operations: new Map([['getNumUnique', {}]]), interfaceVersions: ['02.01'] } as unknown as InterfaceSpec
const ok: ProbeResult = { ok: true, checkedAt: '2026-01-01T00:00:00.000Z', statusCode: 200 }

async function app (t: Test, options: { results?: Map<string, ProbeResult>, draining?: boolean, spec?: InterfaceSpec }) {
  const prober = fakeProber(options.results ?? new Map([['ecole', ok]]))
  const a = Fastify()
  await a.register(healthRoutes({ spec: options.spec ?? spec, prober, environments: ['ecole'], draining: () => options.draining ?? false }))
  t.teardown(async () => { await a.close() })
  return { a, prober }
}

t.test('live answers while the process runs', async (t) => {
  const { a } = await app(t, { results: new Map() })
  const res = await a.inject('/health/live')
  t.equal(res.statusCode, 200)
  t.same(res.json(), { status: 'live' })
})

t.test('ready when the spec is loaded and every upstream answered its probe', async (t) => {
  const { a } = await app(t, {})
  const res = await a.inject('/health/ready')
  t.equal(res.statusCode, 200)
  t.same(res.json(), { status: 'ready', draining: false, spec: { ok: true, operations: 1, interfaceVersions: ['02.01'] }, upstreams: { ecole: ok } })
})

t.test('not ready before the first probe', async (t) => {
  const { a } = await app(t, { results: new Map() })
  const res = await a.inject('/health/ready')
  t.equal(res.statusCode, 503)
  t.match(res.json(), { status: 'not_ready', upstreams: { ecole: { ok: false, error: 'not probed yet' } } })
})

t.test('not ready when an upstream failed its probe', async (t) => {
  const { a } = await app(t, { results: new Map([['ecole', { ok: false, checkedAt: 'x', error: 'refused' }]]) })
  t.equal((await a.inject('/health/ready')).statusCode, 503)
})

t.test('not ready while draining', async (t) => {
  const { a } = await app(t, { draining: true })
  const res = await a.inject('/health/ready')
  t.equal(res.statusCode, 503)
  t.match(res.json(), { draining: true })
})

t.test('not ready without operations', async (t) => {
  const { a } = await app(t, { spec: { ...spec, operations: new Map() } as unknown as InterfaceSpec })
  t.equal((await a.inject('/health/ready')).statusCode, 503)
})

t.test('the probe timer starts on ready and stops on close', async (t) => {
  const prober = fakeProber(new Map())
  const a = Fastify()
  await a.register(healthRoutes({ spec, prober, environments: [], draining: () => false }))
  t.equal(prober.started, 0, 'not at build')
  await a.ready()
  t.equal(prober.started, 1)
  await a.close()
  t.equal(prober.stopped, 1)
})

t.test('through the gateway: the probe GETs the upstream WSDL', async (t) => {
  const gw = await unitGateway()
  t.teardown(gw.close)
  gw.upstream.intercept({ path: `${UPSTREAM_PATH}?wsdl`, method: 'GET' }).reply(200, '<definitions/>').persist()
  const ops = gw.gateway.ops!
  let res = await ops.inject('/health/ready')
  // The first probe starts on ready and completes asynchronously: bounded wait for it.
  for (let i = 0; i < 200 && res.statusCode !== 200; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5))
    res = await ops.inject('/health/ready')
  }
  t.equal(res.statusCode, 200)
  t.match(res.json(), { upstreams: { ecole: { ok: true, statusCode: 200 } } })
  t.match(await gw.gateway.metrics.registry.metrics(), 'sne_gateway_upstream_up{env="ecole"} 1')
})
