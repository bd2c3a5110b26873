/**
 * The figures of one bench run and what is derived from them (ratios, CPU per request), kept as
 * plain data so that the report renders them and the tests check the arithmetic.
 */
import type { ProfileSummary } from './cpu-profile.js'
import type { MachineInfo } from './machine.js'
import type { ResourceFigures } from './proc-stats.js'
import type { ValidationMicroRow } from './validation-micro.js'
import type { WrkResult } from './wrk.js'

export type UpstreamKind = 'simulator' | 'canned'
/**
 * `direct`: wrk against the upstream itself; `node floor`: the bare Node forwarder
 * (node-floor.ts), what Node's TLS and HTTP cost for the gateway's job
 */
export type TargetKind = 'direct' | 'nginx' | 'node floor' | 'gateway' | 'gateway (validation off)' | 'gateway (inspector off)'

export interface LoadRun {
  upstream: UpstreamKind
  target: TargetKind
  /** BenchMessage.name */
  message: string
  /** a new connection per request */
  handshake: boolean
  /** measured figures, absent when the run was skipped */
  wrk?: WrkResult
  /** why it was skipped (preflight answer, tool failure…) */
  skipped?: string
  /** the proxy (nginx or gateway; absent for direct runs) */
  proxy?: ResourceFigures
  upstreamResources?: ResourceFigures
  wrkResources?: ResourceFigures
  /** what the canned upstream saw during the window: TLS connections opened, calls answered */
  upstreamCalls?: { connections: number, requests: number }
  /** the measured window on CLOCK_MONOTONIC, µs (to cut a CPU profile to it) */
  monotonicWindowUs?: { startUs: number, endUs: number }
  /**
   * a paced run (the half-load section): each connection waits `delayMs` between a response and
   * its next request, aiming at `targetRps`; absent for the runs as fast as possible
   */
  paced?: { targetRps: number, delayMs: number }
}

/** The CPU profile of one thread of the profiled gateway. */
export interface ThreadProfile {
  /** `main thread` or `worker thread N` */
  thread: string
  file: string
  summary: ProfileSummary
}

export interface BenchSettings {
  connections: number
  threads: number
  warmupSeconds: number
  durationSeconds: number
  /** the command line of the run */
  command: string
  /** an example wrk command as run */
  wrkExample: string
  nginxWorkers: string
  gatewayUpstreamConnections: number
}

export interface BenchResults {
  machine: MachineInfo
  versions: { nginx: string, wrk: string }
  settings: BenchSettings
  messages: Array<{ name: string, label: string, bytes: number }>
  runs: LoadRun[]
  validationMicro: ValidationMicroRow[]
  /** the profiled gateway's threads: the main thread first, then its validation workers */
  profile?: { message: string, threads: ThreadProfile[] }
  /** the same profiled gateway, cut to the window of a REST load run (the rest section) */
  restProfile?: { message: string, threads: ThreadProfile[] }
  /** the goals section: bench/gateway-steps.ts's Markdown (alternating rounds), as it printed it */
  goals?: string
  /** the REST load messages (BenchMessage names) and the SOAP message each becomes */
  restPairs?: Array<{ rest: string, soap: string }>
  /** load averages at the end of the run */
  loadAverageAfter: string
  notes: string[]
  /** wall time of the whole run, seconds */
  elapsedSeconds: number
}

/** Proxy CPU per request, in microseconds (CPU time over the window / requests). */
export function cpuMicrosPerRequest (resources: ResourceFigures | undefined, wrk: WrkResult | undefined): number | undefined {
  if (resources === undefined || wrk === undefined || wrk.requests === 0) return undefined
  return (resources.cpuSeconds * 1e6) / wrk.requests
}

export interface RatioRow {
  upstream: UpstreamKind
  message: string
  target: TargetKind
  handshake: boolean
  requestsPerSecond: number
  /** target req/s ÷ nginx req/s */
  vsNginx: number | undefined
  /** target req/s ÷ direct upstream req/s */
  vsDirect: number | undefined
  /**
   * the proxy's CPU per request ÷ nginx's: the cost ratio, which holds better than req/s when other
   * work takes CPU from the bench
   */
  cpuVsNginx: number | undefined
  /** a gateway's req/s ÷ the bare Node floor's (undefined for nginx and the floor itself) */
  vsFloor: number | undefined
  /** a gateway's CPU per request ÷ the bare Node floor's */
  cpuVsFloor: number | undefined
  /** target p50 − direct p50, ms */
  addedP50Ms: number | undefined
  /** target p99 − direct p99, ms */
  addedP99Ms: number | undefined
}

/**
 * The gateway's (and nginx's, and the floor's) figures against nginx and the bare upstream, and
 * the gateway's against the bare Node floor, from the same run.
 * Paced runs are left out: their rate is the pace, not a capacity.
 */
