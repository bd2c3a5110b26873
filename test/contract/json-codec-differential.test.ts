// The JSON codec compiled per shape (src/contract/json-codec-compiled.ts) against the generic
// one it replaces, its reference (src/contract/json-codec.ts): the same value (deep equality;
// the compiled one writes an object's attributes in schema order) or the same error (class,
// code, message, JSON Pointer, XSD path), both directions, strict and tolerant, on every
// document the project ships or generates (examples/documents, the corpus of test/fixtures,
// the simulator's answers, the contract fixtures, documents generated from the schema model)
// and on seeded mutations of them and of their JSON. CODEC_DIFF_COUNT (default 3,000 per
// direction) and CODEC_DIFF_SEED (a number or `random`) set the sample; a divergence prints the
// seed and index that rebuild it.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { isDeepStrictEqual } from 'node:util'
import { defaultSpecDir, loadSpec } from '../../src/contract/index.js'
import { buildJsonContract, type VersionContract } from '../../src/contract/json-contract.js'
import { JsonCodecError, XMLNS_ATTR, genericJsonToXml, genericTreeToJson, type JsonToXmlOptions } from '../../src/contract/json-codec.js'
import { qkey } from '../../src/contract/schema-model.js'
import { parseXml } from '../../src/soap/xml-reader.js'
import type { XmlElement } from '../../src/soap/types.js'
import { CORPUS_NOW } from '../fixtures/corpus-kit.js'
import { corpusDocuments, exampleDocuments, simulatorAnswers, type NamedDocument } from './helpers/json-documents.js'
import { generateDocument, mulberry32, mutate, serialize, type Node, type Random } from './helpers/schema-documents.js'

const spec = await loadSpec({ dir: defaultSpecDir(), clock: () => CORPUS_NOW })
t.teardown(() => spec.dispose())
const contract = buildJsonContract(spec)
const versions = [...contract.versions.values()]
const newest = versions[versions.length - 1]!

const count = Number(process.env.CODEC_DIFF_COUNT ?? 3000)
const seedEnv = process.env.CODEC_DIFF_SEED ?? '20261207'
const seed = seedEnv === 'random' ? Math.floor(Math.random() * 2 ** 31) : Number(seedEnv)

const contractFixture = (name: string): NamedDocument => ({ name: `test/contract/fixtures/${name}`, bytes: readFileSync(new URL(`fixtures/${name}`, import.meta.url)) })
const documents: NamedDocument[] = [
  ...exampleDocuments(),
  ...corpusDocuments(spec, true),
  ...corpusDocuments(spec, false),
  ...simulatorAnswers(spec),
  ...['every-list-once.xml', 'every-list-once-v0200.xml', 'wildcard-extensions.xml'].map(contractFixture)
]

/** What a call gave: its value, or its error as the caller sees it. */
function outcome (fn: () => unknown): unknown {
  try {
    return { value: fn() }
  } catch (err) {
    if (err instanceof JsonCodecError) return { error: 'JsonCodecError', code: err.code, message: err.message, pointer: err.pointer, path: err.path }
    return { error: (err as Error).name, message: (err as Error).message }
  }
}

const versionOf = (root: XmlElement): VersionContract => contract.versions.get(root.attributes.find((a) => a.local === 'versionInterface')?.value ?? '') ?? newest

interface Divergence { what: string, compiled: unknown, generic: unknown }

function compareRead (bytes: Buffer, tolerant: boolean): Divergence | undefined {
  const root = parseXml(bytes).root
  const v = versionOf(root)
  const compiled = outcome(() => v.codec.treeToJson(root, bytes, { tolerant }))
  const generic = outcome(() => genericTreeToJson(v.mapping, v.root, root, bytes, { tolerant }))
  return isDeepStrictEqual(compiled, generic) ? undefined : { what: `treeToJson${tolerant ? ' (tolerant)' : ''}`, compiled, generic }
}

const WRITE_OPTIONS: JsonToXmlOptions[] = [{}, { prefix: '' }, { prefix: 'p', declaration: false }]

function compareWrite (v: VersionContract, value: unknown, options: JsonToXmlOptions): Divergence | undefined {
  const compiled = outcome(() => v.codec.jsonToXml(value, options))
  const generic = outcome(() => genericJsonToXml(v.mapping, v.root, value, options))
  return isDeepStrictEqual(compiled, generic) ? undefined : { what: `jsonToXml ${JSON.stringify(options)}`, compiled, generic }
}

