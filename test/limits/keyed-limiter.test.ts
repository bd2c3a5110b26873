// Rate and concurrency per key: admission, release counted once, all-or-nothing over several keys,
// bounded state, and the RateLimit values a JSON route answers.
import t from 'tap'
import { CONCURRENCY_RETRY_SECONDS, createKeyedLimiter } from '../../src/limits/keyed-limiter.js'
import { rateLimitFields } from '../../src/limits/rate-limit-fields.js'

t.test('rate: burst calls at once, then one per token, with Retry-After rounded up', async (t) => {
  const l = createKeyedLimiter({ ratePerSecond: 0.5, burst: 2 })
  t.match(l.admit(['G1226'], 0), { admitted: true })
  t.match(l.admit(['G1226'], 0), { admitted: true })
  t.same(l.admit(['G1226'], 0), { admitted: false, limit: 'rate', key: 'G1226', retryAfterSeconds: 2 })
  t.same(l.admit(['G1226'], 1500), { admitted: false, limit: 'rate', key: 'G1226', retryAfterSeconds: 1 }, '0.5 s left: 1 s')
  t.match(l.admit(['G1226'], 2000), { admitted: true }, 'a token came back')
  t.match(l.admit(['G1104'], 2000), { admitted: true }, 'another key has its own bucket')
})

t.test('burst defaults to the rate rounded up', async (t) => {
  const l = createKeyedLimiter({ ratePerSecond: 2.5 })
  for (let i = 0; i < 3; i++) t.match(l.admit(['a'], 0), { admitted: true })
  t.match(l.admit(['a'], 0), { admitted: false, limit: 'rate' })
})

t.test('concurrency: a slot is held until released, and a release counts once', async (t) => {
  const l = createKeyedLimiter({ concurrent: 2 })
  const a = l.admit(['G1226'], 0)
  const b = l.admit(['G1226'], 0)
  t.same(l.admit(['G1226'], 0), { admitted: false, limit: 'concurrency', key: 'G1226', retryAfterSeconds: CONCURRENCY_RETRY_SECONDS })
  t.equal(l.inProgress('G1226'), 2)
  if (!a.admitted || !b.admitted) throw new Error('admitted')
  a.release()
  a.release()
  a.release()
  t.equal(l.inProgress('G1226'), 1, 'three releases of one call free one slot')
  const c = l.admit(['G1226'], 0)
  t.match(c, { admitted: true })
  t.match(l.admit(['G1226'], 0), { admitted: false, limit: 'concurrency' })
  b.release()
  if (c.admitted) c.release()
  t.equal(l.inProgress('G1226'), 0)
})

t.test('several keys: all or nothing; a refused call takes no token and no slot', async (t) => {
  const l = createKeyedLimiter({ ratePerSecond: 1, burst: 1, concurrent: 5 })
  t.match(l.admit(['G0002'], 0), { admitted: true })
  t.match(l.admit(['G0001', 'G0002'], 0), { admitted: false, limit: 'rate', key: 'G0002' })
  t.equal(l.inProgress('G0001'), 1 - 1, 'G0001 holds no slot')
  t.same(l.rateLimit('G0001', 0), { limit: 1, remaining: 1, resetSeconds: 0 }, 'and kept its token')
  const both = l.admit(['G0001', 'G0001', 'G0003'], 0)
  t.match(both, { admitted: true }, 'a key named twice counts once')
  t.equal(l.inProgress('G0001'), 1)
  if (both.admitted) { both.release(); both.release() }
  t.equal(l.inProgress('G0001'), 0)
  t.equal(l.inProgress('G0003'), 0)
})

t.test('state stays bounded: idle full buckets are dropped, and past maxKeys the oldest idle ones', async (t) => {
  const l = createKeyedLimiter({ ratePerSecond: 10, burst: 10 })
  const admitAndEnd = (limiter: typeof l, key: string, now: number): void => {
    const a = limiter.admit([key], now)
    if (a.admitted) a.release()
  }
  for (let i = 0; i < 10000; i++) admitAndEnd(l, `key-${i}`, i * 1000)
  t.ok(l.size <= 128, `idle keys are swept (${l.size} kept)`)

  const capped = createKeyedLimiter({ ratePerSecond: 1, burst: 1, concurrent: 10 }, { maxKeys: 100 })
  const held = capped.admit(['busy'], 0)
  for (let i = 0; i < 1000; i++) admitAndEnd(capped, `spray-${i}`, 0)
  t.ok(capped.size <= 100, `never more than maxKeys (${capped.size})`)
  t.equal(capped.inProgress('busy'), 1, 'a key with a call in progress is never dropped')
  if (held.admitted) held.release()
  t.equal(capped.inProgress('busy'), 0)
})

t.test('RateLimit values: quota, what is left (rounded down), seconds until full (rounded up)', async (t) => {
  const l = createKeyedLimiter({ ratePerSecond: 2, burst: 4 })
  t.same(l.rateLimit('G1226', 0), { limit: 4, remaining: 4, resetSeconds: 0 }, 'an unknown key is full')
  for (let i = 0; i < 3; i++) l.admit(['G1226'], 0)
  t.same(l.rateLimit('G1226', 0), { limit: 4, remaining: 1, resetSeconds: 2 })
  t.same(l.rateLimit('G1226', 250), { limit: 4, remaining: 1, resetSeconds: 2 }, '1.5 tokens: 1 left, full in 1.25 s')
  t.same(rateLimitFields(l.rateLimit('G1226', 250)!), { 'ratelimit-limit': '4', 'ratelimit-remaining': '1', 'ratelimit-reset': '2' })
  t.equal(createKeyedLimiter({ concurrent: 1 }).rateLimit('G1226', 0), undefined, 'no rate: no RateLimit fields')
})
