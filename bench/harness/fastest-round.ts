/**
 * CPU per call of a function on Node's main thread: a warm-up of `calls` calls, then `rounds`
 * rounds of `calls` calls; the figure is the fastest round's CPU (`process.cpuUsage`, user +
 * system) per call, the round least disturbed on a machine shared with other work. Every result
 * goes into a checksum the caller prints, so that no call can be optimized away.
 */
export interface FastestRound {
  /** µs of CPU per call in the fastest round */
  measure (fn: () => number): number
  /** the sum of every result so far */
  checksum (): number
}

export function fastestRound (rounds: number, calls: number): FastestRound {
  let sink = 0
  return {
    measure (fn) {
      for (let i = 0; i < calls; i++) sink += fn()
      let best = Infinity
      for (let r = 0; r < rounds; r++) {
        const t = process.cpuUsage()
        for (let i = 0; i < calls; i++) sink += fn()
        const u = process.cpuUsage(t)
        best = Math.min(best, (u.user + u.system) / calls)
      }
      return best
    },
    checksum: () => sink
  }
}
