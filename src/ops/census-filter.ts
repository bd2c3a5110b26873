/**
 * The filters of `GET /ops/tls/clients` and `GET /ops/tls/report.csv`, parsed once per request
 * into a census `ClientFilter`. Strict: an unknown, repeated or malformed parameter is a 400
 * (`GW_TLS_CENSUS_BAD_FILTER`), so that a typo never silently widens a report.
 *
 * - `since`: an ISO 8601 date or date-time, milliseconds since the epoch, or a duration back from
 *   now (`90m`, `12h`, `7d`);
 * - `status`: `legacy-only`, `migrating`, `ready` or `other`;
 * - `version`: a highest offered version, `SSLv2`, `SSLv3`, `TLSv1` (or `TLSv1.0`), `TLSv1.1`,
 *   `TLSv1.2`, `TLSv1.3`;
 * - `ip`: an address or a CIDR block, IPv4 or IPv6.
 */
import { BlockList, isIP } from 'node:net'
import { READINESS, type ClientFilter, type Readiness } from '../census/census.js'
import { codes } from '../census/errors.js'

const VERSIONS: Record<string, string> = {
  SSLv2: 'SSLv2',
  SSLv3: 'SSLv3',
  TLSv1: 'TLSv1',
  'TLSv1.0': 'TLSv1',
  'TLSv1.1': 'TLSv1.1',
  'TLSv1.2': 'TLSv1.2',
  'TLSv1.3': 'TLSv1.3'
}

const DURATION = /^(\d{1,9})([smhd])$/
const EPOCH_MS = /^\d{1,15}$/
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

export const FILTER_PARAMETERS = ['since', 'status', 'version', 'ip'] as const

function bad (parameter: string, why: string): Error {
  return new codes.GW_TLS_CENSUS_BAD_FILTER(parameter, why)
}

function parseSince (value: string, now: number): number {
  const duration = DURATION.exec(value)
  if (duration !== null) return now - Number(duration[1]) * UNIT_MS[duration[2]!]!
  if (EPOCH_MS.test(value)) return Number(value)
  if (ISO_DATE.test(value)) {
    const ms = Date.parse(value)
    if (Number.isFinite(ms)) return ms
  }
  throw bad('since', `'${value.slice(0, 40)}' is not an ISO 8601 date, epoch milliseconds or a duration such as 7d`)
}

function normalizeIp (ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip
}

function parseIp (value: string): (ip: string) => boolean {
  const slash = value.indexOf('/')
  const address = slash < 0 ? value : value.slice(0, slash)
  const family = isIP(address)
  if (family === 0) throw bad('ip', `'${value.slice(0, 60)}' is not an IP address or CIDR block`)
  if (slash < 0) {
    const wanted = normalizeIp(address)
    return (ip) => ip === wanted
  }
  const prefixText = value.slice(slash + 1)
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : -1
  if (prefix < 0 || prefix > (family === 4 ? 32 : 128)) throw bad('ip', `'${value.slice(0, 60)}' has a bad prefix length`)
  const list = new BlockList()
  list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6')
  return (ip) => {
    const f = isIP(ip)
    return f !== 0 && list.check(ip, f === 4 ? 'ipv4' : 'ipv6')
  }
}

/** Parses the query of a census request; throws `GW_TLS_CENSUS_BAD_FILTER`. */
export function parseCensusFilter (query: Record<string, unknown>, now: number): ClientFilter {
  const filter: ClientFilter = {}
  for (const [name, raw] of Object.entries(query)) {
    if (!(FILTER_PARAMETERS as readonly string[]).includes(name)) throw bad(name, `unknown parameter (known: ${FILTER_PARAMETERS.join(', ')})`)
    if (typeof raw !== 'string') throw bad(name, 'given more than once')
    const value = raw.trim()
    if (value === '') throw bad(name, 'empty value')
    switch (name) {
      case 'since': filter.since = parseSince(value, now); break
      case 'status':
        if (!(READINESS as readonly string[]).includes(value)) throw bad('status', `'${value.slice(0, 40)}' is not one of ${READINESS.join(', ')}`)
        filter.status = value as Readiness
        break
      case 'version': {
        const version = VERSIONS[value]
        if (version === undefined) throw bad('version', `'${value.slice(0, 40)}' is not one of ${Object.keys(VERSIONS).join(', ')}`)
        filter.version = version
        break
      }
      case 'ip': filter.ip = parseIp(value); break
    }
  }
  return filter
}
