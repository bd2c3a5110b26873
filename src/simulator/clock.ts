/**
 * Calendar arithmetic on the injectable clock. Every date and window of the simulator goes
 * through these functions, so that tests move through renewal and radiation windows by
 * changing the clock alone.
 *
 * Dates are calendar days in UTC (`YYYY-MM-DD`, xs:date) and instants are ISO strings in UTC
 * (`toISOString()`, xs:dateTime): both compare correctly as strings, which the store relies on.
 */

/** The clock the simulator reads: returns "now". */
export type Clock = () => Date

export const systemClock: Clock = () => new Date()

const DATE = /^(\d{4})-(\d{2})-(\d{2})/

/** `YYYY-MM-DD` of an instant, in UTC. */
export function toDate (at: Date): string {
  return at.toISOString().slice(0, 10)
}

/** The instant as an xs:dateTime in UTC with milliseconds. */
export function toDateTime (at: Date): string {
  return at.toISOString()
}

/**
 * Parses an xs:date (optionally with a timezone, which is ignored: a calendar day is a day)
 * into midnight UTC of that day; undefined when not a real calendar date.
 */
export function parseDate (value: string): Date | undefined {
  const m = DATE.exec(value.trim())
  if (m === null) return undefined
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const at = new Date(Date.UTC(y, mo - 1, d))
  if (at.getUTCFullYear() !== y || at.getUTCMonth() !== mo - 1 || at.getUTCDate() !== d) return undefined
  return at
}

/** Parses an xs:dateTime (timezone honoured; none means UTC); undefined when unreadable. */
export function parseDateTime (value: string): Date | undefined {
  const text = value.trim()
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.test(text)) return undefined
  const at = new Date(/(Z|[+-]\d{2}:\d{2})$/.test(text) ? text : `${text}Z`)
  return Number.isNaN(at.getTime()) ? undefined : at
}

/**
 * Adds calendar months to a `YYYY-MM-DD` date. A day that does not exist in the target month
 * is clamped to its last day (31 January + 1 month = 28 or 29 February), as a person counts.
 */
export function addMonths (date: string, months: number): string {
  const at = parseDate(date)
  if (at === undefined) throw new RangeError(`not a date: ${date}`)
  const y = at.getUTCFullYear()
  const m = at.getUTCMonth() + months
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate()
  return toDate(new Date(Date.UTC(y, m, Math.min(at.getUTCDate(), last))))
}

/**
 * The latest calendar day it can be anywhere on Earth at `now` (UTC+14): a date sent by a
 * client in any time zone is "in the future" only after it. The spec's no-future-date rule
 * reads dates the same way, so both agree.
 */
export function latestDate (now: Date): string {
  return toDate(new Date(now.getTime() + 14 * 3_600_000))
}
