// CSV fields: RFC 4180 quoting and the formula-injection guard.
import t from 'tap'
import { csvField } from '../../src/ops/census-csv.js'

t.test('fields', async (t) => {
  t.equal(csvField(undefined), '')
  t.equal(csvField(12), '12')
  t.equal(csvField('plain.example'), 'plain.example')
  t.equal(csvField('a,b'), '"a,b"')
  t.equal(csvField('say "hi"'), '"say ""hi"""')
  t.equal(csvField('two\nlines'), '"two\nlines"')
  t.equal(csvField(' padded'), '" padded"')
  for (const start of ['=', '+', '-', '@']) t.equal(csvField(`${start}1+1`), `'${start}1+1`, `formula starting with ${start}`)
  t.equal(csvField('\tcmd'), '\'\tcmd', 'a tab start is defused')
  t.equal(csvField('\r=1'), '"\'\r=1"', 'a carriage return start is defused, then quoted')
  t.equal(csvField('=a,"b"'), '"\'=a,""b"""')
})
