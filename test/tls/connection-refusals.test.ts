// Refused connections: every one counted by reason, logged with its address within a token bucket
// (a flood does not flood the log), the lines left out carried by the next line.
import t from 'tap'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { Registry, Counter } from 'prom-client'
import { createRefusalReporter } from '../../src/tls/connection-refusals.js'

t.test('counted always, logged within the budget, suppressed lines reported', async (t) => {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({ write (chunk: Buffer, _enc, cb) { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); cb() } })
  const registry = new Registry()
  const counter = new Counter({ name: 'refused_total', help: 'x', labelNames: ['reason'], registers: [registry] })
  let now = 0
  const report = createRefusalReporter({ ratePerSecond: 2, burst: 3 }, { counter, logger: pino(stream), now: () => now })
  for (let i = 0; i < 100; i++) report('per_address', '192.0.2.7')
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(lines.length, 3, 'the burst only')
  t.match(lines[0], { level: 40, event: 'connection_refused', reason: 'per_address', remoteAddress: '192.0.2.7', msg: 'connection refused: too many connections from this address' })
  t.equal((await counter.get()).values[0]?.value, 100, 'every refusal counted')
  now += 500
  report('idle_before_request', '192.0.2.8')
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(lines.length, 4, 'one more after half a second at 2 per second')
  t.match(lines[3], { reason: 'idle_before_request', suppressed: 97 })
})
