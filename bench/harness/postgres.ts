// A throw-away PostgreSQL cluster for the shared-store tests and benchmarks: initdb in a temporary
// folder, a free loopback port, the server run as an unprivileged user (postgres refuses to run as
// root: as root the cluster belongs to the `postgres` account the Debian package creates), stopped
// at teardown. For tests fsync is off (they prove the gateway's protocol, not PostgreSQL's
// durability); a benchmark asks for `durable` (fsync and synchronous commits, as in production).
import { execFileSync, spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface PgCluster {
  /** a connection URL for the cluster's `sne` superuser and database */
  url: string
  port: number
  /** stops the server (fast shutdown: connections are cut), keeping its data */
  stop: () => void
  /** starts it again on the same port */
  start: () => void
  /** stops it and deletes its folder */
  destroy: () => void
  /**
   * CPU time (µs) the server's processes have used so far: the postmaster, its live backends and
   * background workers, and the ones that exited (their time is added to the postmaster's when it
   * reaps them). Linux only (`/proc`); undefined elsewhere.
   */
  cpuUs: () => number | undefined
}

/** The folder of the newest PostgreSQL server binaries installed, if any. */
export function postgresBin (): string | undefined {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return undefined
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a))
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin')
}

/** Why the PostgreSQL tests cannot run here, or false. */
export function postgresMissing (): string | false {
  return postgresBin() === undefined ? 'PostgreSQL server binaries not installed (Debian package postgresql; .ci/run installs it)' : false
}

/**
 * Why a test that needs PostgreSQL skips here, or false. Never in CI, which installs it: there a
 * missing server makes the test fail instead.
 */
export function postgresTestSkip (): string | false {
  const missing = postgresMissing()
  return missing !== false && process.env.CI !== 'true' ? missing : false
}

async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => { resolve(typeof address === 'object' && address !== null ? address.port : 0) })
    })
  })
}

export async function startPostgres (options: { durable?: boolean } = {}): Promise<PgCluster> {
  const bin = postgresBin()
  if (bin === undefined) throw new Error(String(postgresMissing()))
  const dir = mkdtempSync(join(tmpdir(), 'sne-pg-'))
  const data = join(dir, 'data')
  const asRoot = process.getuid?.() === 0
  let uid: number | undefined
  let gid: number | undefined
  if (asRoot) {
    uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim())
    gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim())
    chownSync(dir, uid, gid)
  }
  const run = (command: string, args: string[]): void => {
    const r = spawnSync(join(bin, command), args, { uid, gid, cwd: dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, LC_ALL: 'C' } })
    if (r.status !== 0) throw new Error(`${command} failed (${r.status ?? r.signal ?? r.error?.message}): ${r.stderr}`)
  }
  run('initdb', ['-D', data, '-U', 'sne', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions'])
  const port = await freePort()
  const durability = options.durable === true ? '' : ' -c fsync=off -c synchronous_commit=off -c full_page_writes=off'
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=50${durability}`
  const start = (): void => { run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', serverOptions, '-w', '-t', '60', 'start']) }
  const stop = (): void => { run('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']) }
  start()
  return {
    url: `postgres://sne@127.0.0.1:${port}/postgres`,
    port,
    stop,
    start,
    cpuUs: () => serverCpuUs(data),
    destroy: () => {
      try { stop() } catch { // already stopped
      }
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

/** Clock ticks per second of /proc's times: 100 on Linux for every architecture Node runs on. */
const TICKS_PER_SECOND = 100

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces). */
function statFields (pid: string): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return text.slice(text.lastIndexOf(')') + 2).split(' ')
  } catch {
    return undefined
  }
}

function serverCpuUs (data: string): number | undefined {
  let postmaster: string
  try {
    postmaster = readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]!.trim()
  } catch {
    return undefined
  }
  // After the name: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14).
  const own = statFields(postmaster)
  if (own === undefined) return undefined
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14])
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid) || pid === postmaster) continue
    const f = statFields(pid)
    if (f !== undefined && f[1] === postmaster) ticks += Number(f[11]) + Number(f[12])
  }
  return ticks * 1_000_000 / TICKS_PER_SECOND
}
