/**
 * The census report as CSV (RFC 4180): one row per client, the columns the guichets were asked to
 * send back when TLS 1.0/1.1 were switched off, then a few more. Every field is escaped, and a
 * field that a spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage
 * return) is prefixed with an apostrophe: SNI and certificate names are client-chosen text. So is
 * every part of a field after a `;` or a tab that would start a formula: French spreadsheets split
 * CSV on `;`, and a pasted report splits on tabs, whatever the quoting.
 */
import type { CensusClient } from '../census/census.js'

export const CSV_COLUMNS = [
  'identity', 'ip', 'sni', 'ja4', 'max_version_offered', 'first_legacy_attempt', 'last_legacy_attempt',
  'last_success', 'last_success_version', 'status', 'first_seen', 'last_seen', 'legacy_attempts',
  'last_failure_reason', 'ja3'
] as const

const FORMULA_START = /^[=+\-@\t\r]/
/** a `;` or tab followed, after optional blanks, by a formula's first character */
const FORMULA_AFTER_SEPARATOR = /([;\t])([ ]*[=+\-@])/g
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/

/** One CSV field: formula-guarded, then quoted when it must be. */
export function csvField (value: string | number | undefined): string {
  if (value === undefined) return ''
  let text = String(value)
  if (FORMULA_START.test(text)) text = `'${text}`
  text = text.replace(FORMULA_AFTER_SEPARATOR, "$1'$2")
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

function iso (ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString()
}

function legacyAttempts (c: CensusClient): number {
  return (c.offered.SSLv2 ?? 0) + (c.offered.SSLv3 ?? 0) + (c.offered.TLSv1 ?? 0) + (c.offered['TLSv1.1'] ?? 0)
}

/** The report: a header line, then one line per client, CRLF-terminated. */
export function renderCensusCsv (clients: readonly CensusClient[]): string {
  const lines = [CSV_COLUMNS.join(',')]
  for (const c of clients) {
    lines.push([
      c.identity, c.ip, c.sni, c.ja4, c.maxVersionOffered, iso(c.firstLegacyAttempt), iso(c.lastLegacyAttempt),
      iso(c.lastSuccess), c.lastSuccessVersion, c.status, iso(c.firstSeen), iso(c.lastSeen), legacyAttempts(c),
      c.lastFailureReason, c.ja3Hash
    ].map(csvField).join(','))
  }
  return lines.join('\r\n') + '\r\n'
}
