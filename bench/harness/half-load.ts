/**
 * Latency at half load (the goal: the gateway's added p99 at half of the maximum load at most
 * 1 ms above nginx's at the same pace). The maximum is the gateway's keep-alive req/s (validation
 * on, canned upstream) measured earlier in the same run; p99 at saturation is queueing, so the
 * latency is measured again with wrk paced at half that rate, against the direct upstream, nginx,
 * the bare Node floor and the gateway alike: the floor says what Node's own TLS and HTTP add at
 * that pace, the part of the gateway's tail that no change of the gateway's code could remove.
 * Pure arithmetic on the run's figures: the pace, the rows of the report, the verdict.
 */
import type { LoadRun, TargetKind } from './results.js'
import { errorCount } from './wrk.js'

/** The goal: the gateway's added p99 at half load at most this many ms above nginx's added p99. */
export const HALF_LOAD_GOAL_OVER_NGINX_MS = 1

/** The messages of the half-load section (BenchMessage.name). */
export const HALF_LOAD_MESSAGES: readonly string[] = ['cre', 'demande']

export interface HalfLoadPace {
  /** half the gateway's measured keep-alive req/s */
  targetRps: number
  /** each connection's pause between a response and its next request, whole ms */
  delayMs: number
}

/**
 * The pace of one message: R = half the gateway's (validation on) keep-alive req/s on the canned
 * upstream in `runs`, delay = round(connections × 1000 / R). Closed loop: with latency L the
 * connections reach connections × 1000 / (delay + L), a little under R.
 */
export function halfLoadPace (runs: readonly LoadRun[], message: string, connections: number): HalfLoadPace | { skipped: string } {
  const run = runs.find((r) => r.upstream === 'canned' && r.target === 'gateway' && r.message === message && !r.handshake && r.paced === undefined)
  if (run === undefined) return { skipped: 'no keep-alive run of the gateway (validation on) for this message in this run' }
  if (run.wrk === undefined || run.wrk.requests === 0) return { skipped: `the gateway's keep-alive run was skipped (${run.skipped ?? 'no request completed'})` }
  const targetRps = run.wrk.requestsPerSecond / 2
  if (!(targetRps > 0) || !Number.isFinite(targetRps)) return { skipped: `the gateway's keep-alive rate (${String(run.wrk.requestsPerSecond)} req/s) gives no pace` }
  return { targetRps, delayMs: Math.round((connections * 1000) / targetRps) }
}

export interface HalfLoadRow {
  message: string
  target: TargetKind
  targetRps: number
  delayMs: number
  /** why the run was skipped (then no figure) */
  skipped?: string
  achievedRps?: number
  p50Ms?: number
  p99Ms?: number
  errors?: number
  /** p50 − the direct upstream's p50 at the same pace, ms (absent for the direct upstream itself) */
  addedP50Ms?: number
  /** p99 − the direct upstream's p99 at the same pace, ms */
  addedP99Ms?: number
}

/** One row per paced run (canned upstream), with its latency added to the direct upstream's at the same pace. */
export function halfLoadRows (runs: readonly LoadRun[]): HalfLoadRow[] {
  const paced = runs.filter((r) => r.paced !== undefined && r.upstream === 'canned' && !r.handshake)
  return paced.map((r) => {
    const pace = r.paced!
    const row: HalfLoadRow = { message: r.message, target: r.target, targetRps: pace.targetRps, delayMs: pace.delayMs }
    if (r.wrk === undefined || r.wrk.requests === 0) return { ...row, skipped: r.skipped ?? 'no request completed' }
    const direct = r.target === 'direct'
      ? undefined
      : paced.find((d) => d.target === 'direct' && d.message === r.message && d.paced!.delayMs === pace.delayMs && (d.wrk?.requests ?? 0) > 0)?.wrk
    return {
      ...row,
      achievedRps: r.wrk.requestsPerSecond,
      p50Ms: r.wrk.latencyUs.p50 / 1000,
      p99Ms: r.wrk.latencyUs.p99 / 1000,
      errors: errorCount(r.wrk),
      ...(direct === undefined
        ? {}
        : { addedP50Ms: (r.wrk.latencyUs.p50 - direct.latencyUs.p50) / 1000, addedP99Ms: (r.wrk.latencyUs.p99 - direct.latencyUs.p99) / 1000 })
    }
  })
}

export interface HalfLoadVerdict {
  message: string
  /** the gateway's added p99, ms; absent when the gateway's, nginx's or the direct upstream's paced run is missing */
  addedP99Ms?: number
  /** nginx's added p99 at the same pace, ms: the goal is this plus `HALF_LOAD_GOAL_OVER_NGINX_MS` */
  nginxAddedP99Ms?: number
  /** the bare Node floor's added p99 at the same pace, ms, when it was run (for reference) */
  floorAddedP99Ms?: number
  /** undefined: not measured */
  met?: boolean
  /** errors during the gateway's paced run (a run with errors does not meet the goal) */
  errors?: number
}

/** Per message of the rows: is the gateway's added p99 at half load within `overNginxMs` of nginx's? */
export function halfLoadVerdicts (rows: readonly HalfLoadRow[], overNginxMs = HALF_LOAD_GOAL_OVER_NGINX_MS): HalfLoadVerdict[] {
  const messages = [...new Set(rows.map((r) => r.message))]
  return messages.map((message) => {
    const added = (target: TargetKind): number | undefined => rows.find((r) => r.message === message && r.target === target)?.addedP99Ms
    const gw = rows.find((r) => r.message === message && r.target === 'gateway')
    const nginx = added('nginx')
    if (gw?.addedP99Ms === undefined || nginx === undefined) return { message }
    const floor = added('node floor')
    const errors = gw.errors ?? 0
    return { message, addedP99Ms: gw.addedP99Ms, nginxAddedP99Ms: nginx, ...(floor === undefined ? {} : { floorAddedP99Ms: floor }), met: gw.addedP99Ms <= nginx + overNginxMs && errors === 0, errors }
  })
}
