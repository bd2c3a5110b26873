/**
 * The request-body bytes the gateway holds, bounded per client identity and in total. A call opens a
 * reservation, adds the bytes of each chunk as it arrives (before keeping it), and releases the whole
 * reservation once, when the call ends. The accounting is of bytes actually received, never of a
 * declared Content-Length. One map entry per identity with bytes in flight, removed at zero: the map
 * is bounded by the calls in progress.
 */

/** Why a chunk was refused: the identity's share or the gateway's total. */
export type BudgetScope = 'identity' | 'total'

export interface BodyReservation {
  /** Adds `bytes`; on refusal, nothing is added and the scope over budget is returned. */
  add (bytes: number): BudgetScope | undefined
  /** Gives every byte of the reservation back; only the first call counts. */
  release (): void
  readonly bytes: number
}

export interface BodyBudget {
  readonly totalBytes: number
  readonly perIdentityBytes: number
  /** Opens a reservation for a call of `identity` (`routes/call-limits.ts` callerKey: a call without identity is keyed by its address). */
  open (identity: string): BodyReservation
  /** bytes held by every call */
  inFlight (): number
  /** bytes held by the calls of `identity` */
  heldBy (identity: string): number
}

export function createBodyBudget (limits: { totalBytes: number, perIdentityBytes: number }): BodyBudget {
  const { totalBytes, perIdentityBytes } = limits
  const byIdentity = new Map<string, number>()
  let total = 0

  class Reservation implements BodyReservation {
    bytes = 0
    private released = false
    constructor (private readonly identity: string) {}

    add (n: number): BudgetScope | undefined {
      if (this.released) return 'total'
      if (total + n > totalBytes) return 'total'
      const held = byIdentity.get(this.identity) ?? 0
      if (held + n > perIdentityBytes) return 'identity'
      byIdentity.set(this.identity, held + n)
      total += n
      this.bytes += n
      return undefined
    }

    release (): void {
      if (this.released) return
      this.released = true
      if (this.bytes === 0) return
      const left = (byIdentity.get(this.identity) ?? 0) - this.bytes
      if (left <= 0) byIdentity.delete(this.identity)
      else byIdentity.set(this.identity, left)
      total -= this.bytes
    }
  }

  return {
    totalBytes,
    perIdentityBytes,
    open: (identity) => new Reservation(identity),
    inFlight: () => total,
    heldBy: (identity) => byIdentity.get(identity) ?? 0
  }
}
