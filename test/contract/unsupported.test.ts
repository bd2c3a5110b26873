// What the JSON mapping cannot carry is listed in `contract.unsupported`, with the file, the line
// and the construct, for a spec that libxml2 compiles and validates; the repository's own wsdl/
// uses none of it.
import t from 'tap'
import { cp, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { defaultSpecDir, loadSpec } from '../../src/contract/index.js'
import { buildJsonContract } from '../../src/contract/json-contract.js'
import { parseXml } from '../../src/soap/xml-reader.js'
import type { JsonSchema } from '../../src/contract/json-schema.js'

const VERSION_XSD = 'InterfaceNuu_v0201.xsd'
const NIR_LINE = '<xs:element name="nir" type="tns:TNir" minOccurs="0"/>'

/** Three constructs JSON cannot carry, each on a line of its own, appended to the version XSD. */
const ADDED_TYPES = `
  <xs:simpleType name="TLatin">
    <xs:restriction base="xs:string">
      <xs:pattern value="\\p{IsBasicLatin}+"/>
    </xs:restriction>
  </xs:simpleType>
  <xs:complexType name="TNoteMixte" mixed="true">
    <xs:sequence>
      <xs:element name="mot" type="tns:TTexte" minOccurs="0" maxOccurs="unbounded"/>
    </xs:sequence>
  </xs:complexType>
  <xs:complexType name="TPaires">
    <xs:sequence maxOccurs="unbounded">
      <xs:element name="cle" type="tns:TTexte"/>
      <xs:element name="valeur" type="tns:TTexte"/>
    </xs:sequence>
  </xs:complexType>
`
const ADDED_ELEMENTS = `
      <xs:element name="surnomLatin" type="tns:TLatin" minOccurs="0"/>
      <xs:element name="noteMixte" type="tns:TNoteMixte" minOccurs="0"/>
      <xs:element name="paires" type="tns:TPaires" minOccurs="0"/>`

/** The 1-based line of the only line of `text` that contains `needle`. */
function lineOf (text: string, needle: string): number {
  const lines = text.split('\n')
  const found = lines.flatMap((l, i) => l.includes(needle) ? [i + 1] : [])
  if (found.length !== 1) throw new Error(`${needle} is on ${found.length} lines`)
  return found[0]!
}

async function unsupportedSpecDir (dir: string): Promise<string> {
  await cp(defaultSpecDir(), dir, { recursive: true })
  const path = join(dir, VERSION_XSD)
  let xsd = await readFile(path, 'utf8')
  const demandeur = xsd.indexOf('<xs:complexType name="TDemandeur">')
  const nir = xsd.indexOf(NIR_LINE, demandeur)
  if (demandeur < 0 || nir < 0) throw new Error('TDemandeur/nir not found')
  const afterNir = nir + NIR_LINE.length
  xsd = xsd.slice(0, afterNir) + ADDED_ELEMENTS + xsd.slice(afterNir)
  const end = xsd.lastIndexOf('</xs:schema>')
  xsd = xsd.slice(0, end) + ADDED_TYPES + xsd.slice(end)
  await writeFile(path, xsd)
  return xsd
}

t.test('the repository wsdl/: nothing unsupported, in any version or the service schema', async (t) => {
  const spec = await loadSpec({ dir: defaultSpecDir() })
  t.teardown(() => spec.dispose())
  const contract = buildJsonContract(spec)
  t.same(contract.unsupported, [])
  t.same([...contract.versions.keys()], ['02.00', '02.01'])
  for (const v of contract.versions.values()) t.same(v.unsupported, [], `version ${v.version}`)
})

t.test('a pattern with a block escape, mixed content and a repeated sequence: libxml2 takes them, JSON lists them', async (t) => {
  const dir = t.testdir({})
  const xsd = await unsupportedSpecDir(dir)
  // libxml2 compiles the modified schema (loadSpec throws a GW_SPEC_… error otherwise) …
  const spec = await loadSpec({ dir })
  t.teardown(() => spec.dispose())
  // … and validates documents with all three constructs.
  const cre = await readFile(join(defaultSpecDir(), '..', 'examples', 'documents', 'cre.xml'), 'utf8')
  const nirElement = '<ns1:nir>285019912300100</ns1:nir>'
  t.equal(cre.split(nirElement).length, 2, 'the demandeur nir of cre.xml, once')
  const withConstructs = (latin: string): Buffer => Buffer.from(cre.replace(nirElement, `${nirElement}
<ns1:surnomLatin>${latin}</ns1:surnomLatin>
<ns1:noteMixte>avant <ns1:mot>un</ns1:mot> entre <ns1:mot>deux</ns1:mot> après</ns1:noteMixte>
<ns1:paires><ns1:cle>a</ns1:cle><ns1:valeur>1</ns1:valeur><ns1:cle>b</ns1:cle><ns1:valeur>2</ns1:valeur></ns1:paires>`))
  t.same(spec.validateDocument(withConstructs('Plain ASCII')).violations, [], 'libxml2 accepts a document using them')
  t.match(spec.validateDocument(withConstructs('Bérénice')).violations, [{ code: 'GW_SCHEMA_PATTERN' }],
    'and applies the block escape: é is not BasicLatin')

  const contract = buildJsonContract(spec)
  const found = contract.unsupported.map((u) => ({ file: u.file, line: u.line, construct: u.construct }))
  t.same(found.sort((a, b) => a.line - b.line), [
    { file: VERSION_XSD, line: lineOf(xsd, '<xs:simpleType name="TLatin">'), construct: 'xs:pattern' },
    { file: VERSION_XSD, line: lineOf(xsd, '<xs:complexType name="TNoteMixte" mixed="true">'), construct: 'mixed content' },
    { file: VERSION_XSD, line: lineOf(xsd, '<xs:sequence maxOccurs="unbounded">'), construct: 'repeated xs:sequence' }
  ], 'each construct once, at its own line of its own file')
  for (const u of contract.unsupported) t.ok(u.message.length > 0, `a message for ${u.construct}`)
  t.match(contract.unsupported.find((u) => u.construct === 'xs:pattern')?.message, /IsBasicLatin/)
  t.same(contract.versions.get('02.01')!.unsupported.length, 3, 'on version 02.01')
  t.same(contract.versions.get('02.00')!.unsupported, [], 'and not on 02.00, which does not include that file')

  // The JSON Schema drops the pattern but says so, and still compiles (the contract was built).
  const defs = contract.documentSchema('02.01').$defs as Record<string, JsonSchema>
  const latin = Object.entries(defs).find(([k]) => k.endsWith('.TLatin'))?.[1]
  t.ok(latin, 'TLatin has a definition')
  t.notOk(latin !== undefined && 'pattern' in latin, 'without a pattern')
  t.match(latin?.['x-unsupported'], /IsBasicLatin/, 'and with x-unsupported')

  // Text between elements has no place in JSON: the codec refuses it rather than drop it …
  const bytes = withConstructs('Plain ASCII')
  t.throws(() => contract.toJson(parseXml(bytes).root, bytes), { name: 'JsonCodecError', pointer: '/demande/0/demandeLogement/personnePhysique/demandeur/noteMixte' },
    'mixed text is refused by the codec')
  // … and the repeated sequence comes out as two arrays, the interleaving of cle/valeur lost.
  const noText = Buffer.from(withConstructs('Plain ASCII').toString('utf8').replace(/<ns1:noteMixte>.*<\/ns1:noteMixte>/, '<ns1:noteMixte><ns1:mot>un</ns1:mot></ns1:noteMixte>'))
  const { value } = contract.toJson(parseXml(noText).root, noText)
  const demande = value.demande as Array<{ demandeLogement: { personnePhysique: { demandeur: Record<string, unknown> } } }>
  t.same(demande[0]!.demandeLogement.personnePhysique.demandeur.paires, { cle: ['a', 'b'], valeur: ['1', '2'] })
})

t.test('a pattern libxml2 accepts but ECMAScript cannot compile is listed, not fatal', async (t) => {
  const dir = t.testdir({})
  await cp(defaultSpecDir(), dir, { recursive: true })
  const path = join(dir, 'InterfaceNuu_nomenclatures_v02.xsd')
  const codes = await readFile(path, 'utf8')
  t.equal(codes.split('<xs:pattern value="G[0-9]{4}"/>').length, 2)
  await writeFile(path, codes.replace('<xs:pattern value="G[0-9]{4}"/>', '<xs:pattern value="G[0-9]{4,3}"/>'))
  const spec = await loadSpec({ dir })
  t.teardown(() => spec.dispose())
  let contract: ReturnType<typeof buildJsonContract> | undefined
  t.doesNotThrow(() => { contract = buildJsonContract(spec) }, 'the contract is built')
  t.match(contract?.unsupported, [{ file: 'InterfaceNuu_nomenclatures_v02.xsd', construct: 'xs:pattern' }])
})

t.test('a construct of a file both versions include is listed once', async (t) => {
  const dir = t.testdir({})
  await cp(defaultSpecDir(), dir, { recursive: true })
  const path = join(dir, 'InterfaceNuu_nomenclatures_v02.xsd')
  const codes = await readFile(path, 'utf8')
  const xsd = codes.replace('<xs:pattern value="G[0-9]{4}"/>', '<xs:pattern value="G\\p{IsBasicLatin}{4}"/>')
  t.not(xsd, codes)
  await writeFile(path, xsd)
  const spec = await loadSpec({ dir })
  t.teardown(() => spec.dispose())
  const contract = buildJsonContract(spec)
  t.equal(contract.versions.get('02.00')!.unsupported.length, 1, 'on 02.00')
  t.equal(contract.versions.get('02.01')!.unsupported.length, 1, 'on 02.01')
  t.same(contract.unsupported.map((u) => `${u.file}:${u.line} ${u.construct}`), [`InterfaceNuu_nomenclatures_v02.xsd:${lineOf(xsd, '<xs:simpleType name="TNumGuichet">')} xs:pattern`], 'once in the contract')
})
