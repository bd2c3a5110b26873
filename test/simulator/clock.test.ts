import t from 'tap'
import { addMonths, latestDate, parseDate, parseDateTime, toDate, toDateTime } from '../../src/simulator/clock.js'

t.test('addMonths counts calendar months and clamps to the last day', async (t) => {
  t.equal(addMonths('2024-03-15', 12), '2025-03-15')
  t.equal(addMonths('2024-01-31', 1), '2024-02-29', 'leap year')
  t.equal(addMonths('2025-01-31', 1), '2025-02-28')
  t.equal(addMonths('2024-12-10', 2), '2025-02-10', 'across a year')
  t.equal(addMonths('2025-03-31', -1), '2025-02-28', 'backwards')
  t.throws(() => addMonths('2025-02-30', 1), RangeError)
})

t.test('parseDate refuses impossible days and ignores a timezone', async (t) => {
  t.equal(parseDate('2025-02-29'), undefined)
  t.equal(parseDate('nope'), undefined)
  t.equal(parseDate('2025-02-28+01:00')?.toISOString(), '2025-02-28T00:00:00.000Z')
})

t.test('parseDateTime honours offsets, reads none as UTC', async (t) => {
  t.equal(parseDateTime('2025-01-14T10:32:07.512+01:00')?.toISOString(), '2025-01-14T09:32:07.512Z')
  t.equal(parseDateTime('2025-01-14T10:32:07')?.toISOString(), '2025-01-14T10:32:07.000Z')
  t.equal(parseDateTime('2025-01-14'), undefined)
  t.equal(parseDateTime('2025-13-14T10:00:00Z'), undefined)
})

t.test('toDate, toDateTime and latestDate', async (t) => {
  const at = new Date('2025-01-14T11:00:00.000Z')
  t.equal(toDate(at), '2025-01-14')
  t.equal(toDateTime(at), '2025-01-14T11:00:00.000Z')
  t.equal(latestDate(at), '2025-01-15', 'already the 15th in UTC+14')
  t.equal(latestDate(new Date('2025-01-14T09:00:00.000Z')), '2025-01-14')
})
