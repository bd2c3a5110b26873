// XSD regular expressions (XML Schema Part 2, appendix F) translated to anchored ECMAScript: the
// translation is checked against what the XSD semantics say a pattern matches, not against its
// own output. The last tests run every pattern of the repository's schemas on the values of
// examples/documents.
import t, { type Test } from 'tap'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { anchoredPattern, translateXsdPattern, XsdRegexError } from '../../src/contract/xsd-regex.js'

const WSDL_DIR = fileURLToPath(new URL('../../wsdl/', import.meta.url))
const EXAMPLES_DIR = fileURLToPath(new URL('../../examples/documents/', import.meta.url))

/** The pattern as ajv uses it: anchored, with the `u` flag. */
function re (xsd: string | readonly string[]): RegExp {
  return new RegExp(anchoredPattern(typeof xsd === 'string' ? [xsd] : xsd), 'u')
}

/** Asserts which values the XSD pattern matches and which it does not. */
function check (t: Test, xsd: string, yes: readonly string[], no: readonly string[]): void {
  const r = re(xsd)
  for (const v of yes) t.ok(r.test(v), `${xsd} matches ${JSON.stringify(v)}`)
  for (const v of no) t.notOk(r.test(v), `${xsd} does not match ${JSON.stringify(v)}`)
}

/** Asserts that `fn` throws an XsdRegexError (not a SyntaxError of the RegExp constructor, say). */
function throwsXsdRegexError (t: Test, fn: () => unknown, what: string): void {
  try {
    fn()
  } catch (err) {
    t.ok(err instanceof XsdRegexError, `${what}: XsdRegexError (${String(err)})`)
    return
  }
  t.fail(`${what}: no error`)
}

t.test('a pattern matches the whole value: anchored', async (t) => {
  check(t, '[0-9]{3}', ['123', '000'], ['1234', 'a123', '123a', '12', '', '123\n', '\n123'])
  check(t, 'G[0-9]{4}', ['G1226'], ['xG1226', 'G12260'])
  t.match(anchoredPattern(['abc']), /^\^.*\$$/, 'the ECMAScript pattern carries ^ … $')
  t.notMatch(translateXsdPattern('abc'), /^\^|\$$/, 'translateXsdPattern alone is not anchored')
})

t.test('^ and $ are ordinary characters in XSD', async (t) => {
  check(t, '^a$', ['^a$'], ['a', '^a', 'a$'])
  check(t, 'a^b', ['a^b'], ['ab', 'b'])
  check(t, '[$^]+', ['$', '^$^'], ['', 'a'])
  check(t, '\\^\\$', ['^$'], [''])
})

t.test('alternation: anchoring covers every branch', async (t) => {
  check(t, 'ab|cd', ['ab', 'cd'], ['abcd', 'abd', 'acd', 'xcd', 'abx', ''])
  check(t, 'true|false', ['true', 'false'], ['truefalse', 'True', '1', 'xfalse'])
  check(t, 'a(b|c)d', ['abd', 'acd'], ['ad', 'abcd', 'ab'])
  check(t, 'a|', ['a', ''], ['aa'])
  const two = re(['a+', 'b+'])
  t.ok(two.test('aaa') && two.test('b'), 'two patterns of one derivation step: either')
  t.notOk(two.test('ab'), 'but each anchored as a whole')
})

t.test('\\d and \\w are Unicode classes', async (t) => {
  check(t, '\\d+', ['0123456789', '٠١٢٣', '۴۵۶', '१२३', '５'], ['a', '٣a', '-1', '½'])
  check(t, '\\D', ['a', '-', 'é'], ['٣', '7'])
  check(t, '[\\d]{2}', ['٣7'], ['a7'])
  check(t, '\\w+', ['abc', 'Éléonore', '٣', '字', '$+<'], ['a-b', 'a b', 'a.b', '!', 'x_y'])
  check(t, '\\W', ['-', ' ', '.', '!', '_', '\u00A0'], ['a', '7', 'é', '$'])
})

t.test('. matches any character but line ends', async (t) => {
  check(t, 'a.b', ['axb', 'a b', 'a\tb', 'aéb', 'a😀b', 'a.b'], ['a\nb', 'a\rb', 'ab', 'axxb'])
  check(t, '.*', ['', 'anything at all 😀'], ['two\nlines', 'cr\r'])
})

t.test('\\s is exactly space, tab, newline and carriage return', async (t) => {
  check(t, '\\s', [' ', '\t', '\n', '\r'], ['\u00A0', '\u2003', '\v', '\f', 'a', ''])
  check(t, '\\S+', ['abc', '\u00A0', 'é'], ['a b', 'a\tb'])
  check(t, '[^/\\s]+/[^/\\s]+.*', ['text/xml', 'application/xop+xml; charset=UTF-8'], ['text /xml', 'text', '/xml', 'a/b/c\n'])
  check(t, '[\\s,]+', [' ,\t'], ['\u00A0'])
})

