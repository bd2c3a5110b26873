// Arrays exactly where the schema allows more than one occurrence: every repeatable element of
// every interface version is met with exactly one occurrence in a document the project ships
// or generates, and its JSON is an array of one item there, never an object. An element that
// may occur once is never an array. A new repeatable element in the XSD fails the coverage
// check until a document shows it once.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { defaultSpecDir, loadSpec } from '../../src/contract/index.js'
import { buildJsonContract } from '../../src/contract/json-contract.js'
import { parseXml } from '../../src/soap/xml-reader.js'
import type { Shape } from '../../src/contract/json-mapping.js'
import { CORPUS_NOW } from '../fixtures/corpus-kit.js'
import { exampleDocuments, simulatorAnswers } from './helpers/json-documents.js'

const spec = await loadSpec({ dir: defaultSpecDir(), clock: () => CORPUS_NOW })
t.teardown(() => spec.dispose())
const contract = buildJsonContract(spec)

const documents = [
  ...exampleDocuments(),
  ...simulatorAnswers(spec),
  ...['every-list-once.xml', 'every-list-once-v0200.xml'].map((f) => ({ name: f, bytes: readFileSync(new URL(`./fixtures/${f}`, import.meta.url)) }))
]

for (const v of contract.versions.values()) {
  t.test(`interface ${v.version}`, async (t) => {
    // Every repeatable property, by the type that holds it.
    const repeatable = new Set<string>()
    for (const shape of v.mapping.reachable(v.mapping.shapeOf(v.root.type))) {
      if (shape.kind !== 'object') continue
      for (const p of shape.content) if (p.kind === 'element' && p.element.max > 1) repeatable.add(`${shape.type.name?.local ?? '(anonymous)'}.${p.name}`)
    }
    const seenOnce = new Set<string>()
    let checked = 0
    const walk = (shape: Shape, value: unknown, where: string): void => {
      if (shape.kind !== 'object' || typeof value !== 'object' || value === null) return
      const obj = value as Record<string, unknown>
      for (const p of shape.content) {
        if (p.kind !== 'element' || !(p.name in obj)) continue
        const key = `${shape.type.name?.local ?? '(anonymous)'}.${p.name}`
        const got = obj[p.name]
        if (p.element.max > 1) {
          t.ok(Array.isArray(got), `${where}/${p.name} is an array`)
          checked++
          const list = got as unknown[]
          if (list.length === 1) seenOnce.add(key)
          for (const [i, item] of list.entries()) walk(p.shape, item, `${where}/${p.name}/${i}`)
        } else {
          t.notOk(Array.isArray(got), `${where}/${p.name} occurs at most once: not an array`)
          walk(p.shape, got, `${where}/${p.name}`)
        }
      }
    }
    for (const d of documents) {
      const root = parseXml(d.bytes).root
      if (root.attributes.find((a) => a.local === 'versionInterface')?.value !== v.version) continue
      walk(v.mapping.shapeOf(v.root.type), contract.toJson(root, d.bytes).value, d.name)
    }
    t.ok(checked > 0)
    for (const d of documents.filter((d) => d.name.startsWith('every-list-once'))) t.same(spec.validateDocument(d.bytes).violations, [], `${d.name} is valid`)
    for (const key of [...repeatable].sort()) t.ok(seenOnce.has(key), `${key} is met with exactly one occurrence, as an array of one`)
  })
}
