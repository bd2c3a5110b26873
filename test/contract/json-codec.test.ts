// The JSON codec's contract beyond round trips: schema order whatever the key order, an escaping
// writer that refuses what XML 1.0 cannot carry, wildcard fragments checked before they are
// written, typed scalars, tolerant answers, and errors that name the JSON Pointer and XSD path.
/* eslint-disable @typescript-eslint/no-explicit-any -- tests walk JSON documents by path */
import t, { type Test } from 'tap'
import { readFileSync } from 'node:fs'
import { defaultSpecDir, loadSpec } from '../../src/contract/index.js'
import { buildJsonContract } from '../../src/contract/json-contract.js'
import { JsonCodecError } from '../../src/contract/json-codec.js'
import { parseXml } from '../../src/soap/xml-reader.js'
import { CORPUS_NOW } from '../fixtures/corpus-kit.js'

const spec = await loadSpec({ dir: defaultSpecDir(), clock: () => CORPUS_NOW })
t.teardown(() => spec.dispose())
const contract = buildJsonContract(spec)
const creBytes = readFileSync(new URL('../../examples/documents/cre.xml', import.meta.url))
const cre = (): Record<string, any> => structuredClone(contract.toJson(parseXml(creBytes).root, creBytes).value) as Record<string, any>

/** Asserts that `fn` throws a JsonCodecError matching `expected` (message as a RegExp). */
function throwsCodec (t: Test, fn: () => unknown, expected: { message?: RegExp, pointer?: string, path?: string }, what: string): void {
  try {
    fn()
    t.fail(`${what}: nothing thrown`)
  } catch (err) {
    t.ok(err instanceof JsonCodecError, `${what}: a JsonCodecError`)
    const e = err as JsonCodecError
    if (expected.message !== undefined) t.match(e.message, expected.message, what)
    if (expected.pointer !== undefined) t.equal(e.pointer, expected.pointer, `${what}: its pointer`)
    if (expected.path !== undefined) t.equal(e.path, expected.path, `${what}: its XSD path`)
  }
}

function reverseKeys (v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reverseKeys)
  if (typeof v !== 'object' || v === null) return v
  return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverseKeys(x)]))
}

t.test('the mapping of the CRE: codes are strings, lists are arrays, scalars are typed', async (t) => {
  const j = cre()
  const d = j.demande[0].demandeLogement
  t.equal(j.versionInterface, '02.01')
  t.equal(d.personnePhysique.demandeur.civilite, '2', 'a code attribute becomes the code, as a string')
  t.equal(d.personnePhysique.demandeur.adressePostale.commune, '75113', 'an INSEE code stays a string')
  t.equal(d.personnePhysique.demandeur.adressePostale.codePostal, '75013', 'a postal code stays a string')
  t.equal(d.personnePhysique.demandeur.adressePostale.etranger, false, 'xs:boolean is a boolean')
  t.equal(d.personnePhysique.demandeur.revenuFiscal.montantMoins1, 21000, 'an amount is an integer')
  t.equal(d.personnePhysique.demandeur.revenuFiscal.anneeMoins1, '2023', 'xs:gYear keeps its lexical form')
  t.equal(j.entete.dateFichier, '2025-01-14T10:32:07.512+01:00', 'xs:dateTime keeps its offset, untouched')
  t.ok(Array.isArray(d.logementRecherche.listeTypeLogement.typeLogement))
})

t.test('JSON → XML writes schema order whatever the key order of the JSON', async (t) => {
  const j = cre()
  const a = contract.toXml(j)
  const b = contract.toXml(reverseKeys(j))
  t.equal(b, a, 'the same bytes')
  t.same(spec.validateDocument(Buffer.from(b)).violations, [], 'valid against the XSD')
})

