// The JSON mapping is lossless on every document the project ships or generates: XML → JSON →
// XML is the original after Exclusive XML Canonicalization (whitespace-only text, comments and
// processing instructions dropped), and JSON → XML → JSON is the same JSON. The XML written from
// JSON is also valid against its XSD and the interface rules, as the original was.
/* eslint-disable @typescript-eslint/no-explicit-any -- tests walk JSON documents by path */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { defaultSpecDir, loadSpec } from '../../src/contract/index.js'
import { buildJsonContract } from '../../src/contract/json-contract.js'
import { parseXml } from '../../src/soap/xml-reader.js'
import { CORPUS_NOW } from '../fixtures/corpus-kit.js'
import { canonical, corpusDocuments, exampleDocuments, simulatorAnswers, type NamedDocument } from './helpers/json-documents.js'

const spec = await loadSpec({ dir: defaultSpecDir(), clock: () => CORPUS_NOW })
t.teardown(() => spec.dispose())
const contract = buildJsonContract(spec)

const wildcards: NamedDocument = { name: 'test/contract/fixtures/wildcard-extensions.xml', bytes: readFileSync(new URL('./fixtures/wildcard-extensions.xml', import.meta.url)) }
const documents: NamedDocument[] = [...exampleDocuments(), ...corpusDocuments(spec, true), ...simulatorAnswers(spec), wildcards,
  ...['every-list-once.xml', 'every-list-once-v0200.xml'].map((f) => ({ name: `test/contract/fixtures/${f}`, bytes: readFileSync(new URL(`./fixtures/${f}`, import.meta.url)) }))]

t.test('wildcard content is kept as fragments, in document order, with their namespaces', async (t) => {
  const { value } = contract.toJson(parseXml(wildcards.bytes).root, wildcards.bytes)
  const entete = value.entete as Record<string, unknown>
  const anyOf = (v: unknown): string[] => (v as Record<string, string[]>)._any ?? []
  t.same(anyOf(entete).map((f) => /^<([^ >]+)/.exec(f)?.[1]), ['ext:logiciel', 'ext:trace'])
  t.match(anyOf(entete)[0], /xmlns:ext="urn:example:editeur:extension"/, 'the namespace declared on the root travels with the fragment')
  t.same(anyOf(value).length, 2, 'two fragments at the end of the root, in order')
  t.match(anyOf(value)[1], /alg="none2"/)
  const demandeur = ((((value.demande as unknown[])[0] as Record<string, any>).demandeLogement).personnePhysique).demandeur
  t.match(anyOf(demandeur)[0], /^<suivi [^>]*xmlns="urn:example:autre"/, 'a fragment with its own default namespace')
})

t.test('the documents cover every source and both interface versions', async (t) => {
  t.ok(documents.filter((d) => d.name.startsWith('examples/')).length >= 10, 'examples/documents')
  t.ok(documents.filter((d) => d.name.startsWith('test/fixtures/')).length >= 20, 'the valid corpus')
  t.ok(documents.filter((d) => d.name.startsWith('simulator:')).length >= 14, 'simulator answers')
  const versions = new Set(documents.map((d) => parseXml(d.bytes).root.attributes.find((a) => a.local === 'versionInterface')?.value))
  t.same([...versions].sort(), ['02.00', '02.01'])
})

for (const d of documents) {
  t.test(d.name, async (t) => {
    const doc = parseXml(d.bytes)
    const { value, unknown } = contract.toJson(doc.root, d.bytes)
    t.equal(unknown, 0, 'every element and attribute is in the model')
    t.same(contract.validateDocument(value, 'request'), [], 'the JSON is valid against the JSON Schema of its version')
    const prefix = doc.root.prefix
    const xml = contract.toXml(value, { prefix })
    t.equal(canonical(xml), canonical(d.bytes), 'XML → JSON → XML is the original, canonicalized')
    const again = contract.toJson(parseXml(Buffer.from(xml)).root, Buffer.from(xml))
    t.same(again.value, value, 'JSON → XML → JSON is the same JSON')
    t.equal(JSON.stringify(again.value), JSON.stringify(value), 'with the same key order')
    const original = spec.validateDocument(d.bytes).violations.map((v) => v.code)
    t.same(spec.validateDocument(Buffer.from(xml)).violations.map((v) => v.code), original, 'the written XML validates as the original did')
  })
}
