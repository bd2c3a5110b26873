// The queue in front of an upstream pool: slots taken at once while free, then waiting in order,
// a bounded number of waiters (GW_PROXY_QUEUE_FULL at once) for a bounded time
// (GW_PROXY_QUEUE_TIMEOUT), both 503 with Retry-After; a released slot goes to the first waiter.
import t from 'tap'
import { createUpstreamQueue } from '../../src/proxy/upstream-queue.js'
import type { GatewayError } from '../../src/errors.js'

const options = { env: 'ecole', slots: 2, maxWaiting: 2, maxWaitMs: 60000 }

t.test('free slots are taken at once, then calls wait, then they are refused at once', async (t) => {
  const queue = createUpstreamQueue(options)
  t.equal(queue.acquire(), true)
  t.equal(queue.acquire(), true)
  const first = queue.acquire()
  const second = queue.acquire()
  t.type(first, Promise)
  t.type(second, Promise)
  t.equal(queue.waiting(), 2)
  let err: GatewayError | undefined
  try {
    queue.acquire()
  } catch (e) {
    err = e as GatewayError
  }
  t.equal(err?.code, 'GW_PROXY_QUEUE_FULL')
  t.equal(err?.statusCode, 503)
  t.equal(err?.retryAfterSeconds, 1)
  t.match(err?.message, /environment ecole is busy: 2 calls already wait/)

  const order: string[] = []
  void (first as Promise<void>).then(() => order.push('first'))
  void (second as Promise<void>).then(() => order.push('second'))
  queue.release()
  await first
  t.same(order, ['first'], 'a released slot goes to the first waiter')
  t.equal(queue.active(), 2, 'handed over, not given back')
  queue.release()
  await second
  t.same(order, ['first', 'second'])
  queue.release()
  queue.release()
  t.equal(queue.active(), 0)
  t.equal(queue.acquire(), true, 'free again')
})

t.test('a call that waits too long is refused, and skipped when a slot frees', async (t) => {
  t.capture(globalThis, 'setTimeout', (fn: (...args: unknown[]) => void, _ms: number, ...args: unknown[]) => {
    timers.push(() => { fn(...args) })
    return { ref () {}, unref () {} } as unknown as NodeJS.Timeout
  })
  const timers: Array<() => void> = []
  const queue = createUpstreamQueue({ ...options, slots: 1, maxWaitMs: 250 })
  t.equal(queue.acquire(), true)
  const late = queue.acquire() as Promise<void>
  const next = queue.acquire() as Promise<void>
  t.equal(timers.length, 2, 'one timer per waiting call')
  timers[0]!()
  await t.rejects(late, { code: 'GW_PROXY_QUEUE_TIMEOUT', statusCode: 503, retryAfterSeconds: 1, message: /no connection came free within 250 ms/ })
  t.equal(queue.waiting(), 1)
  queue.release()
  await next
  t.equal(queue.active(), 1, 'the slot went to the call still waiting')
  timers[1]!()
  t.equal(queue.waiting(), 0, 'a timer firing after its call got a slot does nothing')
  queue.release()
  t.equal(queue.active(), 0)
})

t.test('no waiting allowed: maxWaiting 0 refuses as soon as the slots are taken', async (t) => {
  const queue = createUpstreamQueue({ ...options, slots: 1, maxWaiting: 0 })
  t.equal(queue.acquire(), true)
  t.throws(() => queue.acquire(), { code: 'GW_PROXY_QUEUE_FULL' })
})

t.test('many waiters in turn: order kept across the queue\'s compaction', async (t) => {
  const queue = createUpstreamQueue({ ...options, slots: 1, maxWaiting: 5000 })
  t.equal(queue.acquire(), true)
  const got: number[] = []
  const waits = Array.from({ length: 3000 }, (_, i) => (queue.acquire() as Promise<void>).then(() => { got.push(i) }))
  for (let i = 0; i < 3000; i++) {
    queue.release()
    await waits[i]
  }
  t.same(got, Array.from({ length: 3000 }, (_, i) => i))
  t.equal(queue.waiting(), 0)
  t.equal(queue.active(), 1)
})