t.test('every interface version runs the compiled codec', async (t) => {
  t.ok(versions.length >= 2)
  for (const v of versions) t.ok(v.codec.compiled, `${v.version} compiled`)
})

/** The JSON of every document both codecs read, with the version that reads it. */
const jsonSeeds: Array<{ name: string, v: VersionContract, value: unknown }> = []

t.test('every shipped and generated document: the same JSON, the same XML back', async (t) => {
  t.ok(documents.length > 50, `${documents.length} documents`)
  for (const d of documents) {
    for (const tolerant of [false, true]) {
      const diff = compareRead(d.bytes, tolerant)
      if (diff !== undefined) t.fail(`${d.name}: ${diff.what}`, diff)
    }
    const root = parseXml(d.bytes).root
    const v = versionOf(root)
    let value: unknown
    try {
      value = genericTreeToJson(v.mapping, v.root, root, d.bytes, { tolerant: true }).value
    } catch {
      continue
    }
    jsonSeeds.push({ name: d.name, v, value })
    for (const options of WRITE_OPTIONS) {
      const diff = compareWrite(v, value, options)
      if (diff !== undefined) t.fail(`${d.name}: ${diff.what}`, diff)
    }
  }
  const demande = JSON.parse(readFileSync(new URL('../../examples/rest/demande-cre.json', import.meta.url), 'utf8')) as unknown
  const document = { versionInterface: newest.version, entete: { typeFichier: 'CRE', dateFichier: '2025-01-14T10:32:07.512+01:00' }, demande: [{ demandeLogement: demande }] }
  jsonSeeds.push({ name: 'examples/rest/demande-cre.json', v: newest, value: document })
  t.equal(compareWrite(newest, document, {}), undefined, 'examples/rest/demande-cre.json as a document')
  t.ok(jsonSeeds.length > 40, `${jsonSeeds.length} documents read`)
})

// ----- mutations of the XML -----

function toNode (el: XmlElement): Node {
  return {
    ns: el.uri,
    name: el.local,
    attrs: el.attributes.filter((a) => a.uri !== XMLNS_ATTR).map((a) => [a.local, a.value]),
    children: el.children.map(toNode),
    text: el.children.length === 0 ? el.text : ''
  }
}

const int = (r: Random, n: number): number => Math.floor(r() * n)
const pick = <T>(r: Random, xs: readonly T[]): T => xs[int(r, xs.length)]!

/** Values of every type where any other is expected: whitespace, out of range, wrong lexical forms. */
const ODD_TEXTS = ['  a  b ', '\t1\n', '99999999999999999999', '1e5', 'true', '1', '0', '-0', ' 12 ', '', '1.50', '.5', 'x', 'é𝄞', '<&>']

function leaves (n: Node, out: Node[] = []): Node[] {
  if (n.children.length === 0) out.push(n)
  for (const c of n.children) leaves(c, out)
  return out
}

t.test(`${count} mutated XML documents, seed ${seed}: the same JSON or the same refusal`, async (t) => {
  t.comment(`CODEC_DIFF_SEED=${seed} CODEC_DIFF_COUNT=${count}`)
  const seeds = documents.filter((d) => parseXml(d.bytes).root.local === 'interfaceNuu')
  let divergences = 0
  let read = 0
  for (let i = 0; i < count && divergences < 5; i++) {
    const r = mulberry32(seed + i * 7919)
    const v = pick(r, versions)
    const doc = i % 4 === 0
      ? generateDocument(r, v.mapping.model, qkey(v.root))
      : toNode(parseXml(pick(r, seeds).bytes).root)
    const applied: string[] = []
    for (let m = 1 + int(r, 3); m > 0; m--) {
      if (r() < 0.2) {
        const leaf = pick(r, leaves(doc))
        leaf.text = pick(r, ODD_TEXTS)
        applied.push('text')
      } else applied.push(mutate(r, v.mapping.model, doc))
    }
    const bytes = serialize(doc)
    for (const tolerant of [false, true]) {
      const diff = compareRead(bytes, tolerant)
      if (diff === undefined) continue
      divergences++
      t.fail(`XML mutation ${i} (CODEC_DIFF_SEED=${seed}, ${applied.join('+')}): ${diff.what}`, { ...diff, document: bytes.toString('utf8') })
    }
    if (!('error' in (outcome(() => versionOf(parseXml(bytes).root).codec.treeToJson(parseXml(bytes).root, bytes)) as object))) read++
  }
  t.equal(divergences, 0, 'no divergence')
  t.ok(read > count / 20 && read < count, `${read} of them read in strict mode, the others refused`)
})

// ----- mutations of the JSON -----

