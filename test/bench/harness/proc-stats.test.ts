import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { parseProcStat, parseVmRssKb, ResourceSampler, snapshotProcesses, treePids, treeUsage } from '../../../bench/harness/proc-stats.js'

const line = (pid: number, comm: string, ppid: number, utime: number, stime: number, pgrp = pid): string =>
  `${pid} (${comm}) S ${ppid} ${pgrp} ${pgrp} 0 -1 4194560 100 0 0 0 ${utime} ${stime} 7 8 20 0 1 0 100 1000 50 18446744073709551615\n`

t.test('parseProcStat counts fields after the last parenthesis', async (t) => {
  t.same(parseProcStat(line(42, 'node', 1, 150, 30, 40)), { pid: 42, ppid: 1, pgrp: 40, utime: 150, stime: 30 })
  t.same(parseProcStat(line(7, 'nginx: worker (x) y', 6, 3, 4)), { pid: 7, ppid: 6, pgrp: 7, utime: 3, stime: 4 }, 'spaces and parentheses in the name')
  t.throws(() => parseProcStat('garbage'), /not a \/proc/)
  t.throws(() => parseProcStat('1 (x) S'), /malformed/)
})

t.test('parseVmRssKb', async (t) => {
  t.equal(parseVmRssKb('Name:\tnode\nVmHWM:\t  9000 kB\nVmRSS:\t  81234 kB\n'), 81234)
  t.equal(parseVmRssKb('Name:\tkthreadd\n'), undefined, 'kernel threads have none')
})

t.test('treePids: the root and all its descendants, nothing else', async (t) => {
  const all = [
    { pid: 1, ppid: 0, pgrp: 1, utime: 0, stime: 0 },
    { pid: 10, ppid: 1, pgrp: 10, utime: 0, stime: 0 },
    { pid: 11, ppid: 10, pgrp: 10, utime: 0, stime: 0 },
    { pid: 12, ppid: 10, pgrp: 10, utime: 0, stime: 0 },
    { pid: 13, ppid: 12, pgrp: 10, utime: 0, stime: 0 },
    { pid: 20, ppid: 1, pgrp: 20, utime: 0, stime: 0 }
  ]
  t.same(treePids(10, all).sort((a, b) => a - b), [10, 11, 12, 13])
  t.same(treePids(99, all), [], 'a root that ended')
})

t.test('treeUsage sums ticks and RSS over the tree (fake /proc)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-proc-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const procs: Array<[number, number, number, number, number]> = [[100, 1, 10, 5, 2048], [101, 100, 7, 3, 1024], [200, 1, 50, 50, 4096]]
  for (const [pid, ppid, u, s, rss] of procs) {
    mkdirSync(join(dir, String(pid)))
    writeFileSync(join(dir, String(pid), 'stat'), line(pid, 'x', ppid, u, s))
    writeFileSync(join(dir, String(pid), 'status'), `Name:\tx\nVmRSS:\t${rss} kB\n`)
  }
  writeFileSync(join(dir, 'loadavg'), '0 0 0')
  const all = await snapshotProcesses(dir)
  t.equal(all.length, 3, 'numeric entries only')
  t.same(await treeUsage(100, all, dir), { ticks: 25, rssKb: 3072, processes: 2 })
})

t.test('ResourceSampler measures a busy child process', async (t) => {
  const { spawn } = await import('node:child_process')
  // a child that spins for a while: its CPU must show, the idle harness's must not count
  const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 600; while (Date.now() < end);'], { stdio: 'ignore' })
  t.teardown(() => { child.kill('SIGKILL') })
  const sampler = new ResourceSampler(new Map([['child', child.pid!]]), { clockTicks: 100, intervalMs: 50 })
  await sampler.start()
  await new Promise((resolve) => child.once('exit', resolve))
  const figures = await sampler.stop()
  const f = figures.get('child')
  t.ok(f !== undefined, 'figures for the tracked tree')
  t.ok(f!.cpuSeconds > 0.1, `busy CPU seen (${f!.cpuSeconds} s)`)
  t.ok(f!.peakRssMb > 5, `RSS seen (${f!.peakRssMb.toFixed(1)} MB)`)
})
