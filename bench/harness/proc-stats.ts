/**
 * CPU and memory of a process tree, read from /proc: `utime + stime` of each process (all its
 * threads) and of its descendants (nginx's workers, a cluster's workers), and the tree's summed
 * VmRSS. A sampler brackets one measured window: CPU is the tick delta over the window, RSS the
 * highest sum seen by the periodic samples.
 */
import { readdir, readFile } from 'node:fs/promises'
import { readFileSync } from 'node:fs'

export interface ProcStat {
  pid: number
  ppid: number
  /** process group */
  pgrp: number
  /** user time, clock ticks */
  utime: number
  /** system time, clock ticks */
  stime: number
}

/**
 * Parses `/proc/<pid>/stat`. The command name (field 2) is in parentheses and may hold spaces and
 * parentheses itself, so the fixed fields are counted from the last `)`.
 */
export function parseProcStat (text: string): ProcStat {
  const open = text.indexOf('(')
  const close = text.lastIndexOf(')')
  if (open < 0 || close < open) throw new Error('not a /proc/<pid>/stat line')
  const pid = Number(text.slice(0, open).trim())
  // after ")": state(3) ppid(4) … utime(14) stime(15): index 0 is field 3
  const rest = text.slice(close + 1).trim().split(/\s+/)
  const ppid = Number(rest[1])
  const pgrp = Number(rest[2])
  const utime = Number(rest[11])
  const stime = Number(rest[12])
  if (![pid, ppid, pgrp, utime, stime].every(Number.isFinite)) throw new Error('malformed /proc/<pid>/stat line')
  return { pid, ppid, pgrp, utime, stime }
}

/** VmRSS of a `/proc/<pid>/status` text, in KiB (undefined for a zombie or kernel thread). */
export function parseVmRssKb (status: string): number | undefined {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)
  return m === null ? undefined : Number(m[1])
}

/** `root` and every process descending from it, from a snapshot of all processes. */
export function treePids (root: number, all: readonly ProcStat[]): number[] {
  const children = new Map<number, number[]>()
  for (const p of all) {
    const list = children.get(p.ppid)
    if (list === undefined) children.set(p.ppid, [p.pid])
    else list.push(p.pid)
  }
  const present = new Set(all.map((p) => p.pid))
  const out: number[] = []
  const seen = new Set<number>()
  const stack = [root]
  while (stack.length > 0) {
    const pid = stack.pop()!
    if (seen.has(pid)) continue
    seen.add(pid)
    if (!present.has(pid)) continue
    out.push(pid)
    stack.push(...(children.get(pid) ?? []))
  }
  return out
}

async function readOptional (path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch {
    // the process ended between the listing and the read
    return undefined
  }
}

/** Every process's stat line, now. */
export async function snapshotProcesses (procDir = '/proc'): Promise<ProcStat[]> {
  const names = (await readdir(procDir)).filter((n) => /^\d+$/.test(n))
  const texts = await Promise.all(names.map(async (n) => await readOptional(`${procDir}/${n}/stat`)))
  const out: ProcStat[] = []
  for (const t of texts) {
    if (t === undefined) continue
    try {
      out.push(parseProcStat(t))
    } catch {
      // a line we cannot read is a process we cannot account: skipped, like one that ended
    }
  }
  return out
}

export interface TreeUsage {
  /** utime + stime of the tree, clock ticks */
  ticks: number
  rssKb: number
  processes: number
}

/** CPU ticks and RSS of `root`'s tree, from one snapshot. */
export async function treeUsage (root: number, all: readonly ProcStat[], procDir = '/proc'): Promise<TreeUsage> {
  const pids = treePids(root, all)
  const byPid = new Map(all.map((p) => [p.pid, p]))
  let ticks = 0
  for (const pid of pids) ticks += (byPid.get(pid)?.utime ?? 0) + (byPid.get(pid)?.stime ?? 0)
  const statuses = await Promise.all(pids.map(async (pid) => await readOptional(`${procDir}/${pid}/status`)))
  let rssKb = 0
  for (const s of statuses) rssKb += s === undefined ? 0 : (parseVmRssKb(s) ?? 0)
  return { ticks, rssKb, processes: pids.length }
}

export interface ResourceFigures {
  /** CPU time over the window, seconds */
  cpuSeconds: number
  /** CPU time / wall time, in % of one core */
  cpuPercent: number
  /** highest summed VmRSS seen, MiB */
  peakRssMb: number
  /** processes in the tree at the last sample */
  processes: number
}

/**
 * Samples named process trees every `intervalMs` between `start()` and `stop()`. A tree whose
 * root ended keeps the figures of its last sample (wrk ends with its own window).
 */
export class ResourceSampler {
  readonly #roots: Map<string, number>
  readonly #intervalMs: number
  readonly #clockTicks: number
  readonly #first = new Map<string, TreeUsage>()
  readonly #last = new Map<string, TreeUsage>()
  readonly #peakKb = new Map<string, number>()
  #timer: NodeJS.Timeout | undefined
  #startedAt = 0
  #pending: Promise<void> = Promise.resolve()

  constructor (roots: ReadonlyMap<string, number>, options: { intervalMs?: number, clockTicks: number }) {
    this.#roots = new Map(roots)
    this.#intervalMs = options.intervalMs ?? 250
    this.#clockTicks = options.clockTicks
  }

  async #sample (): Promise<void> {
    const all = await snapshotProcesses()
    for (const [name, pid] of this.#roots) {
      if (!all.some((p) => p.pid === pid)) continue
      const usage = await treeUsage(pid, all)
      if (!this.#first.has(name)) this.#first.set(name, usage)
      this.#last.set(name, usage)
      this.#peakKb.set(name, Math.max(this.#peakKb.get(name) ?? 0, usage.rssKb))
    }
  }

  /**
   * Adds a tree that starts inside the window (wrk): its CPU counts from zero, not from its
   * first sample.
   */
  track (name: string, pid: number): void {
    this.#roots.set(name, pid)
    this.#first.set(name, { ticks: 0, rssKb: 0, processes: 0 })
  }

  async start (): Promise<void> {
    this.#startedAt = performance.now()
    await this.#sample()
    this.#timer = setInterval(() => {
      // one sample at a time: a slow /proc walk must not pile up
      this.#pending = this.#pending.then(async () => { await this.#sample() }, () => {})
    }, this.#intervalMs)
  }

  async stop (): Promise<Map<string, ResourceFigures>> {
    clearInterval(this.#timer)
    await this.#pending
    await this.#sample()
    const wallSeconds = (performance.now() - this.#startedAt) / 1000
    const out = new Map<string, ResourceFigures>()
    for (const name of this.#roots.keys()) {
      const first = this.#first.get(name)
      const last = this.#last.get(name)
      if (first === undefined || last === undefined) continue
      const cpuSeconds = Math.max(0, last.ticks - first.ticks) / this.#clockTicks
      out.set(name, {
        cpuSeconds,
        cpuPercent: wallSeconds > 0 ? (100 * cpuSeconds) / wallSeconds : 0,
        peakRssMb: (this.#peakKb.get(name) ?? 0) / 1024,
        processes: last.processes
      })
    }
    return out
  }
}

/**
 * The CPU time of this process's main thread so far, µs (`utime + stime` of the thread whose id is
 * the pid, in clock ticks: `clockTicks` per second, 100 on Linux unless `machine.ts`'s
 * `clockTicks()` says otherwise; measure for a second or more). Linux only.
 */
export function mainThreadCpuUs (clockTicks = 100): number {
  const stat = parseProcStat(readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8'))
  return (stat.utime + stat.stime) * 1e6 / clockTicks
}
