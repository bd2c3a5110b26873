// docs/json-mapping.md stays true: its worked example is converted by the code, both ways, and
// the schema excerpt it shows is the one generated.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { defaultSpecDir, loadSpec } from '../../src/contract/index.js'
import { buildJsonContract } from '../../src/contract/json-contract.js'
import { parseXml } from '../../src/soap/xml-reader.js'
import { canonical } from './helpers/json-documents.js'

const spec = await loadSpec({ dir: defaultSpecDir() })
t.teardown(() => spec.dispose())
const contract = buildJsonContract(spec)
const doc = readFileSync(new URL('../../docs/json-mapping.md', import.meta.url), 'utf8')
const example = doc.slice(doc.indexOf('## A worked example'))
const blocks = [...example.matchAll(/```(xml|json)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, text: m[2]! }))

t.test('the worked example is what the codec does', async (t) => {
  const [xml, json, schema] = blocks
  t.equal(xml?.lang, 'xml')
  t.equal(json?.lang, 'json')
  const bytes = Buffer.from(xml!.text)
  t.same(spec.validateDocument(bytes).violations, [], 'the example XML is a valid document')
  const converted = contract.toJson(parseXml(bytes).root, bytes).value
  t.same(converted, JSON.parse(json!.text), 'XML → JSON as documented')
  t.equal(canonical(contract.toXml(JSON.parse(json!.text))), canonical(bytes), 'JSON → XML as documented')
  const defs = contract.documentSchema('02.01').$defs as Record<string, unknown>
  t.same(defs['nuu0201.CodeCivilite'], JSON.parse(schema!.text), 'the schema of civilite as generated')
})
