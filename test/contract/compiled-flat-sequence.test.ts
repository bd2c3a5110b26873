// The compiled validator matches a content model that is one flat sequence (element slots, a
// choice of single elements, a trailing wildcard: every type of the interface) with one forward
// scan and no state allocated; any other model, and any run with children read as absent, with
// the general particle matchers. Both must say the same thing, and the same as libxml2, on
// documents that stress what the scan does: a choice filled twice or left empty, an element past
// its maxOccurs, elements out of order, a wildcard's element before a declared one, required
// elements missing at the end.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defaultSpecDir, loadSpec } from '../../src/contract/index.js'
import { kContext } from '../../src/contract/symbols.js'
import { parseXml } from '../../src/soap/xml-reader.js'
import { CORPUS_NOW } from '../fixtures/corpus-kit.js'
import type { MessageValidatorContext } from '../../src/contract/message-validator.js'
import type { Violation, XmlElement } from '../../src/soap/types.js'

const spec = await loadSpec({ dir: defaultSpecDir(), clock: () => CORPUS_NOW })
const oracle = await loadSpec({ dir: defaultSpecDir(), clock: () => CORPUS_NOW, documentValidation: 'libxml2' })
t.teardown(() => {
  spec.dispose()
  oracle.dispose()
})
const compiled = (spec as unknown as Record<symbol, MessageValidatorContext>)[kContext]!.compiled.get('02.01')!
const cre = readFileSync(fileURLToPath(new URL('../../examples/documents/cre.xml', import.meta.url)), 'utf8')
// an element of no document: a run told to read it as absent takes the general matchers
const elsewhere = parseXml(Buffer.from('<x/>')).root

const EXT = 'xmlns:ext="urn:example:editeur:extension"'
const valid = new Set(['the example', 'wildcard elements at the end', 'an element twice, within its maxOccurs'])
const cases: Record<string, string> = {
  'the example': cre,
  'an element twice, within its maxOccurs': cre.replace('<ns1:natureHandicapMoteur code="MI"/>', '<ns1:natureHandicapMoteur code="MI"/><ns1:natureHandicapMoteur code="MI"/>'),
  'an element thrice, past its maxOccurs': cre.replace('<ns1:natureHandicapMoteur code="MI"/>', '<ns1:natureHandicapMoteur code="MI"/><ns1:natureHandicapMoteur code="MI"/><ns1:natureHandicapMoteur code="MI"/>'),
  'the choice filled twice': cre.replace('</ns1:personnePhysique>', '</ns1:personnePhysique><ns1:personneMorale><ns1:raisonSociale>X</ns1:raisonSociale></ns1:personneMorale>'),
  'the choice left empty': cre.replace(/<ns1:personnePhysique>[^]*<\/ns1:personnePhysique>/, ''),
  'an element past its maxOccurs': cre.replace('<ns1:nom>FICTIF-ALPHA</ns1:nom>', '<ns1:nom>FICTIF-ALPHA</ns1:nom><ns1:nom>FICTIF-BETA</ns1:nom>'),
  'two elements swapped': cre.replace('<ns1:nom>FICTIF-ALPHA</ns1:nom>\n<ns1:prenom>Test-Un</ns1:prenom>', '<ns1:prenom>Test-Un</ns1:prenom>\n<ns1:nom>FICTIF-ALPHA</ns1:nom>'),
  'a required element skipped': cre.replace('<ns1:nom>FICTIF-ALPHA</ns1:nom>', ''),
  'a required element missing at the end': cre.replace(/<ns1:logementRecherche>[^]*<\/ns1:logementRecherche>/, ''),
  'wildcard elements at the end': cre.replace('<ns1:interfaceNuu ', `<ns1:interfaceNuu ${EXT} `).replace('</ns1:entete>', '<ext:a/><ext:b>1</ext:b></ns1:entete>'),
  'a wildcard element before a declared one': cre.replace('<ns1:interfaceNuu ', `<ns1:interfaceNuu ${EXT} `).replace('<ns1:dateFichier>', '<ext:a/><ns1:dateFichier>'),
  'an unknown element of the target namespace': cre.replace('</ns1:entete>', '<ns1:inconnu/></ns1:entete>'),
  'a no-namespace element where the wildcard stands': cre.replace('</ns1:entete>', '<inconnu/></ns1:entete>'),
  'an empty complex element': cre.replace(/<ns1:entete>[^]*<\/ns1:entete>/, '<ns1:entete/>')
}

const shown = (vs: Violation[]): string[] => vs.filter((v) => v.code.startsWith('GW_SCHEMA_')).map((v) => `${v.code} ${v.path ?? ''} ${v.line ?? ''}:${v.column ?? ''}`)

for (const [name, xml] of Object.entries(cases)) {
  t.test(name, async (t) => {
    if (name !== 'the example') t.not(xml, cre, 'the case changes the example')
    const root = parseXml(Buffer.from(xml), spec.xmlLimits).root
    const flat = compiled.validate(root, 'fichierDemande')!
    const general = compiled.validate(root, 'fichierDemande', new Set<XmlElement>([elsewhere]))!
    t.same(flat, general, 'the flat scan and the general matchers report the same violations')
    const ours = shown(spec.validateDocument(Buffer.from(xml)).violations)
    const theirs = shown(oracle.validateDocument(Buffer.from(xml)).violations)
    t.same(ours.length === 0, theirs.length === 0, 'libxml2 gives the same verdict')
    t.equal(ours[0], theirs[0], 'and the same first violation')
    if (valid.has(name)) t.same(ours, [], 'valid')
    else t.not(flat.length, 0, 'invalid')
  })
}