export function ratios (allRuns: readonly LoadRun[]): RatioRow[] {
  const runs = allRuns.filter((r) => r.paced === undefined)
  const findRun = (u: UpstreamKind, m: string, t: TargetKind, h: boolean): LoadRun | undefined =>
    runs.find((r) => r.upstream === u && r.message === m && r.target === t && r.handshake === h && (r.wrk?.requests ?? 0) > 0)
  const find = (u: UpstreamKind, m: string, t: TargetKind, h: boolean): WrkResult | undefined => findRun(u, m, t, h)?.wrk
  const out: RatioRow[] = []
  for (const run of runs) {
    if (run.wrk === undefined || run.wrk.requests === 0 || run.target === 'direct') continue
    const nginxRun = findRun(run.upstream, run.message, 'nginx', run.handshake)
    const nginx = nginxRun?.wrk
    const ownCpu = cpuMicrosPerRequest(run.proxy, run.wrk)
    const nginxCpu = cpuMicrosPerRequest(nginxRun?.proxy, nginx)
    const direct = find(run.upstream, run.message, 'direct', run.handshake)
    const floorRun = run.target.startsWith('gateway') ? findRun(run.upstream, run.message, 'node floor', run.handshake) : undefined
    const floorCpu = cpuMicrosPerRequest(floorRun?.proxy, floorRun?.wrk)
    out.push({
      upstream: run.upstream,
      message: run.message,
      target: run.target,
      handshake: run.handshake,
      requestsPerSecond: run.wrk.requestsPerSecond,
      vsNginx: nginx !== undefined && run.target !== 'nginx' && nginx.requestsPerSecond > 0 ? run.wrk.requestsPerSecond / nginx.requestsPerSecond : undefined,
      vsDirect: direct !== undefined && direct.requestsPerSecond > 0 ? run.wrk.requestsPerSecond / direct.requestsPerSecond : undefined,
      cpuVsNginx: run.target !== 'nginx' && ownCpu !== undefined && nginxCpu !== undefined && nginxCpu > 0 ? ownCpu / nginxCpu : undefined,
      vsFloor: floorRun?.wrk !== undefined && floorRun.wrk.requestsPerSecond > 0 ? run.wrk.requestsPerSecond / floorRun.wrk.requestsPerSecond : undefined,
      cpuVsFloor: ownCpu !== undefined && floorCpu !== undefined && floorCpu > 0 ? ownCpu / floorCpu : undefined,
      addedP50Ms: direct === undefined ? undefined : (run.wrk.latencyUs.p50 - direct.latencyUs.p50) / 1000,
      addedP99Ms: direct === undefined ? undefined : (run.wrk.latencyUs.p99 - direct.latencyUs.p99) / 1000
    })
  }
  return out
}

/** Areas of a CPU profile grouped by what they do, for a one-line reading of the profile. */
export const PROFILE_GROUPS: ReadonlyArray<{ name: string, areas: RegExp }> = [
  // src/spec was the folder's name before it became src/contract: older profiles still say so.
  { name: 'validation and JSON contract (src/contract, libxml2-wasm, wasm)', areas: /^(src\/contract|src\/spec|libxml2-wasm|wasm)$/ },
  { name: 'REST API (src/rest)', areas: /^src\/rest$/ },
  { name: 'SOAP/MIME/XML codec (src/soap)', areas: /^src\/soap$/ },
  { name: 'HTTP, TLS and sockets (node internals, native, fastify, undici)', areas: /^(node internals|\(native\/builtin\)|fastify|@fastify\/.*|undici|find-my-way|light-my-request|avvio)$/ },
  { name: 'logging and metrics (pino, prom-client)', areas: /^(pino|@pinojs\/.*|sonic-boom|pino-std-serializers|prom-client)$/ },
  { name: 'garbage collector', areas: /^\(garbage collector\)$/ }
]

/** Share of the busy time of each group (the rest is "other"). */
export function profileGroups (areas: ReadonlyArray<{ area: string, percent: number }>): Array<{ name: string, percent: number }> {
  const out = PROFILE_GROUPS.map((g) => ({ name: g.name, percent: areas.filter((a) => g.areas.test(a.area)).reduce((s, a) => s + a.percent, 0) }))
  const grouped = out.reduce((s, g) => s + g.percent, 0)
  out.push({ name: 'other', percent: Math.max(0, areas.reduce((s, a) => s + a.percent, 0) - grouped) })
  return out
}

/** The project's goal: a REST call costs at most this many times the CPU of the SOAP call it becomes. */
export const REST_GOAL_CPU_RATIO = 1.3

export interface RestVsSoapRow {
  rest: string
  soap: string
  /** the figures of each run, absent when it was skipped */
  restRps: number | undefined
  soapRps: number | undefined
  /** the gateway's CPU per call, µs */
  restCpuUs: number | undefined
  soapCpuUs: number | undefined
  /** REST CPU per call ÷ SOAP CPU per call */
  cpuRatio: number | undefined
  /** cpuRatio ≤ REST_GOAL_CPU_RATIO, on the unrounded ratio; undefined when not measured */
  met: boolean | undefined
}

/**
 * Each REST call against the SOAP call it becomes, on the gateway with validation on (keep-alive
 * runs of the canned upstream): req/s, CPU per call and their ratio.
 */
export function restVsSoap (allRuns: readonly LoadRun[], pairs: ReadonlyArray<{ rest: string, soap: string }>): RestVsSoapRow[] {
  const find = (message: string): LoadRun | undefined => allRuns.find((r) =>
    r.upstream === 'canned' && r.target === 'gateway' && !r.handshake && r.paced === undefined && r.message === message && (r.wrk?.requests ?? 0) > 0)
  return pairs.map(({ rest, soap }) => {
    const [r, s] = [find(rest), find(soap)]
    const restCpuUs = cpuMicrosPerRequest(r?.proxy, r?.wrk)
    const soapCpuUs = cpuMicrosPerRequest(s?.proxy, s?.wrk)
    const cpuRatio = restCpuUs !== undefined && soapCpuUs !== undefined && soapCpuUs > 0 ? restCpuUs / soapCpuUs : undefined
    return {
      rest,
      soap,
      restRps: r?.wrk?.requestsPerSecond,
      soapRps: s?.wrk?.requestsPerSecond,
      restCpuUs,
      soapCpuUs,
      cpuRatio,
      met: cpuRatio === undefined ? undefined : cpuRatio <= REST_GOAL_CPU_RATIO
    }
  })
}
