/**
 * Open connections per client address, for the data plane's per-address cap: one idle client must
 * not hold every slot of `maxConnections`. A map of counts, an entry only while its address has a
 * connection open (so its size is bounded by the open connections, not by the addresses ever seen).
 */
export interface AddressCounter {
  /** counts one more connection of `address`, unless it already has `limit` open: then false */
  acquire (address: string): boolean
  /** one connection of `address` closed (after a successful `acquire` only) */
  release (address: string): void
  /** connections of `address` open now */
  count (address: string): number
  /** addresses with a connection open */
  readonly addresses: number
}

export function createAddressCounter (limit: number): AddressCounter {
  const open = new Map<string, number>()
  return {
    acquire (address) {
      const n = open.get(address) ?? 0
      if (n >= limit) return false
      open.set(address, n + 1)
      return true
    },
    release (address) {
      const n = open.get(address)
      if (n === undefined) return
      if (n <= 1) open.delete(address)
      else open.set(address, n - 1)
    },
    count: (address) => open.get(address) ?? 0,
    get addresses () { return open.size }
  }
}
