/**
 * Lists of addresses and CIDR blocks in the configuration (the load balancers trusted to send a
 * PROXY header): checked at load time, with a message naming the entry, and compiled once into a
 * `net.BlockList`, which also matches IPv4-mapped IPv6 peers against IPv4 entries.
 */
import { BlockList, isIP } from 'node:net'

/** Why `entry` is not an address or a CIDR block, or undefined when it is one. */
export function addressEntryProblem (entry: string): string | undefined {
  const slash = entry.indexOf('/')
  const address = slash === -1 ? entry : entry.slice(0, slash)
  const family = isIP(address)
  if (family === 0) return `'${entry}' is not an IPv4 or IPv6 address, nor a CIDR block (address/prefix)`
  if (slash === -1) return undefined
  const prefix = entry.slice(slash + 1)
  const max = family === 4 ? 32 : 128
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefix) || Number(prefix) > max) return `'${entry}': the prefix length must be an integer from 0 to ${max}`
  return undefined
}

/** Compiles checked entries into a matcher of (normalized or IPv4-mapped) addresses. */
export function addressMatcher (entries: readonly string[]): (address: string) => boolean {
  const list = new BlockList()
  for (const entry of entries) {
    const problem = addressEntryProblem(entry)
    if (problem !== undefined) throw new TypeError(problem)
    const [address, prefix] = entry.split('/') as [string, string | undefined]
    const type = isIP(address) === 4 ? 'ipv4' : 'ipv6'
    if (prefix === undefined) list.addAddress(address, type)
    else list.addSubnet(address, Number(prefix), type)
  }
  return (address) => {
    const family = isIP(address)
    return family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6')
  }
}

/** True for an IPv4 or IPv6 loopback address (IPv4-mapped included). */
export function isLoopback (address: string | undefined): boolean {
  if (address === undefined) return false
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address
  return v4 === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4)
}
