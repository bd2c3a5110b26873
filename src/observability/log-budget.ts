/**
 * A token bucket for log lines about what clients do (refused handshakes, refused connections): a
 * scan or a flood must not flood the logs. `burst` lines at once, then `ratePerSecond`.
 */
export interface LogBudget {
  /** true when a line may be written now (and spends it) */
  take (): boolean
}

export function createLogBudget (ratePerSecond: number, burst: number, now: () => number = Date.now): LogBudget {
  let tokens = burst
  let refilledAt = now()
  return {
    take () {
      const t = now()
      tokens = Math.min(burst, tokens + ((t - refilledAt) / 1000) * ratePerSecond)
      refilledAt = t
      if (tokens < 1) return false
      tokens -= 1
      return true
    }
  }
}
