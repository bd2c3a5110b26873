/**
 * Dates of things that already happened cannot be in the future: the file's date, the
 * demande's creation, renewal and radiation, a DALO decision, an event, a birth. (Not
 * dateFinValidite nor dateNaissancePrevue, which are future by nature.)
 *
 * The sender's clock and time zone are unknown, so the test is generous: a dateTime with an
 * offset is future when it is more than CLOCK_SKEW_MS after now; without an offset it is read
 * in the easternmost zone (UTC+14); a date is future when its first instant, in its own offset
 * or UTC+14, is after now.
 */
import { at } from './tree.js'
import type { Rule } from './types.js'
import { walkElements } from '../../soap/xml-tree.js'

export const PAST_DATE_ELEMENTS: ReadonlySet<string> = new Set([
  'dateFichier', 'dateCreationDemande', 'dateRenouvellement', 'dateRadiation', 'dateDecisionDalo', 'dateEvenement', 'dateNaissance'
])

/** Tolerance between the sender's clock and ours. */
export const CLOCK_SKEW_MS = 5 * 60 * 1000
const EASTERNMOST_OFFSET_MIN = 14 * 60

// xs:date and xs:dateTime years have four digits or more (and may be negative).
const DATE = /^(-?\d{4,})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/

function offsetMinutes (tz: string | undefined): number {
  if (tz === undefined) return EASTERNMOST_OFFSET_MIN
  if (tz === 'Z') return 0
  const sign = tz.startsWith('-') ? -1 : 1
  return sign * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(4, 6)))
}

/**
 * The earliest instant (ms since the epoch) a date or dateTime value can denote, or undefined
 * when it is not one (the schema reports that).
 */
export function earliestInstant (value: string): { ms: number, hasTime: boolean } | undefined {
  const m = DATE.exec(value.trim())
  if (m === null) return undefined
  const [, y, mo, d, h, mi, s, frac, tz] = m
  const hasTime = h !== undefined
  // Beyond the years a Date holds (±275,760), a year is far in the future, or far in the past.
  const year = Number(y)
  if (Math.abs(year) > 200_000) return { ms: year > 0 ? Infinity : -Infinity, hasTime }
  const date = new Date(Date.UTC(2000, Number(mo) - 1, Number(d), hasTime ? Number(h) : 0, hasTime ? Number(mi) : 0, hasTime ? Number(s) : 0,
    frac === undefined ? 0 : Math.floor(Number(frac) * 1000)))
  // setUTCFullYear, not Date.UTC(year…): Date.UTC reads the years 0 to 99 as 1900 to 1999.
  const utc = date.setUTCFullYear(year)
  if (Number.isNaN(utc)) return undefined
  return { ms: utc - offsetMinutes(tz) * 60_000, hasTime }
}

export const noFutureDate: Rule = ({ doc, now, part }) => {
  const out: ReturnType<Rule> = []
  const limit = now.getTime()
  walkElements(doc.root, (el) => {
    if (!PAST_DATE_ELEMENTS.has(el.local) || el.uri !== doc.root.uri) return
    const instant = earliestInstant(el.text)
    if (instant !== undefined && instant.ms > limit + (instant.hasTime ? CLOCK_SKEW_MS : 0)) {
      out.push(at(el, 'GW_SPEC_DATE_IN_FUTURE', `${el.local} is in the future`, part))
    }
  })
  return out
}
