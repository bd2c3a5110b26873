/**
 * The numéro unique (docs/sne-reference.md §7.2): territory(3) + MM + YY of the first registration +
 * a 6-digit sequence per territory and month + the registering guichet (5). No check key:
 * none is known to exist, and all 18 positions are used by the components.
 */

/** Highest sequence number a territory can issue in one month (6 digits). */
export const MAX_SEQUENCE = 999_999

/**
 * The territory of an INSEE commune code: `0` + the 2-character département in metropolitan
 * France (`75113` → `075`, Corsica `2A004` → `02A`), the 3-digit code overseas (`97411` → `974`).
 * Undefined for a code that names no département (`00…`, `96…`, `99…` foreign countries).
 */
export function territoryOfCommune (commune: string): string | undefined {
  const code = commune.trim().toUpperCase()
  if (!/^[0-9][0-9AB][0-9]{3}$/.test(code)) return undefined
  if (code.startsWith('97')) {
    // The DROM: 971 Guadeloupe, 972 Martinique, 973 Guyane, 974 La Réunion, 976 Mayotte.
    // 975 (Saint-Pierre-et-Miquelon) and 977/978 are collectivities outside the SNE's départements.
    return /^97[12346]/.test(code) ? code.slice(0, 3) : undefined
  }
  const dept = code.slice(0, 2)
  if (dept === '2A' || dept === '2B') return `0${dept}`
  if (/[AB]/.test(dept)) return undefined
  const n = Number(dept)
  // 01–95 are départements (20 was split into 2A/2B in 1976 and no longer appears).
  if (n < 1 || n > 95 || n === 20) return undefined
  return `0${dept}`
}

/** `MMYY` of a `YYYY-MM-DD` date. */
export function periodOf (date: string): string {
  return `${date.slice(5, 7)}${date.slice(2, 4)}`
}

/** Formats a numéro unique from its parts. */
export function formatNumeroUnique (territory: string, period: string, sequence: number, guichet: string): string {
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > MAX_SEQUENCE) throw new RangeError(`sequence out of range: ${sequence}`)
  return `${territory}${period}${String(sequence).padStart(6, '0')}${guichet}`
}

export interface NumeroUniqueParts {
  territory: string
  period: string
  sequence: number
  guichet: string
}

const NU = /^([0-9]{2}[0-9AB])((?:0[1-9]|1[0-2])[0-9]{2})([0-9]{6})(G[0-9]{4})$/

/** Splits a numéro unique in the simulator's strict layout; undefined when it does not match. */
export function parseNumeroUnique (value: string): NumeroUniqueParts | undefined {
  const m = NU.exec(value)
  if (m === null) return undefined
  return { territory: m[1]!, period: m[2]!, sequence: Number(m[3]), guichet: m[4]! }
}