t.test('the writer escapes hostile strings, and refuses what XML 1.0 cannot carry', async (t) => {
  const hostile = ['<script>', 'a & b', ']]>', '"quoted" \'single\'', '</ns1:nom><ns1:nir>1</ns1:nir>', '&amp;', 'tab\there', 'cr\rlf\n']
  for (const value of hostile) {
    const j = cre()
    j.demande[0].demandeLogement.personnePhysique.demandeur.adressePostale.voie = value
    const xml = contract.toXml(j)
    t.same(spec.validateDocument(Buffer.from(xml)).violations, [], `${JSON.stringify(value)}: the document stays valid`)
    const back = contract.toJson(parseXml(Buffer.from(xml)).root, Buffer.from(xml)).value as Record<string, any>
    t.equal(back.demande[0].demandeLogement.personnePhysique.demandeur.adressePostale.voie, value, `${JSON.stringify(value)} reads back as written`)
  }
  for (const value of ['nul\u0000', 'bell\u0007', 'esc\u001b', 'lone \ud800 high', 'lone \udc00 low', '\ufffe']) {
    const j = cre()
    j.demande[0].demandeLogement.personnePhysique.demandeur.nom = value
    throwsCodec(t, () => contract.toXml(j), {
      message: /XML 1.0 cannot carry/,
      pointer: '/demande/0/demandeLogement/personnePhysique/demandeur/nom',
      path: '/interfaceNuu/demande[1]/demandeLogement/personnePhysique/demandeur/nom'
    }, `${JSON.stringify(value)} is refused where it stands`)
  }
  const emoji = cre()
  emoji.demande[0].demandeLogement.personnePhysique.demandeur.prenom = 'Zoé 😀'
  const xml = contract.toXml(emoji)
  t.match(xml, /Zoé 😀/, 'a surrogate pair is a character like any other')
})

t.test('wildcard fragments are checked before they are written', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['<ext:x xmlns:ext="urn:x">ok</ext:x>', /^$/],
    ['</ns1:entete><ns1:entete>', /one element|well-formed/],
    ['<a xmlns="urn:x"/><b xmlns="urn:x"/>', /well-formed/],
    ['<?xml version="1.0"?><x xmlns="urn:x"/>', /one element/],
    ['<!DOCTYPE x [<!ENTITY e "e">]><x xmlns="urn:x">&e;</x>', /one element/],
    ['<ns1:numGuichet xmlns:ns1="http://nuu.application.i2/">G1</ns1:numGuichet>', /not admitted/],
    ['<local/>', /not admitted/],
    ['text', /one element/]
  ]
  for (const [fragment, expected] of cases) {
    const j = cre()
    j.entete._any = [fragment]
    if (expected.source === '^$') {
      const xml = contract.toXml(j)
      t.same(spec.validateDocument(Buffer.from(xml)).violations, [], 'a fragment of another namespace is written as is')
      continue
    }
    throwsCodec(t, () => contract.toXml(j), { message: expected, pointer: '/entete/_any/0' }, `${JSON.stringify(fragment)} is refused`)
  }
})

t.test('values the JSON side cannot hold faithfully are refused, with pointer and path', async (t) => {
  const j = cre()
  j.demande[0].demandeLogement.personnePhysique.demandeur.revenuFiscal.montantMoins1 = 1.5
  t.throws(() => contract.toXml(j), { name: 'JsonCodecError', pointer: '/demande/0/demandeLogement/personnePhysique/demandeur/revenuFiscal/montantMoins1' })
  const k = cre()
  k.demande[0].demandeLogement.inconnu = 'x'
  t.throws(() => contract.toXml(k), { name: 'JsonCodecError', message: /inconnu is not in the schema/ })
  const huge = creBytes.toString('utf8').replace('<ns1:montantMoins1>21000<', '<ns1:montantMoins1>123456789012345678901<')
  t.throws(() => contract.toJson(parseXml(Buffer.from(huge)).root, Buffer.from(huge)), { name: 'JsonCodecError', message: /2\^53/ })
})

t.test('JSON Schema errors: the JSON Pointer and the XSD path of the same field, the XML side\'s code', async (t) => {
  const j = cre()
  j.demande[0].demandeLogement.personnePhysique.demandeur.civilite = '9'
  j.demande[0].demandeLogement.logementRecherche.listeTypeLogement.typeLogement = { code: 'T3' }
  delete j.entete.typeFichier
  j.demande[0].demandeLogement.personneMorale = { raisonSociale: 'Association' }
  const v = contract.validateDocument(j)
  const find = (pointer: string): unknown => v.find((x) => x.pointer === pointer)
  t.match(find('/demande/0/demandeLogement/personnePhysique/demandeur/civilite'), { code: 'GW_SCHEMA_ENUMERATION', path: '/interfaceNuu/demande[1]/demandeLogement/personnePhysique/demandeur/civilite/@code' })
  t.match(find('/demande/0/demandeLogement/logementRecherche/listeTypeLogement/typeLogement'), { code: 'GW_SCHEMA_TYPE' })
  t.match(find('/entete/typeFichier'), { code: 'GW_SCHEMA_MISSING_ELEMENT', path: '/interfaceNuu/entete/typeFichier' })
  t.match(find('/demande/0/demandeLogement'), { code: 'GW_SCHEMA_UNEXPECTED_ELEMENT', message: /choice/ }, 'personnePhysique and personneMorale are exclusive (xs:choice)')
  for (const x of v) t.notMatch(x.message, /FICTIF|Test-Un|285019/, 'no personal data in messages')
  t.same(contract.validateDocument({ ...cre(), versionInterface: '09.99' }).map((x) => x.code), ['GW_SPEC_VERSION_UNSUPPORTED'])
  t.same(contract.validateDocument({ entete: {} }).map((x) => x.code), ['GW_SPEC_VERSION_MISSING'])
})

