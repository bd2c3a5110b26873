// A schema change is a file change: copy wsdl/, add an optional element to InterfaceNuu_v0201.xsd
// and a code to a code list of the nomenclatures, and the JSON contract built from the copy has
// both, converts both ways and agrees with libxml2, while the repository's contract refuses them.
// No code knows the new element or code: everything comes from the files.
import t from 'tap'
import { cp, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defaultSpecDir, loadSpec } from '../../src/contract/index.js'
import { buildJsonContract, type JsonContract } from '../../src/contract/json-contract.js'
import { parseXml } from '../../src/soap/xml-reader.js'
import type { InterfaceSpec } from '../../src/contract/index.js'
import type { JsonSchema } from '../../src/contract/json-schema.js'

const CRE = fileURLToPath(new URL('../../examples/documents/cre.xml', import.meta.url))
const VERSION_XSD = 'InterfaceNuu_v0201.xsd'
const CODES_XSD = 'InterfaceNuu_nomenclatures_v02.xsd'
const COMMENT = 'Préfère un rez-de-chaussée & un ascenseur'

/** Replaces exactly one occurrence of `from`, so that an edit cannot silently miss or double. */
function replaceOnce (text: string, from: string, to: string, what: string): string {
  const at = text.indexOf(from)
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`${what}: ${JSON.stringify(from)} must occur exactly once`)
  return text.slice(0, at) + to + text.slice(at + from.length)
}

/** The slice of `text` from the line containing `start` to the first `end` after it. */
function block (text: string, start: string, end: string): { from: number, to: number } {
  const from = text.indexOf(start)
  if (from < 0) throw new Error(`${start} not found`)
  const to = text.indexOf(end, from)
  if (to < 0) throw new Error(`${end} not found after ${start}`)
  return { from, to: to + end.length }
}

/** wsdl/ copied to `dir`, with commentaireLibre after nir in TDemandeur and civilité code 9. */
async function modifiedSpecDir (dir: string): Promise<void> {
  await cp(defaultSpecDir(), dir, { recursive: true })

  const versionPath = join(dir, VERSION_XSD)
  const xsd = await readFile(versionPath, 'utf8')
  // Only TDemandeur: TCotitulaire has the same nir line.
  const demandeur = block(xsd, '<xs:complexType name="TDemandeur">', '</xs:complexType>')
  const edited = replaceOnce(xsd.slice(demandeur.from, demandeur.to),
    '<xs:element name="nir" type="tns:TNir" minOccurs="0"/>',
    '<xs:element name="nir" type="tns:TNir" minOccurs="0"/>\n      <xs:element name="commentaireLibre" type="tns:TTexte" minOccurs="0"/>',
    'TDemandeur')
  await writeFile(versionPath, xsd.slice(0, demandeur.from) + edited + xsd.slice(demandeur.to))

  const codesPath = join(dir, CODES_XSD)
  const codes = await readFile(codesPath, 'utf8')
  const civilite = block(codes, '<xs:simpleType name="ListeCivilite">', '</xs:simpleType>')
  const list = replaceOnce(codes.slice(civilite.from, civilite.to),
    '</xs:restriction>',
    '  <xs:enumeration value="9"><xs:annotation><xs:documentation>Mx</xs:documentation></xs:annotation></xs:enumeration>\n    </xs:restriction>',
    'ListeCivilite')
  await writeFile(codesPath, codes.slice(0, civilite.from) + list + codes.slice(civilite.to))
}

/** cre.xml with the demandeur's civilité 9 and a commentaireLibre right after its nir. */
async function modifiedCre (): Promise<Buffer> {
  let xml = await readFile(CRE, 'utf8')
  const demandeur = block(xml, '<ns1:demandeur>', '</ns1:demandeur>')
  let inside = xml.slice(demandeur.from, demandeur.to)
  inside = replaceOnce(inside, '<ns1:civilite code="2"/>', '<ns1:civilite code="9"/>', 'demandeur civilite')
  inside = replaceOnce(inside, '<ns1:nir>285019912300100</ns1:nir>',
    '<ns1:nir>285019912300100</ns1:nir>\n<ns1:commentaireLibre>Préfère un rez-de-chaussée &amp; un ascenseur</ns1:commentaireLibre>', 'demandeur nir')
  xml = xml.slice(0, demandeur.from) + inside + xml.slice(demandeur.to)
  return Buffer.from(xml)
}

