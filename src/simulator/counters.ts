/**
 * What the simulator has done, for the admin API: calls by operation and outcome. Counts, never
 * content.
 */

export interface CallCounters {
  /** counts one call; `operation` undefined when the request named none */
  record (operation: string | undefined, outcome: string): void
  snapshot (): CallCountersSnapshot
}

export interface CallCountersSnapshot {
  /** every call that reached the SOAP endpoint */
  total: number
  /** by operation (`?`: unknown), then by outcome (answer, anomaly, fault, or injected:<kind>) */
  calls: Record<string, Record<string, number>>
}

export function createCallCounters (): CallCounters {
  const calls: Record<string, Record<string, number>> = {}
  let total = 0
  return {
    record (operation, outcome) {
      const byOutcome = (calls[operation ?? '?'] ??= {})
      byOutcome[outcome] = (byOutcome[outcome] ?? 0) + 1
      total++
    },
    snapshot () {
      return { total, calls: structuredClone(calls) }
    }
  }
}
