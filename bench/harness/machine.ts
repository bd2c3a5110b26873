/** What the results depend on: the machine, its load, the versions. */
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { availableParallelism, cpus, release, totalmem } from 'node:os'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface MachineInfo {
  date: string
  nproc: number
  cpuModel: string
  kernel: string
  memoryGb: number
  node: string
  openssl: string
  /** /proc/loadavg's three averages */
  loadAverage: string
}

/** The load averages now (other work on the machine skews every figure). */
export async function loadAverage (): Promise<string> {
  try {
    return (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ')
  } catch {
    return 'unknown'
  }
}

/** Clock ticks per second of /proc's CPU times (`getconf CLK_TCK`, 100 on Linux when unknown). */
export async function clockTicks (): Promise<number> {
  try {
    const n = Number((await run('getconf', ['CLK_TCK'])).stdout.trim())
    return Number.isFinite(n) && n > 0 ? n : 100
  } catch {
    return 100
  }
}

export async function machineInfo (now = new Date()): Promise<MachineInfo> {
  return {
    date: now.toISOString(),
    nproc: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    kernel: release(),
    memoryGb: Math.round(totalmem() / 2 ** 30 * 10) / 10,
    node: process.version,
    openssl: process.versions.openssl ?? 'unknown',
    loadAverage: await loadAverage()
  }
}
