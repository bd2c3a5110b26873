/**
 * Where a running process's CPU goes, by thread and, on its main thread, by owner: the /proc
 * counters of one thread, of every thread grouped by its name (`comm`: the main thread, libuv's
 * thread pool, V8's platform workers, worker threads), the process's write syscalls, and a `perf
 * record -t <main thread>` of one load run read by owner (perf-stacks.ts). Linux only.
 */
import { execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { readdir, readFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import { parseProcStat } from './proc-stats.js'
import { stackShares, stepShares, type NamedStep } from './perf-stacks.js'

/** The write syscalls (write, writev…) of a process, all threads, from /proc/<pid>/io. */
export async function writeSyscalls (pid: number): Promise<number> {
  const m = /^syscw:\s*(\d+)/m.exec(await readFile(`/proc/${pid}/io`, 'utf8'))
  return m === null ? NaN : Number(m[1])
}

/** utime + stime of one thread, clock ticks (the main thread's tid is the pid). */
export async function threadTicks (pid: number, tid = pid): Promise<number> {
  const s = parseProcStat(await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8'))
  return s.utime + s.stime
}

/**
 * utime + stime of every thread of `pid`, clock ticks, summed by thread group: `main` (the thread
 * whose id is the pid), else the thread's name as the kernel has it; Node 20 leaves its other
 * threads (libuv's pool, V8's platform workers, worker threads) named `node`: `other threads`.
 * A thread gone between the listing and its read is left out.
 */
export async function ticksByThread (pid: number): Promise<Map<string, number>> {
  const out = new Map<string, number>()
  for (const tid of await readdir(`/proc/${pid}/task`)) {
    try {
      const [stat, comm] = await Promise.all([readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8'), readFile(`/proc/${pid}/task/${tid}/comm`, 'utf8')])
      const s = parseProcStat(stat)
      const name = comm.trim()
      const group = Number(tid) === pid ? 'main' : name === 'node' ? 'other threads' : name
      out.set(group, (out.get(group) ?? 0) + s.utime + s.stime)
    } catch {
      // the thread ended
    }
  }
  return out
}

/** One owner's share of the main thread's samples, and µs per call at that thread's measured CPU. */
export interface OwnerShare {
  owner: string
  /** share of samples whose innermost application or package frame is this owner's */
  self: number
  /** share of samples with this owner anywhere on the stack */
  inclusive: number
}

export interface MainThreadProfile {
  samples: number
  /** the main thread's CPU per call over the recorded run (perf's sampling included) */
  mainUs: number
  owners: OwnerShare[]
  /** each of the steps asked for: its share of the samples (a frame of it anywhere on the stack) */
  steps: Map<string, number>
}

/**
 * One load run (`load`, which resolves with the calls it completed) with `perf record -F 2999 -g`
 * on the main thread of `pid` for `seconds` + 1 s, written to `file`; the thread's self and
 * inclusive time by owner, and the share of each of `steps`.
 */
export async function profileMainThread (pid: number, seconds: number, ticksPerSecond: number, file: string, load: () => Promise<{ requests: number }>, steps: readonly NamedStep[] = []): Promise<MainThreadProfile> {
  const perf = spawn('perf', ['record', '-F', '2999', '-g', '-t', String(pid), '-o', file, '--', 'sleep', String(seconds + 1)], { stdio: ['ignore', 'ignore', 'pipe'] })
  // perf attaches within a few ms; the load starts after it
  await new Promise((resolve) => setTimeout(resolve, 300))
  const main0 = await threadTicks(pid)
  const w = await load()
  const mainUs = ((await threadTicks(pid) - main0) / ticksPerSecond) * 1e6 / w.requests
  const [code] = await once(perf, 'close') as [number | null]
  if (code !== 0) throw new Error(`perf record exited with ${String(code)}`)
  const { stdout } = await promisify(execFile)('perf', ['script', '-i', file], { maxBuffer: 1024 * 1024 * 1024 })
  const shares = stackShares(stdout)
  const owners = [...new Set([...shares.self.keys(), ...shares.inclusive.keys()])]
    .map((owner) => ({ owner, self: (shares.self.get(owner) ?? 0) / shares.samples, inclusive: (shares.inclusive.get(owner) ?? 0) / shares.samples }))
    .sort((a, b) => b.self - a.self)
  const stepped = stepShares(stdout, steps)
  return { samples: shares.samples, mainUs, owners, steps: new Map([...stepped.steps].map(([name, n]) => [name, n / Math.max(1, stepped.samples)])) }
}
