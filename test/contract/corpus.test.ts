// The validation corpus (test/fixtures/<case>/, written by test/fixtures/make-corpus.ts): every
// case through validateMessage, expecting its operation and exactly its set of violation codes.
import t from 'tap'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defaultSpecDir, loadSpec } from '../../src/contract/index.js'
import { CORPUS_NOW, recipes } from '../fixtures/corpus-kit.js'

interface CaseFile {
  description: string
  contentType?: string
  soapAction?: string
  generate?: string
  operation: string | null
  soapVersion: string | null
  violations: string[]
}

const root = fileURLToPath(new URL('../fixtures/', import.meta.url))
const names = readdirSync(root).filter((n) => existsSync(join(root, n, 'case.json'))).sort()

const spec = await loadSpec({ dir: defaultSpecDir(), clock: () => CORPUS_NOW })
t.teardown(() => spec.dispose())

t.test('the corpus covers every operation, form and typeFichier', async (t) => {
  const cases = names.map((n) => JSON.parse(readFileSync(join(root, n, 'case.json'), 'utf8')) as CaseFile)
  const invalid = cases.filter((c) => c.violations.length > 0)
  t.ok(invalid.length >= 60, `${invalid.length} invalid cases`)
  for (const op of spec.operations.keys()) {
    for (const form of ['mtom', 'inline']) t.ok(names.includes(`valid-${op}-${form}`) || names.some((n) => n.startsWith(`valid-${op}-`) && n.endsWith(`-${form}`)), `a valid ${op} in ${form} form`)
  }
  for (const type of ['cre', 'crs', 'mod', 'ren', 'rad-radaba', 'sup']) {
    for (const form of ['mtom', 'inline']) t.ok(names.includes(`valid-getNumUnique-${type}-${form}`), `a valid ${type} in ${form} form`)
  }
})

for (const name of names) {
  t.test(name, async (t) => {
    const c = JSON.parse(readFileSync(join(root, name, 'case.json'), 'utf8')) as CaseFile
    let message: Buffer
    let contentType: string | undefined
    let soapAction = c.soapAction
    if (c.generate !== undefined) {
      const recipe = recipes[c.generate]
      if (recipe === undefined) throw new Error(`unknown recipe ${c.generate}`)
      const built = recipe()
      message = built.message
      contentType = built.contentType
      soapAction = built.soapAction
    } else {
      message = readFileSync(join(root, name, 'message'))
      contentType = c.contentType
    }
    const result = spec.validateMessage(message, contentType, soapAction === undefined ? {} : { soapAction })
    const codes = [...new Set(result.violations.map((v) => v.code))].sort()
    t.same(codes, c.violations, c.description)
    t.equal(result.operation ?? null, c.operation, 'operation')
    t.equal(result.soapVersion ?? null, c.soapVersion, 'the SOAP version is reported, even when decoding fails')
    for (const v of result.violations) {
      t.type(v.message, 'string')
      t.ok(v.message.length > 0 && v.message.length < 2000, `${v.code}: a bounded message`)
    }
    if (c.violations.length === 0 && spec.operations.get(c.operation!)!.documentElements.length > 0) {
      t.equal(result.documents.length, 1, 'the carried document was validated')
      t.ok(result.documents[0]!.doc !== undefined, 'and parsed')
    }
  })
}
