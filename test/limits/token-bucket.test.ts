// The token bucket on an injected monotonic clock.
import t from 'tap'
import { ceilSeconds, fullBucket, fullInMs, refill, waitMs } from '../../src/limits/token-bucket.js'

t.test('a bucket holds burst tokens, refills at the rate and never above burst', async (t) => {
  const rule = { ratePerSecond: 2, burst: 3 }
  const b = fullBucket(rule, 1000)
  t.equal(b.tokens, 3)
  b.tokens -= 3
  t.equal(waitMs(rule, b), 500, 'one token every 500 ms')
  refill(rule, b, 1250)
  t.equal(b.tokens, 0.5)
  t.equal(waitMs(rule, b), 250)
  refill(rule, b, 1750)
  t.equal(b.tokens, 1.5)
  t.equal(waitMs(rule, b), 0)
  t.equal(fullInMs(rule, b), 750)
  refill(rule, b, 100000)
  t.equal(b.tokens, 3, 'capped at burst')
  refill(rule, b, 50)
  t.equal(b.tokens, 3, 'a clock going back changes nothing')
  t.equal(b.at, 100000)
})

t.test('seconds for Retry-After are whole, rounded up, at least 1', async (t) => {
  t.equal(ceilSeconds(0), 1)
  t.equal(ceilSeconds(1), 1)
  t.equal(ceilSeconds(1000), 1)
  t.equal(ceilSeconds(1001), 2)
})
