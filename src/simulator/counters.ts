/**
 * What the simulator has done, for the admin API: calls by operation and outcome, and the most
 * recent calls with the TLS client certificate each was made with (so that a test can assert which
 * credential reached the SNE). Counts and certificate identities, never content.
 */
import type { TLSSocket } from 'node:tls'

/** The TLS client certificate a call was made with. */
export interface CallerCertificate {
  /** the subject's CN, undefined when it has none */
  cn: string | undefined
  /** SHA-256 fingerprint, colon-separated hex as Node prints it */
  fingerprint256: string
}

/** One recent call. */
export interface RecentCall {
  /** 1, 2, 3 … in arrival order */
  seq: number
  at: string
  operation: string
  outcome: string
  /** undefined when the call came without a certificate (the simulator's TLS requires one) */
  client: CallerCertificate | undefined
}

export interface CallCounters {
  /** counts one call; `operation` undefined when the request named none */
  record (operation: string | undefined, outcome: string, socket?: unknown): void
  snapshot (): CallCountersSnapshot
  /** the most recent calls, oldest first (at most `RECENT_CALLS`) */
  recent (): RecentCall[]
}

export interface CallCountersSnapshot {
  /** every call that reached the SOAP endpoint */
  total: number
  /** by operation (`?`: unknown), then by outcome (answer, anomaly, fault, or injected:<kind>) */
  calls: Record<string, Record<string, number>>
}

/** How many recent calls are kept. */
export const RECENT_CALLS = 1000

/** The peer certificate of a TLS socket, if any. */
export function callerCertificate (socket: unknown): CallerCertificate | undefined {
  const tls = socket as Partial<TLSSocket> | undefined
  if (typeof tls?.getPeerCertificate !== 'function') return undefined
  const cert = tls.getPeerCertificate()
  if (cert === null || typeof cert !== 'object' || cert.fingerprint256 === undefined) return undefined
  const cn = cert.subject?.CN
  return { cn: Array.isArray(cn) ? cn.join(',') : cn, fingerprint256: cert.fingerprint256 }
}

export function createCallCounters (clock: () => Date = () => new Date()): CallCounters {
  const calls: Record<string, Record<string, number>> = {}
  const recent: RecentCall[] = []
  let total = 0
  return {
    record (operation, outcome, socket) {
      const byOutcome = (calls[operation ?? '?'] ??= {})
      byOutcome[outcome] = (byOutcome[outcome] ?? 0) + 1
      total++
      recent.push({ seq: total, at: clock().toISOString(), operation: operation ?? '?', outcome, client: callerCertificate(socket) })
      if (recent.length > RECENT_CALLS) recent.shift()
    },
    snapshot () {
      return { total, calls: structuredClone(calls) }
    },
    recent () {
      return structuredClone(recent)
    }
  }
}
