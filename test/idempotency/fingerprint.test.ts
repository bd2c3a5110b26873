// The fingerprint of a REST write: RFC 8785 canonical JSON (the RFC's own examples), then SHA-256
// with the method and the request target.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { canonicalJson, requestFingerprint } from '../../src/idempotency/fingerprint.js'

t.test('RFC 8785 §3.2.2: primitives as ECMAScript writes them, members sorted', async (t) => {
  const input = '{\n  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],\n' +
    '  "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",\n  "literals": [null, true, false]\n}'
  t.equal(canonicalJson(JSON.parse(input)),
    '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}')
})

t.test('RFC 8785 §3.2.3: member names sorted by UTF-16 code units', async (t) => {
  const input = '{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control","\\u00f6":"Latin Small Letter O With Diaeresis"}'
  // Read from the text: a parsed object would list its integer-like names ("1") first.
  const values = [...canonicalJson(JSON.parse(input)).matchAll(/:"([^"]+)"/g)].map((m) => m[1])
  t.same(values, ['Carriage Return', 'One', 'Control', 'Latin Small Letter O With Diaeresis', 'Euro Sign', 'Emoji: Grinning Face', 'Hebrew Letter Dalet With Dagesh'])
})

t.test('nested objects and arrays keep array order, sort members at every level', async (t) => {
  t.equal(canonicalJson({ b: [{ z: 1, a: 2 }, 3], a: { y: null, x: 'é' } }), '{"a":{"x":"é","y":null},"b":[{"a":2,"z":1},3]}')
})

t.test('the fingerprint: the same call in any layout matches, another method, target or body does not', async (t) => {
  const one = requestFingerprint('POST', '/ecole/api/v1/demandes', JSON.parse('{"a": 1.0, "b": {"d": [1, 2], "c": "x"}}'))
  t.match(one, /^[0-9a-f]{64}$/)
  t.equal(requestFingerprint('post', '/ecole/api/v1/demandes', JSON.parse('{"b":{"c":"x","d":[1,2]},"a":1}')), one)
  t.not(requestFingerprint('PUT', '/ecole/api/v1/demandes', { a: 1, b: { c: 'x', d: [1, 2] } }), one)
  t.not(requestFingerprint('POST', '/ecole/api/v1/demandes?typeFichier=CRS', { a: 1, b: { c: 'x', d: [1, 2] } }), one)
  t.not(requestFingerprint('POST', '/ecole/api/v1/demandes', { a: 1, b: { c: 'x', d: [2, 1] } }), one)
})

t.test('the canonical form written in one string is the one written from parts, on varied JSON', async (t) => {
  // The former writer (arrays of parts joined), kept as the oracle of the one-string writer.
  const byParts = (value: unknown): string => {
    if (value === null || typeof value !== 'object') return JSON.stringify(value)
    if (Array.isArray(value)) return `[${value.map(byParts).join(',')}]`
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${byParts((value as Record<string, unknown>)[k])}`).join(',')}}`
  }
  // A seeded generator: nested objects and arrays (empty ones too), strings with escapes and
  // astral characters, integer-like and non-ASCII member names, numbers of every layout.
  let seed = 20261206
  const next = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n }
  const strings = ['', 'a', 'é', '"\\/', '\n\t\u0001', '\ud83d\ude00', '10', '€ 2', 'Z', 'ö', '\ud800', 'x\udfff', '\u007f', '\u2028']
  const numbers = [0, -0, 1, -1.5, 1e21, 1e-7, 333333333.3333333, 4.5, 2 ** 53]
  const gen = (depth: number): unknown => {
    switch (depth > 3 ? next(4) : next(6)) {
      case 0: return strings[next(strings.length)]
      case 1: return numbers[next(numbers.length)]
      case 2: return [null, true, false][next(3)]
      case 3: return strings[next(strings.length)]! + String(next(100))
      case 4: return Array.from({ length: next(4) }, () => gen(depth + 1))
      // up to 24 members: the insertion sort of a few names and the built-in sort of many
      default: return Object.fromEntries(Array.from({ length: next(3) === 0 ? 17 + next(8) : next(5) }, () => [strings[next(strings.length)]! + String(next(3)), gen(depth + 1)]))
    }
  }
  for (let i = 0; i < 500; i++) {
    const value = JSON.parse(JSON.stringify(gen(0))) as unknown
    if (canonicalJson(value) !== byParts(value)) {
      t.fail(`differs on ${JSON.stringify(value)}`)
      return
    }
  }
  const demande = JSON.parse(readFileSync(new URL('../../examples/rest/demande-cre.json', import.meta.url), 'utf8')) as unknown
  t.equal(canonicalJson(demande), byParts(demande), 'the example demande')
})
