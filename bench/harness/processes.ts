/**
 * The processes the harness starts: each in its own process group (nginx's workers, a gateway's
 * workers go with it), output to a log file, stopped by signal with a deadline then SIGKILL.
 * Every process started through a group is stopped by `stopAll`, which the harness runs on every
 * way out (end, error, signal, deadline).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { openSync, closeSync, readFileSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { snapshotProcesses } from './proc-stats.js'

export interface ManagedProcess {
  name: string
  pid: number
  logFile: string
  /** resolves with the exit code (or the signal name) once the process ended */
  readonly exited: Promise<number | string>
  /** true once it ended */
  readonly ended: boolean
  /** signal (default SIGTERM), wait up to `graceMs`, then SIGKILL the whole group */
  stop (signal?: NodeJS.Signals, graceMs?: number): Promise<void>
  /** the last lines of its log */
  tail (lines?: number): string
}

function killGroup (pid: number, signal: NodeJS.Signals): void {
  try {
    // negative pid: the child's own process group (it was spawned detached)
    process.kill(-pid, signal)
  } catch {
    // already gone
  }
}

/**
 * Once the leader is gone its group id may be taken again by an unrelated process: what is left
 * of the group is found in /proc and killed pid by pid, right after the leader's exit.
 */
async function killLeftovers (pgid: number): Promise<void> {
  for (const p of await snapshotProcesses()) {
    if (p.pgrp !== pgid || p.pid === pgid) continue
    try {
      process.kill(p.pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
}

export class ProcessGroup {
  readonly #processes: ManagedProcess[] = []

  /** Starts `command` with its output appended to `logFile`. */
  start (name: string, command: string, args: string[], options: { logFile: string, env?: NodeJS.ProcessEnv, cwd?: string }): ManagedProcess {
    const fd = openSync(options.logFile, 'a')
    let child: ChildProcess
    try {
      child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd], env: options.env ?? process.env, cwd: options.cwd })
    } finally {
      closeSync(fd)
    }
    let ended = false
    const exited = new Promise<number | string>((resolve) => {
      child.once('exit', (code, signal) => {
        ended = true
        resolve(code ?? signal ?? 'unknown')
      })
      child.once('error', (err) => {
        ended = true
        resolve(`spawn error: ${err.message}`)
      })
    })
    if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`)
    const pid = child.pid
    const managed: ManagedProcess = {
      name,
      pid,
      logFile: options.logFile,
      exited,
      get ended () { return ended },
      async stop (signal = 'SIGTERM', graceMs = 10_000) {
        if (!ended) {
          killGroup(pid, signal)
          const ac = new AbortController()
          const outcome = await Promise.race([exited, sleep(graceMs, 'timeout', { signal: ac.signal }).catch(() => 'aborted')])
          ac.abort()
          if (outcome === 'timeout') {
            killGroup(pid, 'SIGKILL')
            await exited
          }
        }
        await killLeftovers(pid)
      },
      tail (lines = 20) {
        try {
          return readFileSync(options.logFile, 'utf8').split('\n').slice(-lines - 1).join('\n')
        } catch {
          return ''
        }
      }
    }
    this.#processes.push(managed)
    return managed
  }

  /** Stops every process still running, in reverse start order. */
  async stopAll (graceMs = 5_000): Promise<void> {
    for (const p of [...this.#processes].reverse()) await p.stop('SIGTERM', graceMs)
  }
}

/** A TCP port free on 127.0.0.1 right now (the kernel's pick). */
export async function freePort (): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

async function canConnect (port: number, host: string): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = connect({ port, host })
    socket.once('connect', () => { socket.destroy(); resolve(true) })
    socket.once('error', () => { socket.destroy(); resolve(false) })
  })
}

/**
 * Waits until `port` accepts TCP connections, failing early when `process` ends and after
 * `timeoutMs` at most.
 */
export async function waitForPort (port: number, proc: ManagedProcess, timeoutMs = 60_000, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (proc.ended) throw new Error(`${proc.name} ended before listening (exit ${String(await proc.exited)}):\n${proc.tail()}`)
    if (await canConnect(port, host)) return
    await sleep(100)
  }
  throw new Error(`${proc.name} did not listen on ${host}:${port} within ${timeoutMs} ms:\n${proc.tail()}`)
}
