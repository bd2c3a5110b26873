// The readiness probe: GET of the upstream's WSDL through its dispatcher; results per environment.
import t from 'tap'
import { MockAgent } from 'undici'
import { pino } from 'pino'
import { createUpstreamProber, type ProbeResult } from '../../src/proxy/probe.js'

function upstream (mock: MockAgent, name: string, origin: string): Parameters<typeof createUpstreamProber>[0] extends Iterable<infer U> ? U : never {
  return { name, origin, probePath: '/services/S/?wsdl', dispatcher: mock }
}

t.test('each upstream is probed; an answer below 500 is reachable, a 5xx or a failure is not', async (t) => {
  const mock = new MockAgent()
  mock.disableNetConnect()
  t.teardown(() => mock.close())
  mock.get('https://a.test').intercept({ path: '/services/S/?wsdl', method: 'GET' }).reply(200, '<definitions/>')
  mock.get('https://b.test').intercept({ path: '/services/S/?wsdl', method: 'GET' }).reply(503, 'busy')
  mock.get('https://c.test').intercept({ path: '/services/S/?wsdl', method: 'GET' }).replyWithError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))
  const seen: Array<[string, ProbeResult]> = []
  const prober = createUpstreamProber([upstream(mock, 'a', 'https://a.test'), upstream(mock, 'b', 'https://b.test'), upstream(mock, 'c', 'https://c.test')], {
    intervalMs: 60000,
    timeoutMs: 1000,
    clock: () => new Date('2026-01-01T00:00:00Z'),
    logger: pino({ level: 'silent' }),
    onResult: (env, result) => seen.push([env, result])
  })
  await prober.probeAll()
  t.same(prober.results().get('a'), { ok: true, checkedAt: '2026-01-01T00:00:00.000Z', statusCode: 200 })
  t.same(prober.results().get('b'), { ok: false, checkedAt: '2026-01-01T00:00:00.000Z', statusCode: 503, error: 'status' })
  t.same(prober.results().get('c'), { ok: false, checkedAt: '2026-01-01T00:00:00.000Z', error: 'refused' })
  t.equal(seen.length, 3)
})

t.test('start probes at once and on an interval; stop clears the timer', async (t) => {
  const mock = new MockAgent()
  mock.disableNetConnect()
  t.teardown(() => mock.close())
  mock.get('https://a.test').intercept({ path: '/services/S/?wsdl', method: 'GET' }).reply(200, 'x').persist()
  let probes = 0
  const prober = createUpstreamProber([upstream(mock, 'a', 'https://a.test')], {
    intervalMs: 10,
    timeoutMs: 1000,
    clock: () => new Date(),
    logger: pino({ level: 'silent' }),
    onResult: () => { probes++ }
  })
  prober.start()
  for (let i = 0; i < 500 && probes < 3; i++) await new Promise((resolve) => setTimeout(resolve, 5))
  t.ok(probes >= 3, 'probed repeatedly')
  prober.stop()
  await new Promise((resolve) => setTimeout(resolve, 20))
  const after = probes
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal(probes, after, 'no probe once stopped')
})
