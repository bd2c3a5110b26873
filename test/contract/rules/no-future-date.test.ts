import t from 'tap'
import { earliestInstant, noFutureDate } from '../../../src/contract/rules/no-future-date.js'
import { ctx, nuu } from '../helpers/documents.js'

const now = new Date('2025-06-01T12:00:00Z')

function dated (element: string, value: string): string {
  return nuu('CRE', `<n:numGuichet>G1226</n:numGuichet><n:${element}>${value}</n:${element}>`)
}

t.test('earliestInstant reads dates and dateTimes, with or without offset', async (t) => {
  t.same(earliestInstant('2025-06-01'), { ms: Date.parse('2025-05-31T10:00:00Z'), hasTime: false }, 'a date begins first in UTC+14')
  t.same(earliestInstant('2025-06-01Z'), { ms: Date.parse('2025-06-01T00:00:00Z'), hasTime: false })
  t.same(earliestInstant('2025-06-01T10:00:00.5+02:00'), { ms: Date.parse('2025-06-01T08:00:00.500Z'), hasTime: true })
  t.same(earliestInstant(' 2025-06-01T10:00:00-03:30 '), { ms: Date.parse('2025-06-01T13:30:00Z'), hasTime: true })
  t.equal(earliestInstant('01/06/2025'), undefined, 'not a date: the schema reports it')
})

t.test('years beyond 9999, before 100 and far out of range', async (t) => {
  t.same(earliestInstant('10000-01-01Z'), { ms: Date.UTC(2000, 0, 1) + (Date.parse('+010000-01-01T00:00:00Z') - Date.UTC(2000, 0, 1)), hasTime: false }, 'a five-digit year is a date like any other')
  t.equal(earliestInstant('0050-06-01Z')?.ms, Date.parse('0050-06-01T00:00:00Z'), 'the year 50, not 1950')
  t.same(earliestInstant('999999999-01-01'), { ms: Infinity, hasTime: false }, 'beyond what a Date holds: far in the future')
  t.same(earliestInstant('-999999999-01-01'), { ms: -Infinity, hasTime: false }, 'and far in the past')
  for (const value of ['10000-01-01', '275761-01-01', '999999999-12-31T00:00:00Z']) {
    t.same(noFutureDate(ctx(dated('dateCreationDemande', value), { now })).map((x) => x.code), ['GW_SPEC_DATE_IN_FUTURE'], value)
  }
  t.same(noFutureDate(ctx(dated('dateNaissance', '0050-06-01'), { now })), [], 'the year 50 is past')
})

t.test('dates of past events cannot be in the future', async (t) => {
  for (const element of ['dateFichier', 'dateCreationDemande', 'dateRenouvellement', 'dateRadiation', 'dateDecisionDalo', 'dateEvenement', 'dateNaissance']) {
    const v = noFutureDate(ctx(dated(element, '2025-06-03'), { now }))
    t.same(v.map((x) => [x.code, x.message, x.path]), [['GW_SPEC_DATE_IN_FUTURE', `${element} is in the future`, `/interfaceNuu/demande/demandeLogement/${element}`]], element)
  }
})

t.test('dates that are future by nature are not checked', async (t) => {
  t.same(noFutureDate(ctx(dated('dateFinValidite', '2030-01-01'), { now })), [])
  t.same(noFutureDate(ctx(dated('dateNaissancePrevue', '2030-01-01'), { now })), [])
})

t.test('generous about time zones and clocks', async (t) => {
  // 12:00Z: it is already 2 June in UTC+14, so 2 June is not future yet; 3 June is.
  t.same(noFutureDate(ctx(dated('dateCreationDemande', '2025-06-02'), { now })), [])
  t.equal(noFutureDate(ctx(dated('dateCreationDemande', '2025-06-03'), { now })).length, 1)
  t.same(noFutureDate(ctx(dated('dateFichier', '2025-06-01T12:04:00Z'), { now })), [], '4 minutes ahead: clock skew')
  t.equal(noFutureDate(ctx(dated('dateFichier', '2025-06-01T12:06:00Z'), { now })).length, 1, '6 minutes ahead')
  t.same(noFutureDate(ctx(dated('dateFichier', '2025-06-02T01:00:00'), { now })), [], 'no offset: read in UTC+14')
})

t.test('the entete dateFichier is checked too', async (t) => {
  const xml = nuu('CRE', '<n:numGuichet>G1226</n:numGuichet>').replace('2025-01-14T10:00:00+01:00', '2026-01-14T10:00:00+01:00')
  t.same(noFutureDate(ctx(xml, { now })).map((v) => v.path), ['/interfaceNuu/entete/dateFichier'])
})

t.test('every field in range or rolled over: the instant a Date set to the year afterwards gives', async (t) => {
  // the reading the rule has always had: the fields in the year 2000, then the year set
  const reference = (y: number, mo: number, d: number, h: number, mi: number, s: number): number =>
    new Date(Date.UTC(2000, mo - 1, d, h, mi, s)).setUTCFullYear(y) - 14 * 60 * 60_000
  const pad = (n: number, w = 2): string => String(Math.abs(n)).padStart(w, '0')
  let checked = 0
  for (const y of [-1, 50, 99, 100, 1900, 2000, 2001, 2024, 2100, 10000]) {
    for (const mo of [1, 2, 3, 12, 13]) {
      for (const d of [1, 28, 29, 30, 31, 32]) {
        for (const [h, mi, s] of [[0, 0, 0], [23, 59, 59], [24, 0, 0], [12, 60, 0], [12, 0, 60]] as const) {
          const value = `${y < 0 ? '-' : ''}${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}`
          t.equal(earliestInstant(value)?.ms, reference(y, mo, d, h, mi, s), value)
          checked++
        }
      }
    }
  }
  t.equal(checked, 1500)
})
