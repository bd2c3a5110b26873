import { Worker } from 'node:worker_threads'
import t from 'tap'
import { threadTicks, ticksByThread, writeSyscalls } from '../../../bench/harness/thread-profile.js'

/** Spins on the main thread until it has run `ticks` clock ticks more (at most 30 s of wall time, on a loaded machine). */
async function spinTicks (ticks: number): Promise<void> {
  const start = await threadTicks(process.pid)
  const end = Date.now() + 30_000
  let x = 0
  while (Date.now() < end && await threadTicks(process.pid) - start < ticks) for (let i = 0; i < 1e6; i++) x++
  if (x < 0) throw new Error('unreachable')
}

t.test('ticksByThread: the main thread apart, the other threads of Node (named node) together', async (t) => {
  const before = await ticksByThread(process.pid)
  // The worker spins until told to stop, once its ticks show (or after 30 s): on a loaded
  // machine a spin of fixed wall time may get too little CPU to count. Its ticks are read while it
  // still runs: a thread that has ended is gone from /proc/<pid>/task, with its ticks.
  const stop = new Int32Array(new SharedArrayBuffer(4))
  const worker = new Worker('const { workerData, parentPort } = require("node:worker_threads"); let x = 0; while (Atomics.load(workerData, 0) === 0) x++; parentPort.postMessage(x)', { eval: true, workerData: stop })
  const finished = new Promise((resolve) => worker.once('message', resolve))
  await spinTicks(20)
  const others = async (): Promise<number> => ((await ticksByThread(process.pid)).get('other threads') ?? 0) - (before.get('other threads') ?? 0)
  const end = Date.now() + 30_000
  while (Date.now() < end && await others() < 5) await new Promise((resolve) => setTimeout(resolve, 20))
  const after = await ticksByThread(process.pid)
  Atomics.store(stop, 0, 1)
  await finished
  await worker.terminate()
  t.ok((after.get('main') ?? 0) - (before.get('main') ?? 0) >= 20, 'the spin counted on the main thread')
  t.ok((after.get('other threads') ?? 0) - (before.get('other threads') ?? 0) >= 5, 'the worker\'s spin counted on the other threads')
  t.notOk(after.has('node'), 'no group named after Node itself')
})

t.test('writeSyscalls: counts this process\'s writes', async (t) => {
  const before = await writeSyscalls(process.pid)
  for (let i = 0; i < 5; i++) process.stdout.write('')
  const { writeSync, openSync, closeSync } = await import('node:fs')
  const fd = openSync('/dev/null', 'w')
  for (let i = 0; i < 20; i++) writeSync(fd, 'x')
  closeSync(fd)
  t.ok(await writeSyscalls(process.pid) - before >= 20)
})
