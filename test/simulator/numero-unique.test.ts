import t from 'tap'
import { formatNumeroUnique, parseNumeroUnique, periodOf, territoryOfCommune } from '../../src/simulator/numero-unique.js'

t.test('territory of the first commune souhaitée (docs/sne-reference.md §7.2)', async (t) => {
  t.equal(territoryOfCommune('75113'), '075', 'metropolitan département: 0 + 2 digits')
  t.equal(territoryOfCommune('01053'), '001')
  t.equal(territoryOfCommune('2A004'), '02A', 'Corse-du-Sud')
  t.equal(territoryOfCommune('2b033'), '02B', 'Haute-Corse, case-insensitive')
  t.equal(territoryOfCommune('97411'), '974', 'La Réunion: 3 digits')
  t.equal(territoryOfCommune('97101'), '971')
  t.equal(territoryOfCommune('97611'), '976')
  for (const code of ['97501', '97701', '98735', '00123', '96001', '99100', '20004', '3A001', '7511', 'abcde']) {
    t.equal(territoryOfCommune(code), undefined, `${code} has no territory`)
  }
})

t.test('format and parse a numéro unique', async (t) => {
  t.equal(periodOf('2025-01-14'), '0125')
  const nu = formatNumeroUnique('075', '0125', 42, 'G1226')
  t.equal(nu, '075012500004' + '2G1226')
  t.equal(nu.length, 18)
  t.same(parseNumeroUnique(nu), { territory: '075', period: '0125', sequence: 42, guichet: 'G1226' })
  t.same(parseNumeroUnique(formatNumeroUnique('02A', '1224', 999_999, 'G0001'))?.territory, '02A')
  t.equal(parseNumeroUnique('1110318016982G1104')?.sequence, 16982, 'the real-format example of docs/sne-reference.md §7.2')
  t.equal(parseNumeroUnique('075132500004 2G1226'), undefined)
  t.throws(() => formatNumeroUnique('075', '0125', 0, 'G1226'), RangeError)
  t.throws(() => formatNumeroUnique('075', '0125', 1_000_000, 'G1226'), RangeError)
})
