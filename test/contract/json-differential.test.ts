// The JSON Schema and libxml2's XSD validation agree. Every JSON document the tests build
// converts to XML that libxml2 accepts; every invalid document of the corpus that is invalid
// for a reason JSON can express is refused on the JSON side too (by the JSON Schema, or by the
// codec when XML holds what JSON cannot even write: a second entete, text among elements). The
// reasons JSON cannot express are listed below, each with why, and checked to still be caught
// by the interface rules on the XML the JSON becomes.
import t from 'tap'
import { defaultSpecDir, loadSpec } from '../../src/contract/index.js'
import { buildJsonContract } from '../../src/contract/json-contract.js'
import { parseXml } from '../../src/soap/xml-reader.js'
import { CORPUS_NOW } from '../fixtures/corpus-kit.js'
import { corpusDocuments } from './helpers/json-documents.js'

const spec = await loadSpec({ dir: defaultSpecDir(), clock: () => CORPUS_NOW })
t.teardown(() => spec.dispose())
const contract = buildJsonContract(spec)

/** Violations the JSON Schema cannot express, and why. */
const INEXPRESSIBLE: Record<string, string> = {
  GW_SPEC_NUM_UNIQUE_REQUIRED: 'numUnique is optional in the XSD; that MOD/REN/RAD/SUP need it depends on entete/typeFichier, a rule of the interface (src/contract/rules/)',
  GW_SPEC_RADIATION_MOTIF_REQUIRED: 'radiation/motif is optional in the XSD; RAD needing it depends on typeFichier',
  GW_SPEC_SOUS_MOTIF_REQUIRED: 'sousMotif is needed only when the motif is RADIRR: a dependency between two values',
  GW_SPEC_ATTRIBUTION_REQUIRED: 'attribution data are needed only when the motif is RADATT: a dependency between two values',
  GW_SPEC_TOO_MANY_COMMUNES: 'the XSD admits any number of localisationSouhaite; the limit of 10 is a rule of SNE V2',
  GW_SPEC_DATE_IN_FUTURE: 'a date compared with the current time: no schema can say it',
  GW_SPEC_GUICHET_MISMATCH: 'compares the guichet of the SOAP file name with numGuichet: outside the document'
}

/** Cases whose error JSON cannot even be written: the XML written from their JSON is valid. */
const UNWRITABLE: Record<string, string> = {
  'test/fixtures/xsd-order-numUnique (fichierDemande)': 'elements out of schema order: a JSON object has no order, and the writer always writes schema order'
}

/** Codes that name one fault seen from two sides: a missing element is also an unexpected next one. */
const SAME_FAULT: Record<string, string> = { GW_SCHEMA_MISSING_ELEMENT: 'structure', GW_SCHEMA_UNEXPECTED_ELEMENT: 'structure' }
const family = (code: string): string => SAME_FAULT[code] ?? code

const invalid = corpusDocuments(spec, false)
  .map((d) => ({ ...d, violations: spec.validateDocument(d.bytes).violations }))
  .filter((d) => d.violations.length > 0)

t.test('the corpus holds invalid documents of every kind', async (t) => {
  const codes = new Set(invalid.flatMap((d) => d.violations.map((v) => v.code)))
  t.ok(invalid.length >= 25, `${invalid.length} invalid documents`)
  for (const code of ['GW_SCHEMA_ENUMERATION', 'GW_SCHEMA_PATTERN', 'GW_SCHEMA_LENGTH', 'GW_SCHEMA_RANGE', 'GW_SCHEMA_TYPE', 'GW_SCHEMA_UNEXPECTED_ELEMENT', 'GW_SCHEMA_MISSING_ELEMENT', 'GW_SCHEMA_UNKNOWN_ATTRIBUTE', 'GW_SCHEMA_MISSING_ATTRIBUTE']) {
    t.ok(codes.has(code), `${code} is among them`)
  }
})

for (const d of invalid) {
  t.test(d.name, async (t) => {
    const xmlCodes = [...new Set(d.violations.map((v) => v.code))].sort()
    let json: Record<string, unknown>
    try {
      json = contract.toJson(parseXml(d.bytes).root, d.bytes).value
    } catch (err) {
      t.pass(`the JSON side cannot even hold it (${(err as Error).message}); XSD says ${xmlCodes.join(', ')}`)
      return
    }
    const jsonViolations = contract.validateDocument(json, 'request')
    if (jsonViolations.length > 0) {
      const schemaCodes = xmlCodes.filter((c) => c.startsWith('GW_SCHEMA_'))
      t.ok(schemaCodes.length > 0 || xmlCodes.some((c) => c.startsWith('GW_SPEC_VERSION')), 'an XSD violation, caught by the JSON Schema')
      for (const v of jsonViolations) {
        t.match(v.pointer, /^(\/|$)/, 'a JSON Pointer')
        t.match(v.path, /^\/interfaceNuu/, 'and the XSD path of the same field')
      }
      t.ok(jsonViolations.some((v) => xmlCodes.some((c) => family(c) === family(v.code))), `the same code on both sides: XSD ${xmlCodes.join(', ')}, JSON ${jsonViolations.map((v) => v.code).join(', ')}`)
      return
    }
    const xml = Buffer.from(contract.toXml(json, { prefix: parseXml(d.bytes).root.prefix }))
    const why = UNWRITABLE[d.name]
    if (why !== undefined) {
      t.same(spec.validateDocument(xml).violations, [], `cannot be written from JSON: ${why}`)
      return
    }
    for (const code of xmlCodes) t.ok(INEXPRESSIBLE[code], `${code} is listed as inexpressible in JSON Schema`)
    t.same([...new Set(spec.validateDocument(xml).violations.map((v) => v.code))].sort(), xmlCodes, 'the rules still catch it on the XML the JSON becomes')
  })
}

t.test('every unwritable case is in the corpus', async (t) => {
  for (const name of Object.keys(UNWRITABLE)) t.ok(invalid.some((d) => d.name === name), name)
})

t.test('every inexpressible reason is met in the corpus (the table stays honest)', async (t) => {
  const met = new Set(invalid.flatMap((d) => d.violations.map((v) => v.code)))
  for (const code of Object.keys(INEXPRESSIBLE)) {
    if (code === 'GW_SPEC_GUICHET_MISMATCH') {
      t.notOk(met.has(code), `${code} concerns the envelope: a bare document never shows it`)
      continue
    }
    t.ok(met.has(code), `${code} occurs in the corpus`)
  }
})
