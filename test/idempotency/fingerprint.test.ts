// The fingerprint of a REST write: RFC 8785 canonical JSON (the RFC's own examples), then SHA-256
// with the method and the request target.
import t from 'tap'
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
