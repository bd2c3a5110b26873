// The rejection log: one line per refusal with the census fields, a token bucket, and the count of
// suppressed lines carried by the next line or flushed on its own.
import t from 'tap'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { createRejectionLog } from '../../src/census/rejection-log.js'
import { legacy, manualClock, rejected, success } from './helpers/records.js'

function capture (): { logger: pino.Logger, lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({
    write (chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>)
      cb()
    }
  })
  return { logger: pino({ level: 'info' }, stream), lines }
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

t.test('one line per refusal, with the census fields and nothing of the connection', async (t) => {
  const { logger, lines } = capture()
  const log = createRejectionLog({}, { logger })
  log.log(legacy(0, '192.0.2.7', 'gw.example', 0x0302))
  log.log(rejected(0, '192.0.2.8', 'plain-http'))
  log.log(success(0))
  log.log(rejected(0, '192.0.2.9', 'empty'))
  await tick()
  t.equal(lines.length, 2, 'successes and empty connections are not logged')
  t.match(lines[0], { level: 40, event: 'tls_rejected', remoteAddress: '192.0.2.7', outcome: 'failure', reason: 'unsupported-protocol', offeredVersion: 'TLSv1.1', sni: 'gw.example', ja4: /^t11d/, msg: 'legacy TLS handshake refused' })
  t.notOk('suppressed' in lines[0]!)
  t.match(lines[1], { event: 'tls_rejected', reason: 'plain-http', msg: 'non-TLS connection closed' })
})

t.test('a scan is rate-limited: burst, then the rate; the suppressed count rides on the next line', async (t) => {
  const { logger, lines } = capture()
  const c = manualClock()
  let counted = 0
  const log = createRejectionLog({ burst: 3, ratePerSecond: 2 }, { logger, clock: c.clock, onSuppressed: () => counted++ })
  for (let i = 0; i < 100; i++) log.log(legacy(c.now(), `192.0.2.${i}`))
  await tick()
  t.equal(lines.length, 3, 'the burst')
  t.equal(log.suppressed, 97)
  t.equal(counted, 97)
  c.advance(500) // one token at 2 per second
  log.log(legacy(c.now(), '192.0.2.200'))
  log.log(legacy(c.now(), '192.0.2.201'))
  await tick()
  t.equal(lines.length, 4)
  t.match(lines[3], { remoteAddress: '192.0.2.200', suppressed: 97 })
  t.equal(log.suppressed, 1)
  log.flush()
  await tick()
  t.match(lines[4], { event: 'tls_rejected_suppressed', suppressed: 1 })
  log.flush()
  await tick()
  t.equal(lines.length, 5, 'nothing pending: flush writes nothing')
})
