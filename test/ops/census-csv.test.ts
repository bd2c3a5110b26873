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

t.test('a formula after a ; or a tab is defused too (spreadsheets that split on ; or on tabs)', async (t) => {
  t.equal(csvField('a.example;=HYPERLINK("x")'), '"a.example;\'=HYPERLINK(""x"")"')
  t.equal(csvField('a.example; @SUM(1)'), "a.example;' @SUM(1)")
  t.equal(csvField('a\t+1'), "a\t'+1")
  t.equal(csvField('a;-1;b'), "a;'-1;b")
  t.equal(csvField('a;b;c'), 'a;b;c', 'a plain ; is left alone')
})
