// validateDocument: a bare interfaceNuu document, hardened read, XSD of its version, rules.
import t from 'tap'
import { fileURLToPath } from 'node:url'
import { defaultSpecDir, loadSpec } from '../../src/contract/index.js'
import { CORPUS_NOW, editEnvelope, edited, exampleDocument, getNumUnique } from '../fixtures/corpus-kit.js'

const spec = await loadSpec({ dir: defaultSpecDir(), clock: () => CORPUS_NOW })
t.teardown(() => spec.dispose())

t.test('a valid document of each version', async (t) => {
  const r = spec.validateDocument(Buffer.from(exampleDocument('cre')))
  t.same(r.violations, [])
  t.equal(r.versionInterface, '02.01')
  t.equal(r.doc?.root.local, 'interfaceNuu')
  t.equal(spec.validateDocument(Buffer.from(exampleDocument('cre-v0200'))).versionInterface, '02.00')
})

t.test('each version is validated by its own XSD', async (t) => {
  // nir exists in 02.01 only
  const r = spec.validateDocument(Buffer.from(edited('cre', ['versionInterface="02.01"', 'versionInterface="02.00"'])))
  t.same(r.violations.map((v) => [v.code, v.path]), [['GW_SCHEMA_UNEXPECTED_ELEMENT', '/interfaceNuu/demande/demandeLogement/personnePhysique/demandeur/nir']])
})

t.test('violations carry the document line, column and path, and no personal value', async (t) => {
  const r = spec.validateDocument(Buffer.from(edited('cre', ['<ns1:dateNaissance>1985-01-20<', '<ns1:dateNaissance>20/01/1985<'])))
  t.same(r.violations, [{
    code: 'GW_SCHEMA_TYPE',
    message: "Element '{http://nuu.application.i2/}dateNaissance': '99/99/9999' is not a valid value of the atomic type 'xs:date'.",
    part: 'document',
    path: '/interfaceNuu/demande/demandeLogement/personnePhysique/demandeur/dateNaissance',
    line: 16,
    column: 1,
    valuesMasked: true
  }])
})

t.test('showValues: the value as sent, with the compiled validator and with libxml2, from the spec or the call', async (t) => {
  const oracle = await loadSpec({ dir: defaultSpecDir(), clock: () => CORPUS_NOW, documentValidation: 'libxml2' })
  t.teardown(() => oracle.dispose())
  const shown = await loadSpec({ dir: defaultSpecDir(), clock: () => CORPUS_NOW, showValues: true })
  t.teardown(() => shown.dispose())
  const bad = Buffer.from(edited('cre', ['<ns1:dateNaissance>1985-01-20<', '<ns1:dateNaissance>20/01/1985<']))
  const quoted = "Element '{http://nuu.application.i2/}dateNaissance': '20/01/1985' is not a valid value of the atomic type 'xs:date'."
  for (const [name, s] of [['compiled', spec], ['libxml2', oracle]] as const) {
    t.same(s.validateDocument(bad, { showValues: true }).violations.map((v) => [v.message, v.valuesMasked]), [[quoted, undefined]], name)
    t.same(s.validateDocument(bad).violations.map((v) => v.valuesMasked), [true], `${name}: masked by default`)
    const message = getNumUnique(bad, 'mtom')
    const found = s.validateMessage(message.message, message.contentType, { showValues: true }).violations.filter((v) => v.code === 'GW_SCHEMA_TYPE')
    t.same(found.map((v) => v.message), [quoted], `${name}: in a message's attachment`)
  }
  t.same(shown.validateDocument(bad).violations.map((v) => v.message), [quoted], 'the spec\'s default')
  t.same(shown.validateDocument(bad, { showValues: false }).violations.map((v) => v.valuesMasked), [true], 'a call may still ask for them masked')
  // the Body payload, against the webservice types
  const payload = getNumUnique(exampleDocument('cre'), 'mtom', editEnvelope(['DEMG1226-202501141032-000000.xml', 'DEMG1226-2025-000000.xml']))
  for (const [name, s] of [['compiled', spec], ['libxml2', oracle]] as const) {
    const pattern = (showValues: boolean): string[] => s.validateMessage(payload.message, payload.contentType, { showValues }).violations.filter((v) => v.code === 'GW_SCHEMA_PATTERN').map((v) => v.message)
    t.match(pattern(true), [/The value 'DEMG1226-2025-000000\.xml' is not accepted/], `${name}: payload value as sent`)
    t.match(pattern(false), [/The value 'AAAA9999-9999-999999\.aaa' is not accepted/], `${name}: payload value masked`)
  }
})

t.test('an unsupported version: no XSD, but the rules still run', async (t) => {
  const r = spec.validateDocument(Buffer.from(edited('mod', ['versionInterface="02.01"', 'versionInterface="09.99"'], [/<ns1:numUnique>[^<]*<\/ns1:numUnique>/, ''])))
  t.same(r.violations.map((v) => v.code), ['GW_SPEC_VERSION_UNSUPPORTED', 'GW_SPEC_NUM_UNIQUE_REQUIRED'])
  t.equal(r.versionInterface, '09.99')
})

t.test('not an interfaceNuu document: said once, nothing else checked', async (t) => {
  const r = spec.validateDocument(Buffer.from('<demande xmlns="urn:autre"><entete><typeFichier>MOD</typeFichier></entete></demande>'))
  t.same(r.violations.map((v) => v.code), ['GW_SPEC_DOCUMENT_ROOT'])
  t.equal(r.versionInterface, undefined)
})

t.test('the hardened reader comes first: its errors, and libxml2 never sees the input', async (t) => {
  const r = spec.validateDocument(Buffer.from('<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'))
  t.same(r.violations.map((v) => [v.code, v.part]), [['GW_SOAP_XML_DTD', 'document']])
  t.equal(r.doc, undefined)
})

t.test('the XML limits of loadSpec apply to documents', async (t) => {
  const strict = await loadSpec({ dir: defaultSpecDir(), xmlLimits: { maxDepth: 4 } })
  t.teardown(() => strict.dispose())
  t.same(strict.validateDocument(Buffer.from(exampleDocument('cre'))).violations.map((v) => v.code), ['GW_SOAP_XML_TOO_DEEP'])
})

t.test('a spec of our own: roots and versions come from its schemas', async (t) => {
  const mini = await loadSpec({ dir: fileURLToPath(new URL('./fixtures/mini-spec/', import.meta.url)) })
  t.teardown(() => mini.dispose())
  const ok = mini.validateDocument(Buffer.from('<d:doc versionInterface="01.00" xmlns:d="urn:mini:doc"><d:color>red</d:color><d:day>2020-01-01</d:day></d:doc>'))
  t.same(ok.violations, [])
  const bad = mini.validateDocument(Buffer.from('<d:doc versionInterface="01.01" xmlns:d="urn:mini:doc"><d:color>red</d:color><d:day>2020-01-01</d:day></d:doc>'))
  t.same(bad.violations.map((v) => v.code), ['GW_SCHEMA_UNEXPECTED_ELEMENT'], '01.01 has no color')
})
