/**
 * Dated copies of the examples. The files of `examples/` are fixed in time (tests and docs cite
 * them; the CRE is created on 2025-01-14), while the école simulator, like the SNE, runs on the
 * real clock: a demande is valid one year from its dateCreationDemande, then radiated, and
 * nothing may be dated after today. Sent as they are more than a year later, the creations make
 * a demande already expired. So `npm start` writes, at every start, a copy of every example
 * with its dates moved to the day before (`certs/examples/`), and the REST API's OpenAPI examples
 * are dated the same way when the document is made: a live demande on any date, and no copy left
 * to go stale while it is used.
 *
 * Each file is moved as a whole by one number of days, so that its latest date of an event
 * (year 2024 or later: creation, file date, DALO decision, radiation, the stamp of a file name)
 * becomes yesterday, UTC: the dates keep their order and their gaps, none is in the future in
 * any time zone, and birth dates (years before 2024) stay. An interfaceNuu document carried as
 * inline base64 is decoded, moved by the same days and encoded again.
 */
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/** Dates of events in the examples are from this year on; earlier ones are birth dates and stay. */
const FIRST_EVENT_YEAR = 2024
const DAY_MS = 86_400_000
/** `YYYY-MM-DD`, alone or as the date of an xs:dateTime */
const DATE = /(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])/g
/** the stamp of a file name, `DEMG1226-202501141032-…` or `CERG1226-202501141032.pem`: its day */
const STAMP = /(\b[A-Z]{3}[A-Z0-9]{5}-)(\d{4})(\d{2})(\d{2})(?=\d{4}\b)/g
/** an interfaceNuu document sent inline: the base64 text of fichierDemande */
const INLINE_DOCUMENT = /(<fichierDemande\b[^>]*>)([A-Za-z0-9+/=\s]+)(<\/fichierDemande>)/g

function dayOf (y: string, m: string, d: string): number | undefined {
  const year = Number(y)
  if (year < FIRST_EVENT_YEAR) return undefined
  const at = Date.UTC(year, Number(m) - 1, Number(d))
  return Number.isNaN(at) ? undefined : at
}

function isoDay (at: number): [string, string, string] {
  const iso = new Date(at).toISOString()
  return [iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10)]
}

/** The latest day of an event in `text` (and in the documents it carries inline), ms since the epoch. */
function latestEventDay (text: string): number | undefined {
  let latest: number | undefined
  const see = (at: number | undefined): void => { if (at !== undefined && (latest === undefined || at > latest)) latest = at }
  for (const m of text.matchAll(DATE)) see(dayOf(m[1]!, m[2]!, m[3]!))
  for (const m of text.matchAll(STAMP)) see(dayOf(m[2]!, m[3]!, m[4]!))
  for (const m of text.matchAll(INLINE_DOCUMENT)) see(latestEventDay(Buffer.from(m[2]!, 'base64').toString('latin1')))
  return latest
}

/** `text` with every date of an event moved by `days`. */
function shifted (text: string, days: number): string {
  const move = (y: string, m: string, d: string): [string, string, string] | undefined => {
    const at = dayOf(y, m, d)
    return at === undefined ? undefined : isoDay(at + days * DAY_MS)
  }
  return text
    .replace(DATE, (all, y: string, m: string, d: string) => move(y, m, d)?.join('-') ?? all)
    .replace(STAMP, (all, prefix: string, y: string, m: string, d: string) => {
      const to = move(y, m, d)
      return to === undefined ? all : prefix + to.join('')
    })
    .replace(INLINE_DOCUMENT, (_, open: string, base64: string, close: string) =>
      open + Buffer.from(shifted(Buffer.from(base64, 'base64').toString('latin1'), days), 'latin1').toString('base64') + close)
}

/** An example with its dates of events moved so that the latest is the day before `now` (UTC). */
export function datedExample (bytes: Buffer, now: Date): Buffer {
  // latin1 keeps every byte as it is (an attachment may hold 8-bit text); the dates are ASCII
  const text = bytes.toString('latin1')
  const latest = latestEventDay(text)
  if (latest === undefined) return bytes
  const yesterday = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - DAY_MS
  return Buffer.from(shifted(text, Math.round((yesterday - latest) / DAY_MS)), 'latin1')
}

/** The folders of `examples/` whose files are messages, documents or JSON to send. */
export const DATED_FOLDERS = ['documents', 'envelopes', 'requests', 'rest'] as const

/** Writes the dated copy of every example of `examples` under `out`, the same layout; returns how many. */
export async function writeDatedExamples (examples: string, out: string, now: Date): Promise<number> {
  let count = 0
  for (const folder of DATED_FOLDERS) {
    await mkdir(join(out, folder), { recursive: true })
    for (const name of (await readdir(join(examples, folder))).filter((n) => n !== 'README.md')) {
      await writeFile(join(out, folder, name), datedExample(await readFile(join(examples, folder, name)), now))
      count++
    }
  }
  return count
}
