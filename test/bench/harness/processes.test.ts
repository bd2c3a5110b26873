import { createServer } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { freePort, ProcessGroup, waitForPort } from '../../../bench/harness/processes.js'

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

t.test('stopAll ends every process started, children of children included', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-procs-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const group = new ProcessGroup()
  t.teardown(async () => { await group.stopAll(1000) })
  // a parent that ignores SIGTERM and has a child of its own: only the group kill reaches both
  const script = `
    const { spawn } = require('node:child_process')
    process.on('SIGTERM', () => {})
    const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
    console.log('child ' + c.pid)
    setInterval(() => {}, 1000)`
  const p = group.start('stubborn', process.execPath, ['-e', script], { logFile: join(dir, 'p.log') })
  let childPid: number | undefined
  for (let i = 0; i < 100 && childPid === undefined; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    const m = /child (\d+)/.exec(p.tail())
    if (m !== null) childPid = Number(m[1])
  }
  t.ok(childPid !== undefined, 'the grandchild started')
  t.ok(alive(p.pid) && alive(childPid!))
  await group.stopAll(300)
  t.ok(p.ended, 'the leader ended (SIGKILL after the grace period)')
  for (let i = 0; i < 50 && alive(childPid!); i++) await new Promise((resolve) => setTimeout(resolve, 20))
  t.notOk(alive(childPid!), 'its child too')
  t.equal(await p.exited, 'SIGKILL')
})

t.test('waitForPort: resolves once listening, fails fast when the process ended', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-procs-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const group = new ProcessGroup()
  t.teardown(async () => { await group.stopAll(1000) })
  const port = await freePort()
  const server = createServer().listen(port, '127.0.0.1')
  t.teardown(() => { server.close() })
  const sleeper = group.start('sleeper', process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { logFile: join(dir, 's.log') })
  await waitForPort(port, sleeper, 5000)
  const quitter = group.start('quitter', process.execPath, ['-e', 'console.log("bye"); process.exit(3)'], { logFile: join(dir, 'q.log') })
  await t.rejects(waitForPort(await freePort(), quitter, 5000), /quitter ended before listening \(exit 3\):\n[\s\S]*bye/)
})