t.test('\\i and \\c are XML name characters', async (t) => {
  check(t, '\\i\\c*', ['xs:element', '_a-1.b', 'é', 'a·b', 'Ωmega', 'a\u0300'], ['1abc', '-a', '.a', '', 'a b', 'a@b', '·a'])
  check(t, '\\I', ['1', '-', ' '], ['a', '_', ':'])
  check(t, '\\C', [' ', '@', '/'], ['a', '-', '.', '0'])
  check(t, '[\\i-[:]][\\c-[:]]*', ['NCName', 'a.b-c'], ['x:y', ':a'])
})

t.test('character class subtraction', async (t) => {
  check(t, '[a-z-[aeiou]]+', ['bcd', 'xyz'], ['bad', 'e', 'B', ''])
  check(t, '[a-z-[aeiou-[u]]]', ['b', 'u'], ['a', 'e'])
  check(t, '[^0-9-[a-z]]', ['A', '-'], ['5', 'q'])
  check(t, '[\\d-[0-4]]', ['5', '٥'], ['0', '4'])
})

t.test('character ranges and negated classes', async (t) => {
  check(t, '[a-cx-z]+', ['abc', 'xyz', 'bx'], ['d', 'w', 'A'])
  check(t, '[à-ÿ]', ['é', 'ü'], ['e', 'Ā'])
  check(t, '[😀-😂]', ['😁'], ['😃', 'a'])
  check(t, '[^abc]', ['d', 'é', '\n'], ['a', 'c', ''])
  check(t, '[-a]+', ['-', 'a-a'], ['b'])
  check(t, '[a-]+', ['-', 'a-'], ['b'])
  check(t, '[.+*?(){}|]+', ['.+*?(){}|'], ['a', '\\'])
})

t.test('single-character escapes', async (t) => {
  check(t, 'a\\.b', ['a.b'], ['axb', 'ab'])
  check(t, 'a\\-b', ['a-b'], ['ab', 'a\\-b'])
  check(t, '[\\-a]+', ['-', 'a-'], ['b', '\\'])
  check(t, '\\{\\}', ['{}'], ['', '{', '\\{\\}'])
  check(t, 'x\\{2\\}', ['x{2}'], ['xx'])
  check(t, '\\\\', ['\\'], ['', '\\\\'])
  check(t, '\\|\\?\\*\\+\\(\\)\\[\\]', ['|?*+()[]'], [''])
  check(t, 'a\\nb\\tc\\rd', ['a\nb\tc\rd'], ['anbtcrd'])
  check(t, '\\+?[0-9]{6,15}', ['0600000001', '+33600000001'], ['++33600000001', '06 00 00 00 01', '12345'])
  check(t, '[\\[\\]]', ['[', ']'], ['\\'])
})

t.test('quantifiers', async (t) => {
  check(t, 'a{2,}', ['aa', 'aaaaaaa'], ['', 'a', 'aab'])
  check(t, 'a{2,3}', ['aa', 'aaa'], ['a', 'aaaa'])
  check(t, 'a{0}b', ['b'], ['ab'])
  check(t, 'a{3}', ['aaa'], ['aa', 'aaaa'])
  check(t, 'ab?c*d+', ['ad', 'abccdd'], ['abbd', 'abc'])
  check(t, '(ab){2}', ['abab'], ['ab', 'ababab', 'aabb'])
})

t.test('Unicode categories', async (t) => {
  check(t, '\\p{Lu}\\p{Ll}+', ['Élise', 'Ωmega'], ['élise', 'E'])
  check(t, '\\P{L}+', ['123 !'], ['a1'])
  check(t, '[\\p{L}\\d ]+', ['Rue 12', 'Łódź 3'], ['a-b'])
})

t.test('constructs ECMAScript cannot express, and malformed patterns, throw XsdRegexError', async (t) => {
  for (const bad of [
    '\\p{IsBasicLatin}+', '[\\p{IsLatin-1Supplement}]', '(abc', 'a(b(c)', 'abc)', '[abc', 'a{2', 'a{x}', 'a{,2}', '*a', '+', 'a**',
    '\\q', '\\', '[a[b]]', '\\p{Lu', '\\pL'
  ]) {
    throwsXsdRegexError(t, () => translateXsdPattern(bad), JSON.stringify(bad))
    throwsXsdRegexError(t, () => anchoredPattern(['[0-9]+', bad]), `${JSON.stringify(bad)} as one of several`)
  }
  t.throws(() => translateXsdPattern('\\p{IsBasicLatin}'), { message: /IsBasicLatin/ }, 'the message names the block')
})