type Json = Record<string, unknown> | unknown[]

/** Every object and array of a value, with its holder. */
function containers (v: unknown, out: Json[] = []): Json[] {
  if (typeof v !== 'object' || v === null) return out
  out.push(v as Json)
  for (const x of Array.isArray(v) ? v : Object.values(v)) containers(x, out)
  return out
}

const ODD_VALUES: unknown[] = [1, 1.5, 1e21, -0, 2 ** 60, Number.NaN, true, false, 'x', '', null, [], {}, ['a'], { a: 1 }, '\u0001', 'a\ud800b', '<&>"\'\r\n\t', 'é𝄞', '12', 'true', undefined]
const FRAGMENTS: unknown[] = ['<x:e xmlns:x="urn:other">1</x:e>', '<e/>', 'text', '<?pi x?>', '<!-- c -->', '<a xmlns="urn:other"><b/></a>', '<a xmlns="urn:other">', 5, ' <x:e xmlns:x="urn:other"/> ']
const EXTRA_KEYS = ['foo', '_value', '_any', 'code', '@code', 'versionInterface', 'entete', '__proto__x']

function mutateJson (r: Random, value: unknown): string {
  const all = containers(value)
  const target = pick(r, all)
  const keys: Array<string | number> = Array.isArray(target) ? target.map((_, i) => i) : Object.keys(target)
  const kind = pick(r, ['extra-key', 'drop', 'type', 'duplicate', 'chars', 'unwrap', 'wrap', 'any', 'attribute'] as const)
  const at = keys.length === 0 ? undefined : pick(r, keys)
  const get = (k: string | number): unknown => (target as Record<string | number, unknown>)[k]
  const set = (k: string | number, x: unknown): void => { (target as Record<string | number, unknown>)[k] = x }
  switch (kind) {
    case 'extra-key':
      if (!Array.isArray(target)) target[pick(r, EXTRA_KEYS)] = pick(r, ODD_VALUES)
      break
    case 'drop':
      if (at === undefined) break
      if (Array.isArray(target)) target.splice(Number(at), 1)
      else delete target[String(at)]
      break
    case 'type':
      if (at !== undefined) set(at, structuredClone(pick(r, ODD_VALUES)))
      break
    case 'duplicate':
      if (Array.isArray(target) && target.length > 0) target.push(structuredClone(target[0]))
      break
    case 'chars': {
      if (at === undefined) break
      const x = get(at)
      if (typeof x === 'string') set(at, `${x}${pick(r, ['\u0001', '\ud800', '\ufffe', '<&>"\'\r\n\t', ' ', 'é𝄞', '\u0085'])}`)
      break
    }
    case 'unwrap':
      if (at !== undefined && Array.isArray(get(at))) set(at, (get(at) as unknown[])[0])
      break
    case 'wrap':
      if (at !== undefined) set(at, [get(at)])
      break
    case 'attribute': {
      // the root's attribute (the few object attributes are rarely picked otherwise)
      const root = value as Record<string, unknown>
      root.versionInterface = `${String(root.versionInterface)}${pick(r, ['<&>"\'\r\n\t', '\u0001', ' '])}`
      break
    }
    case 'any':
      if (!Array.isArray(target)) target._any = [pick(r, FRAGMENTS), ...(r() < 0.5 ? [pick(r, FRAGMENTS)] : [])]
      break
  }
  return kind
}

t.test(`${count} mutated JSON documents, seed ${seed}: the same XML or the same refusal`, async (t) => {
  t.comment(`CODEC_DIFF_SEED=${seed} CODEC_DIFF_COUNT=${count}`)
  let divergences = 0
  let written = 0
  for (let i = 0; i < count && divergences < 5; i++) {
    const r = mulberry32(seed + 1 + i * 7919)
    const s = pick(r, jsonSeeds)
    const value = structuredClone(s.value)
    const applied: string[] = []
    for (let m = 1 + int(r, 3); m > 0; m--) applied.push(mutateJson(r, value))
    const options = pick(r, WRITE_OPTIONS)
    const diff = compareWrite(s.v, value, options)
    if (diff !== undefined) {
      divergences++
      t.fail(`JSON mutation ${i} of ${s.name} (CODEC_DIFF_SEED=${seed}, ${applied.join('+')}): ${diff.what}`, { ...diff, value })
    } else if (!('error' in (outcome(() => s.v.codec.jsonToXml(value, options)) as object))) written++
  }
  t.equal(divergences, 0, 'no divergence')
  t.ok(written > count / 20 && written < count, `${written} of them written, the others refused`)
})