t.test('answers are read tolerantly: unknown elements kept in _any and counted', async (t) => {
  const answer = creBytes.toString('utf8')
    .replace('<ns1:anneeMoins1>', '<ns1:champNouveau>x</ns1:champNouveau><ns1:anneeMoins1>')
    .replace('<ns1:entete>', '<ns1:entete futur="1">')
  const bytes = Buffer.from(answer)
  t.throws(() => contract.toJson(parseXml(bytes).root, bytes), { name: 'JsonCodecError', message: /champNouveau|futur/ }, 'refused in a request')
  const { value, unknown } = contract.toJson(parseXml(bytes).root, bytes, { tolerant: true })
  t.equal(unknown, 2, 'one element and one attribute the model does not know')
  const d = (value.demande as Array<Record<string, any>>)[0]!.demandeLogement.personnePhysique.demandeur.revenuFiscal
  t.match(d._any, [/^<ns1:champNouveau [^>]*xmlns:ns1="http:\/\/nuu.application.i2\/"[^>]*>x<\/ns1:champNouveau>$/])
  t.same(contract.validateDocument(value, 'answer'), [], 'valid against the tolerant answer schema')
  t.match(contract.validateDocument(value, 'request'), [{ code: 'GW_SCHEMA_UNEXPECTED_ELEMENT', pointer: '/demande/0/demandeLogement/personnePhysique/demandeur/revenuFiscal/_any' }], 'not against the request schema: revenuFiscal has no wildcard')
  const partial = { versionInterface: '02.01', entete: { typeFichier: 'RET' }, demande: [{ demandeLogement: { numGuichet: 'G1226' } }] }
  t.same(contract.validateDocument(partial, 'answer'), [], 'an answer may omit what a guichet must send')
})

t.test('XML → JSON scalars: xs:whiteSpace collapse, integers by their lexical form, schema order restored', async (t) => {
  const read = (edit: (xml: string) => string): Record<string, any> => {
    const bytes = Buffer.from(edit(creBytes.toString('utf8')))
    return contract.toJson(parseXml(bytes).root, bytes).value as Record<string, any>
  }
  const demandeur = (v: Record<string, any>): Record<string, any> => v.demande[0].demandeLogement.personnePhysique.demandeur
  const postal = (s: string): unknown => demandeur(read((x) => x.replace('<ns1:codePostal>75013<', `<ns1:codePostal>${s}<`))).adressePostale.codePostal
  t.equal(postal('75013'), '75013', 'a token that needs nothing is kept')
  t.equal(postal(' 75\t0  13 '), '75 0 13', 'collapse: tabs, doubled, leading and trailing spaces')
  t.equal(postal('75\n013'), '75 013', 'collapse: a line end')
  const montant = (s: string): unknown => demandeur(read((x) => x.replace('<ns1:montantMoins1>21000<', `<ns1:montantMoins1>${s}<`))).revenuFiscal.montantMoins1
  t.equal(montant('+21000'), 21000)
  t.equal(montant(' -7 '), -7, 'an integer is read after its whitespace is collapsed')
  for (const bad of ['21 000', '1.5', '+', '', '0x10', '1e3']) t.throws(() => montant(bad), { name: 'JsonCodecError', message: /not an integer/ }, JSON.stringify(bad))
  // a document out of schema order: properties still come out in schema order
  const swap = (x: string): string => x.replace(/(<ns1:anneeMoins1>2023<\/ns1:anneeMoins1>)\n(<ns1:montantMoins1>21000<\/ns1:montantMoins1>)/, '$2\n$1')
  t.not(swap(creBytes.toString('utf8')), creBytes.toString('utf8'), 'the example has the two elements to swap')
  const swapped = demandeur(read(swap))
  t.same(Object.keys(swapped.revenuFiscal), Object.keys(demandeur(read((x) => x)).revenuFiscal))
  t.equal(swapped.revenuFiscal.montantMoins1, 21000)
})
