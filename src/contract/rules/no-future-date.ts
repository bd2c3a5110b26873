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

const FIRST_LETTERS: ReadonlySet<number> = new Set([...PAST_DATE_ELEMENTS].map((n) => n.charCodeAt(0)))

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

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/** The days of a month (0-based) of a proleptic Gregorian year, as Date counts them. */
function daysIn (year: number, month: number): number {
  return month === 1 && ((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0) ? 29 : DAYS[month]!
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
  const month = Number(mo) - 1
  const day = Number(d)
  const hours = hasTime ? Number(h) : 0
  const minutes = hasTime ? Number(mi) : 0
  const seconds = hasTime ? Number(s) : 0
  const ms = frac === undefined ? 0 : Math.floor(Number(frac) * 1000)
  let utc: number
  if ((year < 0 || year > 99) && month <= 11 && day >= 1 && day <= daysIn(year, month) && hours <= 23 && minutes <= 59 && seconds <= 59) {
    // every field within its range (most values): Date.UTC gives what the general case below does, without a Date
    utc = Date.UTC(year, month, day, hours, minutes, seconds, ms)
  } else {
    // setUTCFullYear, not Date.UTC(year…): Date.UTC reads the years 0 to 99 as 1900 to 1999;
    // fields out of range roll over in 2000 first, as they always have here
    utc = new Date(Date.UTC(2000, month, day, hours, minutes, seconds, ms)).setUTCFullYear(year)
  }
  if (Number.isNaN(utc)) return undefined
  return { ms: utc - offsetMinutes(tz) * 60_000, hasTime }
}

export const noFutureDate: Rule = ({ doc, now, part }) => {
  const out: ReturnType<Rule> = []
  const limit = now.getTime()
  walkElements(doc.root, (el) => {
    // the names' first letters tell most elements apart without hashing their name
    if (!FIRST_LETTERS.has(el.local.charCodeAt(0)) || !PAST_DATE_ELEMENTS.has(el.local) || el.uri !== doc.root.uri) return
    const instant = earliestInstant(el.text)
    if (instant !== undefined && instant.ms > limit + (instant.hasTime ? CLOCK_SKEW_MS : 0)) {
      out.push(at(el, 'GW_SPEC_DATE_IN_FUTURE', `${el.local} is in the future`, part))
    }
  })
  return out
}
