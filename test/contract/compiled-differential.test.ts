// The compiled validator against libxml2, its oracle: every corpus case (test/fixtures/<case>/
// messages, test/contract/fixtures/differential/ documents) and generated documents (valid from
// the schema model, then mutated). Both must agree on valid or invalid and on the first schema
// violation (code and path). DIFF_COUNT (default 5,000) and DIFF_SEED (a number or `random`) set
// the generated sample; `npm run fuzz:differential` runs 100,000. A disagreement prints its
// seed, index and document: add the document to test/contract/fixtures/differential/.
import t from 'tap'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defaultSpecDir, loadSpec } from '../../src/contract/index.js'
import { buildSchemaModel, qkey } from '../../src/contract/schema-model.js'
import { CORPUS_NOW, recipes } from '../fixtures/corpus-kit.js'
import { generateDocument, mulberry32, mutate, serialize } from './helpers/schema-documents.js'
import type { Violation } from '../../src/soap/types.js'

const compiled = await loadSpec({ dir: defaultSpecDir(), clock: () => CORPUS_NOW })
const oracle = await loadSpec({ dir: defaultSpecDir(), clock: () => CORPUS_NOW, documentValidation: 'libxml2' })
t.teardown(() => { compiled.dispose(); oracle.dispose() })

const schemaOnly = (vs: Violation[]): Violation[] => vs.filter((v) => v.code.startsWith('GW_SCHEMA_'))
/** What must agree: valid or not, then the first schema violation's code, path, line and column. */
const verdict = (vs: Violation[]): string => {
  const s = schemaOnly(vs)
  const f = s[0]
  return f === undefined ? 'valid' : `${f.code} ${f.path ?? ''} ${f.line ?? ''}:${f.column ?? ''}`
}

t.test('the interface versions compile to code (no fallback to libxml2)', async (t) => {
  t.same(compiled.schemaFallbacks, [])
})

const corpusRoot = fileURLToPath(new URL('../fixtures/', import.meta.url))
const cases = readdirSync(corpusRoot).filter((n) => existsSync(join(corpusRoot, n, 'case.json'))).sort()
t.test('every corpus message: the same verdict', async (t) => {
  t.ok(cases.length > 50)
  for (const name of cases) {
    const c = JSON.parse(readFileSync(join(corpusRoot, name, 'case.json'), 'utf8')) as { contentType?: string, soapAction?: string, generate?: string }
    const built = c.generate === undefined
      ? { message: readFileSync(join(corpusRoot, name, 'message')), contentType: c.contentType, soapAction: c.soapAction }
      : recipes[c.generate]!()
    const opts = built.soapAction === undefined ? {} : { soapAction: built.soapAction }
    const a = compiled.validateMessage(built.message, built.contentType, opts).violations
    const b = oracle.validateMessage(built.message, built.contentType, opts).violations
    t.equal(verdict(a), verdict(b), name)
    t.same(a.map((v) => v.code), b.map((v) => v.code), `${name}: the same codes`)
  }
})

const docRoot = fileURLToPath(new URL('fixtures/differential/', import.meta.url))
const docs = [
  ...readdirSync(docRoot).filter((n) => n.endsWith('.xml')).map((n) => join(docRoot, n)),
  ...['cre.xml', 'cre-v0200.xml'].map((n) => fileURLToPath(new URL(`../../examples/documents/${n}`, import.meta.url)))
]
t.test('every corpus document: the same verdict', async (t) => {
  for (const path of docs) {
    const bytes = readFileSync(path)
    t.equal(verdict(compiled.validateDocument(bytes).violations), verdict(oracle.validateDocument(bytes).violations), path)
  }
})

const count = Number(process.env.DIFF_COUNT ?? 5000)
const seedEnv = process.env.DIFF_SEED ?? '20261206'
const seed = seedEnv === 'random' ? Math.floor(Math.random() * 2 ** 31) : Number(seedEnv)

t.test(`${count} generated documents, seed ${seed}: the same verdict`, async (t) => {
  t.comment(`DIFF_SEED=${seed} DIFF_COUNT=${count}`)
  const versions = compiled.interfaceVersions
  const files = new Map([...compiled.files].map(([k, v]) => [k, v]))
  const models = new Map(versions.map((v) => {
    const file = [...files.keys()].find((f) => f.includes(`_v${v.replace('.', '')}`))!
    const model = buildSchemaModel(files, [file])
    const root = [...model.elements.keys()].find((k) => k.endsWith('}interfaceNuu'))!
    return [v, { model, root }]
  }))
  let disagreements = 0
  let valid = 0
  for (let i = 0; i < count && disagreements < 5; i++) {
    const r = mulberry32(seed + i * 7919)
    const { model, root } = models.get(versions[i % versions.length]!)!
    const doc = generateDocument(r, model, root)
    const mutations = i % 10 === 0 ? 0 : 1 + Math.floor(r() * 2)
    const applied = []
    for (let m = 0; m < mutations; m++) applied.push(mutate(r, model, doc))
    const bytes = serialize(doc)
    const a = verdict(compiled.validateDocument(bytes).violations)
    const b = verdict(oracle.validateDocument(bytes).violations)
    if (a === 'valid') valid++
    if (a !== b) {
      disagreements++
      t.fail(`document ${i} (seed ${seed}, ${applied.join('+')}): compiled ${a}, libxml2 ${b}`, { document: bytes.toString('utf8') })
    }
  }
  t.comment(`${valid} valid and ${count - valid} invalid documents, ${disagreements} disagreements`)
  t.equal(disagreements, 0, 'no disagreement')
  t.ok(valid > count / 20, `${valid} valid documents among them`)
  void qkey
})
