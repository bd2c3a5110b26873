// An XSD construct the compiled validator does not support is found at load, with its file,
// line and construct; that interface version then validates with libxml2, the others stay
// compiled. Also the compiled path on constructs the repository's wsdl/ does not use.
import t from 'tap'
import { cp, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { defaultSpecDir, loadSpec } from '../../src/contract/index.js'
import { compileDocumentSchema } from '../../src/contract/compiled-validator.js'
import { buildSchemaModel } from '../../src/contract/schema-model.js'
import { parseXml } from '../../src/soap/xml-reader.js'
import { kContext } from '../../src/contract/symbols.js'
import type { MessageValidatorContext } from '../../src/contract/message-validator.js'
import { recordSchemaFallbacks } from '../../src/gateway.js'
import { createMetrics } from '../../src/observability/metrics.js'

const VERSION_XSD = 'InterfaceNuu_v0201.xsd'
const LISTE = '<xs:element name="listeMotifDemande" type="tns:TListeMotifDemande" minOccurs="0"/>'
const UNIQUE = `<xs:element name="listeMotifDemande" type="tns:TListeMotifDemande" minOccurs="0">
        <xs:unique name="unMotifUneFois"><xs:selector xpath="tns:motifDemande"/><xs:field xpath="@code"/></xs:unique>
      </xs:element>`

t.test('xs:unique in 02.01: that version falls back to libxml2, which enforces it; 02.00 stays compiled', async (t) => {
  const dir = t.testdir({})
  await cp(defaultSpecDir(), dir, { recursive: true })
  const xsd = await readFile(join(dir, VERSION_XSD), 'utf8')
  t.equal(xsd.split(LISTE).length, 2)
  await writeFile(join(dir, VERSION_XSD), xsd.replace(LISTE, UNIQUE))
  const line = xsd.split('\n').findIndex((l) => l.includes(LISTE)) + 2

  const spec = await loadSpec({ dir })
  t.teardown(() => spec.dispose())
  t.same(spec.schemaFallbacks.map((f) => ({ version: f.version, file: f.file, line: f.line, construct: f.construct })),
    [{ version: '02.01', file: VERSION_XSD, line, construct: 'xs:unique' }])
  const ctx = (spec as unknown as Record<symbol, MessageValidatorContext>)[kContext]!
  t.same([...ctx.compiled.keys()], ['02.00'], 'the other version is still compiled')

  const cre = await readFile(join(defaultSpecDir(), '..', 'examples', 'documents', 'cre.xml'), 'utf8')
  t.same(spec.validateDocument(Buffer.from(cre)).violations.filter((v) => v.code.startsWith('GW_SCHEMA_')), [], 'the example is valid')
  const twice = cre.replace('<ns1:motifDemande code="07"/>', '<ns1:motifDemande code="13"/>')
  const found = spec.validateDocument(Buffer.from(twice)).violations.filter((v) => v.code.startsWith('GW_SCHEMA_'))
  t.equal(found.length, 1, 'libxml2 enforces the constraint the compiler does not know')
  t.match(found[0]!.message, /unMotifUneFois|Duplicate key-sequence/)

  const metrics = createMetrics()
  const warned: unknown[] = []
  recordSchemaFallbacks(spec, metrics, { warn: (obj: unknown) => { warned.push(obj) } } as never)
  t.match(await metrics.registry.metrics(), /sne_gateway_schema_libxml2_versions\{version="02\.01"\} 1\n/, 'counted')
  t.same(warned, [{ version: '02.01', file: VERSION_XSD, line, construct: 'xs:unique' }], 'logged with file, line and construct')
})

/** A one-file schema and the compiled validator of its model. */
function compile (body: string): ReturnType<typeof compileDocumentSchema> {
  const xsd = `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:t" targetNamespace="urn:t" elementFormDefault="qualified">${body}</xs:schema>`
  return compileDocumentSchema(buildSchemaModel(new Map([['t.xsd', Buffer.from(xsd)]]), ['t.xsd']))
}
const check = (r: ReturnType<typeof compileDocumentSchema>, xml: string): string[] =>
  r.schema!.validate(parseXml(Buffer.from(xml)).root, 'document')!.map((v) => `${v.code} ${v.path ?? ''}`)

t.test('unsupported constructs of the model: listed with file, line and construct, no schema', async (t) => {
  const list = compile('\n<xs:simpleType name="L"><xs:list itemType="xs:int"/></xs:simpleType><xs:element name="r" type="tns:L"/>')
  t.equal(list.schema, undefined)
  t.match(list.unsupported, [{ file: 't.xsd', line: 2, construct: 'xs:list' }])
  const float = compile('<xs:element name="r" type="xs:float"/>')
  t.equal(float.schema, undefined)
  t.match(float.unsupported, [{ construct: 'xs:float' }])
  const mixed = compile('<xs:element name="r"><xs:complexType mixed="true"><xs:sequence><xs:element name="a" type="xs:string"/></xs:sequence></xs:complexType></xs:element>')
  t.equal(mixed.schema, undefined)
})

t.test('xs:all, choice maxOccurs, strict wildcards, element fixed values, xsi: handed to libxml2', async (t) => {
  const all = compile('<xs:element name="r"><xs:complexType><xs:all><xs:element name="a" type="xs:string"/><xs:element name="b" type="xs:string" minOccurs="0"/></xs:all></xs:complexType></xs:element>')
  t.same(check(all, '<r xmlns="urn:t"><b/><a/></r>'), [])
  t.same(check(all, '<r xmlns="urn:t"><b/></r>'), ['GW_SCHEMA_MISSING_ELEMENT /r'])
  t.same(check(all, '<r xmlns="urn:t"><a/><a/></r>'), ['GW_SCHEMA_UNEXPECTED_ELEMENT /r/a[2]'])
  const choice = compile('<xs:element name="r"><xs:complexType><xs:choice maxOccurs="3"><xs:element name="a" type="xs:int"/><xs:element name="b" type="xs:string"/></xs:choice></xs:complexType></xs:element>')
  t.same(check(choice, '<r xmlns="urn:t"><a>1</a><b/><a>x</a></r>'), ['GW_SCHEMA_TYPE /r/a[2]'])
  t.same(check(choice, '<r xmlns="urn:t"/>'), ['GW_SCHEMA_MISSING_ELEMENT /r'])
  t.same(check(choice, '<r xmlns="urn:t"><a>1</a><a>1</a><a>1</a><b/></r>'), ['GW_SCHEMA_UNEXPECTED_ELEMENT /r/b'])
  const strict = compile('<xs:element name="r"><xs:complexType><xs:sequence><xs:any namespace="##any" processContents="strict"/></xs:sequence></xs:complexType></xs:element><xs:element name="g" type="xs:int"/>')
  t.same(check(strict, '<r xmlns="urn:t"><g>1</g></r>'), [])
  t.same(check(strict, '<r xmlns="urn:t"><g>x</g></r>'), ['GW_SCHEMA_TYPE /r/g'])
  t.same(check(strict, '<r xmlns="urn:t"><h/></r>'), ['GW_SCHEMA_UNEXPECTED_ELEMENT /r/h'])
  const fixed = compile('<xs:element name="r" type="xs:int" fixed="7"/>')
  t.same(check(fixed, '<r xmlns="urn:t">07</r>'), [])
  t.same(check(fixed, '<r xmlns="urn:t"/>'), [])
  t.same(check(fixed, '<r xmlns="urn:t">8</r>'), ['GW_SCHEMA_FIXED_VALUE /r'])
  const nil = compile('<xs:element name="r" type="xs:int" nillable="true"/>')
  t.equal(nil.schema!.validate(parseXml(Buffer.from('<r xmlns="urn:t" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"/>')).root, 'document'), undefined, 'xsi:nil: libxml2 decides')
})

t.test('the shipped wsdl/ compiles whole: no schema set falls back to libxml2, the webservice types included', async (t) => {
  // The binary types' lax attribute wildcard admits no-namespace attributes (an unqualified
  // contentType) and xmime's: the set declares no global attribute in either, so lax is skip there.
  const spec = await loadSpec({ dir: defaultSpecDir() })
  t.teardown(() => spec.dispose())
  t.same(spec.schemaFallbacks, [])
  const ctx = (spec as unknown as Record<symbol, MessageValidatorContext>)[kContext]!
  t.ok(ctx.compiledService !== undefined, 'the webservice types are compiled')
})

t.test('a lax attribute wildcard admitting no namespace falls back when a schema of the set has no target namespace', async (t) => {
  const xsd = `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
      <xs:attribute name="code" type="xs:string"/>
      <xs:element name="root"><xs:complexType><xs:anyAttribute namespace="##local" processContents="lax"/></xs:complexType></xs:element>
    </xs:schema>`
  const model = buildSchemaModel(new Map([['t.xsd', Buffer.from(xsd)]]), ['t.xsd'])
  const result = compileDocumentSchema(model)
  t.same(result.unsupported.map((u) => u.construct), ['xs:anyAttribute'])
})