/** Follows `$ref`s (`#/$defs/…`) of a standalone schema. */
function deref (root: JsonSchema, s: JsonSchema): JsonSchema {
  let cur = s
  for (let i = 0; typeof cur.$ref === 'string' && i < 20; i++) {
    const name = cur.$ref.replace(/^#\/\$defs\//, '')
    const next = (root.$defs as Record<string, JsonSchema>)[name]
    if (next === undefined) throw new Error(`unresolved ${cur.$ref}`)
    cur = next
  }
  return cur
}

/** The schema of the demandeur object and of its civilité code, in a 02.01 document schema. */
function demandeurSchemas (schema: JsonSchema): { demandeur: JsonSchema, civilite: JsonSchema } {
  let s = deref(schema, schema)
  for (const name of ['demande', 'demandeLogement', 'personnePhysique', 'demandeur']) {
    const prop = (s.properties as Record<string, JsonSchema> | undefined)?.[name]
    if (prop === undefined) throw new Error(`no property ${name}`)
    s = deref(schema, prop.type === 'array' ? prop.items as JsonSchema : prop)
  }
  const civilite = deref(schema, (s.properties as Record<string, JsonSchema>).civilite!)
  return { demandeur: s, civilite }
}

const byPath = (json: Record<string, unknown>): { demandeur: Record<string, unknown> } => {
  let cur: unknown = json
  for (const name of ['demande', 'demandeLogement', 'personnePhysique', 'demandeur']) {
    cur = (cur as Record<string, unknown>)[name]
    if (Array.isArray(cur)) cur = cur[0]
  }
  return { demandeur: cur as Record<string, unknown> }
}

t.test('an element and a code added to the XSD files appear in the JSON contract, with no code change', async (t) => {
  const dir = t.testdir({})
  await modifiedSpecDir(dir)

  const repoSpec: InterfaceSpec = await loadSpec({ dir: defaultSpecDir() })
  t.teardown(() => repoSpec.dispose())
  const spec: InterfaceSpec = await loadSpec({ dir })
  t.teardown(() => spec.dispose())
  const repo: JsonContract = buildJsonContract(repoSpec)
  const modified: JsonContract = buildJsonContract(spec)
  t.same(modified.unsupported, [], 'the additions are plain constructs: nothing unsupported')

  t.test('the JSON Schema has the new property, in schema order, and the new code', async (t) => {
    const before = demandeurSchemas(repo.documentSchema('02.01', 'request'))
    const after = demandeurSchemas(modified.documentSchema('02.01', 'request'))
    t.notOk('commentaireLibre' in (before.demandeur.properties as object), 'the repository schema has no commentaireLibre')
    t.notOk((before.civilite.enum as unknown[]).includes('9'), 'nor a civilité 9')
    t.same(before.civilite.enum, ['1', '2', '3'])

    const keys = Object.keys(after.demandeur.properties as object)
    t.equal(keys[keys.indexOf('nir') + 1], 'commentaireLibre', 'right after nir, as in the XSD sequence')
    const comment = (after.demandeur.properties as Record<string, JsonSchema>).commentaireLibre!
    t.match(comment, { xml: { name: 'commentaireLibre', namespace: 'http://nuu.application.i2/' } })
    t.same(deref(modified.documentSchema('02.01'), comment), { type: 'string', minLength: 1, maxLength: 255 }, 'TTexte')
    t.notOk((after.demandeur.required as string[]).includes('commentaireLibre'), 'optional (minOccurs="0")')
    t.same(after.civilite.enum, ['1', '2', '3', '9'])
    t.match(after.civilite['x-enumLabels'], { 9: 'Mx' }, 'the label comes from xs:documentation')

    const answer = demandeurSchemas(modified.documentSchema('02.01', 'answer'))
    t.ok('commentaireLibre' in (answer.demandeur.properties as object), 'the answer flavour has it too')
    // 02.00 includes the same code lists: the new code reaches it as well, the element does not.
    const v0200 = demandeurSchemas(modified.documentSchema('02.00'))
    t.same(v0200.civilite.enum, ['1', '2', '3', '9'])
    t.notOk('commentaireLibre' in (v0200.demandeur.properties as object))
  })

  t.test('XML → JSON → XML with the new element and code; libxml2 and the repository contract agree', async (t) => {
    const bytes = await modifiedCre()
    t.same(spec.validateDocument(bytes).violations, [], 'the modified spec accepts the modified document')
    t.not(repoSpec.validateDocument(bytes).violations.length, 0, 'the repository spec does not (sanity check of the edit)')

    const { value, version, unknown } = modified.toJson(parseXml(bytes).root, bytes)
    t.equal(version, '02.01')
    t.equal(unknown, 0)
    const { demandeur } = byPath(value)
    t.equal(demandeur.commentaireLibre, COMMENT)
    t.equal(demandeur.civilite, '9')
    t.same(Object.keys(demandeur).slice(Object.keys(demandeur).indexOf('nir'), Object.keys(demandeur).indexOf('nir') + 2), ['nir', 'commentaireLibre'])
    t.same(modified.validateDocument(value), [], 'valid against the JSON Schema of the modified spec')

    const xml = modified.toXml(value)
    t.match(xml, /<([A-Za-z0-9]+:)?nir>285019912300100<\/([A-Za-z0-9]+:)?nir>\s*<([A-Za-z0-9]+:)?commentaireLibre>Préfère un rez-de-chaussée &amp; un ascenseur</)
    t.same(spec.validateDocument(Buffer.from(xml)).violations, [], 'the XML written from the JSON is valid for libxml2 with the modified XSD')
    const again = modified.toJson(parseXml(Buffer.from(xml)).root, Buffer.from(xml))
    t.same(again.value, value, 'and reads back to the same JSON')

    const refused = repo.validateDocument(value)
    const codes = refused.map((v) => `${v.code} ${v.pointer} ${v.path}`).sort()
    t.same(codes, [
      'GW_SCHEMA_ENUMERATION /demande/0/demandeLogement/personnePhysique/demandeur/civilite /interfaceNuu/demande[1]/demandeLogement/personnePhysique/demandeur/civilite/@code',
      'GW_SCHEMA_UNEXPECTED_ELEMENT /demande/0/demandeLogement/personnePhysique/demandeur/commentaireLibre /interfaceNuu/demande[1]/demandeLogement/personnePhysique/demandeur/commentaireLibre'
    ], 'the repository contract refuses the code and the element: exactly those two violations')
  })
})