t.test('a translation is valid ECMAScript, or the translator throws XsdRegexError', async (t) => {
  // libxml2 compiles a schema with a{3,2}; the others it refuses, but the translator should not
  // hand back a pattern that does not compile either way.
  for (const p of ['a{3,2}', '[z-a]', '\\p{Xx}', '[a-\\d]']) {
    let out: string | undefined
    try {
      out = anchoredPattern([p])
    } catch (err) {
      t.ok(err instanceof XsdRegexError, `${JSON.stringify(p)}: XsdRegexError (${String(err)})`)
      continue
    }
    t.doesNotThrow(() => new RegExp(out, 'u'), `${JSON.stringify(p)} → ${out} compiles`)
  }
})

/** `value` of every `<xs:simpleType name=…>` with patterns, by type name, over the spec files. */
async function repoPatterns (): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>()
  const unescape = (s: string): string => s.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e]!)
  for (const f of (await readdir(WSDL_DIR)).filter((f) => /\.(xsd|wsdl)$/.test(f)).sort()) {
    const text = await readFile(join(WSDL_DIR, f), 'utf8')
    for (const m of text.matchAll(/<xs:simpleType name="([^"]+)">([\s\S]*?)<\/xs:simpleType>/g)) {
      const patterns = [...m[2]!.matchAll(/<xs:pattern value="([^"]*)"\s*\/>/g)].map((p) => unescape(p[1]!))
      if (patterns.length > 0) out.set(`${f}#${m[1]}`, patterns)
    }
  }
  return out
}

/** The distinct values of `regex` (group 1) over examples/documents/*.xml. */
async function exampleValues (regex: RegExp): Promise<string[]> {
  const values = new Set<string>()
  for (const f of (await readdir(EXAMPLES_DIR)).filter((f) => f.endsWith('.xml'))) {
    for (const m of (await readFile(join(EXAMPLES_DIR, f), 'utf8')).matchAll(regex)) values.add(m[1]!)
  }
  return [...values].sort()
}

t.test('every pattern of wsdl/ translates and compiles with the u flag', async (t) => {
  const patterns = await repoPatterns()
  const all = (await Promise.all((await readdir(WSDL_DIR)).filter((f) => /\.(xsd|wsdl)$/.test(f))
    .map(async (f) => (await readFile(join(WSDL_DIR, f), 'utf8')).match(/<xs:pattern value=/g)?.length ?? 0))).reduce((a, b) => a + b, 0)
  t.equal([...patterns.values()].flat().length, all, 'every <xs:pattern value= of the files is in a named simple type read here')
  t.ok(all >= 10, `${all} patterns`)
  for (const [where, steps] of patterns) {
    t.doesNotThrow(() => re(steps), where)
  }
})

t.test('the patterns accept the values of examples/documents, and refuse near misses', async (t) => {
  const patterns = await repoPatterns()
  const cases: Array<{ types: string[], values: RegExp, no: string[] }> = [
    { types: ['InterfaceNuu_nomenclatures_v02.xsd#TNumGuichet'], values: /<ns1:numGuichet>([^<]*)</g, no: ['G123', 'g1226', 'G12345'] },
    { types: ['InterfaceNuu_nomenclatures_v02.xsd#TNumUnique', 'DemandeLogementImplService_schema1.xsd#numUnique'], values: /<ns1:numUnique>([^<]*)</g, no: ['1111324001871G1104', '1110125004242G122'] },
    { types: ['InterfaceNuu_nomenclatures_v02.xsd#TCodeCommune'], values: /<ns1:commune code="([^"]*)"/g, no: ['7511', '2C004', 'A5113'] },
    { types: ['InterfaceNuu_nomenclatures_v02.xsd#TTelephone'], values: /<ns1:tel(?:Portable|Fixe)>([^<]*)</g, no: ['06 00 00 00 01', '06-00000001'] },
    { types: ['InterfaceNuu_v0201.xsd#TNir'], values: /<ns1:nir>([^<]*)</g, no: ['385019912300100', '28501991230010', '2850199123001000'] },
    { types: ['InterfaceNuu_nomenclatures_v02.xsd#TMel'], values: /<ns1:mel>([^<]*)</g, no: ['a@b@c', 'a b@c'] }
  ]
  for (const c of cases) {
    const values = await exampleValues(c.values)
    t.ok(values.length > 0, `examples have values for ${c.types.join(', ')}: ${values.join(' ')}`)
    for (const type of c.types) {
      const steps = patterns.get(type)
      t.ok(steps, `${type} has a pattern`)
      if (steps === undefined) continue
      check(t, steps[0]!, values, c.no)
    }
  }
  check(t, patterns.get('InterfaceNuu_v0201.xsd#TNir')![0]!, ['185012A00412345', '285012B00412345'], ['185012C00412345'])
  check(t, patterns.get('DemandeLogementImplService_schema1.xsd#nomFichierDemande')![0]!, ['DEMG1226-202501141032-000001.xml'], ['DEMG1226-202501141032-000001xxml'])
})
