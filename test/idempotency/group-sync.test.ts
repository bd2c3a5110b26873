// Group commit: fsyncs off the event loop, shared by the callers that arrive while one runs, and
// never trusted again after one failed.
import t from 'tap'
import { GroupSync } from '../../src/idempotency/group-sync.js'

/** A sync function whose calls the test ends one by one. */
function manualSync (): { sync: (fd: number) => Promise<void>, calls: Array<{ resolve: () => void, reject: (err: Error) => void }> } {
  const calls: Array<{ resolve: () => void, reject: (err: Error) => void }> = []
  return {
    calls,
    sync: () => new Promise<void>((resolve, reject) => { calls.push({ resolve, reject }) })
  }
}

const settled = async (p: Promise<unknown>): Promise<boolean> => {
  let done = false
  p.then(() => { done = true }, () => { done = true })
  await new Promise((resolve) => setImmediate(resolve))
  return done
}

t.test('callers arriving during an fsync share the next one, which starts after it', async (t) => {
  const { sync, calls } = manualSync()
  const group = new GroupSync(7, sync)
  const before = [group.written(), group.written()]
  const first = group.flush(before[0])
  t.equal(calls.length, 1)
  t.equal(group.flush(before[1]), first, 'a write made before the fsync started shares it')
  // Written while the first fsync runs: it may not cover them.
  const later = Array.from({ length: 10 }, () => group.flush(group.written()))
  t.equal(calls.length, 1, 'no second fsync while the first runs')
  calls[0]?.resolve()
  t.equal(await settled(first), true)
  t.equal(await settled(Promise.all(later)), false, 'the first fsync does not count for later writes')
  t.equal(calls.length, 2, 'one fsync for the ten')
  calls[1]?.resolve()
  await Promise.all(later)
  t.equal(group.syncs, 2)
  // Idle again: the next flush starts its own fsync at once.
  const again = group.flush()
  t.equal(calls.length, 3)
  calls[2]?.resolve()
  await again
})

t.test('a failed fsync fails its callers and every later flush', async (t) => {
  const { sync, calls } = manualSync()
  const group = new GroupSync(7, sync)
  const first = group.flush(group.written())
  const waiting = group.flush(group.written())
  calls[0]?.reject(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }))
  await t.rejects(first, { code: 'EIO' })
  await t.rejects(waiting, { code: 'EIO' }, 'the fsync after a failure proves nothing')
  await t.rejects(group.flush(), { code: 'EIO' })
  t.equal(calls.length, 1, 'no fsync after the failure')
  await group.idle()
})

t.test('idle waits for the running and the waiting fsync', async (t) => {
  const { sync, calls } = manualSync()
  const group = new GroupSync(7, sync)
  void group.flush(group.written())
  void group.flush(group.written())
  const idle = group.idle()
  calls[0]?.resolve()
  t.equal(await settled(idle), false)
  calls[1]?.resolve()
  await idle
  t.equal(group.syncs, 2)
})
