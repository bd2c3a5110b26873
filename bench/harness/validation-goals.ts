/**
 * Validation's goals as gateway-steps.ts reports them: from the fastest round (least CPU per call)
 * of each of nginx, the bare Node floor and the gateway with validation off and on, loaded in turn
 * in the same rounds. CPU goals compare CPU per call of the process trees; throughput goals the
 * req/s of those same rounds.
 */

/** One target's load round. */
export interface Round {
  requests: number
  /** CPU µs per call of the process tree */
  treeUs: number
  /** CPU µs per call of the main thread */
  mainUs: number
  rps: number
  /** write syscalls per call */
  writes: number
}

export const GOAL_TARGETS = { floor: 'node floor', off: 'gateway (validation off)', on: 'gateway (validation on)', nginx: 'nginx' } as const

/** The round of least CPU per call (process tree), or undefined when there is none. */
export function fastestRound (list: readonly Round[] | undefined): Round | undefined {
  return list === undefined || list.length === 0 ? undefined : list.reduce((a, b) => (b.treeUs < a.treeUs ? b : a))
}

/** The goals' Markdown table, or nothing when a target they compare was not run. */
export function goalLines (rounds: ReadonlyMap<string, readonly Round[]>): string[] {
  const fastest = (name: string): Round | undefined => fastestRound(rounds.get(name))
  const [floor, off, on, nginx] = [GOAL_TARGETS.floor, GOAL_TARGETS.off, GOAL_TARGETS.on, GOAL_TARGETS.nginx].map(fastest)
  if (floor === undefined || off === undefined || on === undefined || nginx === undefined) return []
  const row = (goal: string, target: string, value: number, met: boolean | undefined): string =>
    `| ${goal} | ${target} | ${value.toFixed(2)} | ${met === undefined ? '' : met ? 'met' : 'not met'} |`
  const cpu = (a: Round, b: Round): number => a.treeUs / b.treeUs
  const rps = (a: Round, b: Round): number => a.rps / b.rps
  return [
    '',
    'Goals, from the fastest round of each target:',
    '',
    '| goal | target | this run | |',
    '|---|---:|---:|---|',
    row('validation on ÷ off, CPU per call', '≤ 1.3', cpu(on, off), cpu(on, off) <= 1.3),
    row('validation off ÷ Node floor, CPU per call', '≤ 1.1', cpu(off, floor), cpu(off, floor) <= 1.1),
    row('validation off ÷ Node floor, req/s', '≥ 0.9', rps(off, floor), rps(off, floor) >= 0.9),
    row('validation on ÷ Node floor, req/s', '≥ 0.75', rps(on, floor), rps(on, floor) >= 0.75),
    row('validation on ÷ nginx, req/s (long-run aim)', '≥ 0.5', rps(on, nginx), rps(on, nginx) >= 0.5),
    row('Node floor ÷ nginx, req/s (for reference)', '—', rps(floor, nginx), undefined)
  ]
}
