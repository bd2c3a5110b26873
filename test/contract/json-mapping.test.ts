// The mapping's rules on small schemas written for the purpose: name collisions, codes, simple
// content, choices, repetition through an enclosing particle, and what is reported as unmappable.
import t from 'tap'
import { buildSchemaModel, qkey } from '../../src/contract/schema-model.js'
import { JsonMapping, type ObjectShape } from '../../src/contract/json-mapping.js'
import { SchemaGenerator } from '../../src/contract/json-schema.js'
import { genericJsonToXml as jsonToXml, genericTreeToJson as treeToJson } from '../../src/contract/json-codec.js'
import { parseXml } from '../../src/soap/xml-reader.js'

const NS = 'urn:test'

function mappingOf (body: string): { mapping: JsonMapping, shape: ObjectShape, root: ReturnType<JsonMapping['model']['elements']['get']> } {
  const xsd = `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:t="${NS}" targetNamespace="${NS}" elementFormDefault="qualified">\n${body}\n</xs:schema>`
  const model = buildSchemaModel(new Map([['t.xsd', Buffer.from(xsd)]]), ['t.xsd'])
  const mapping = new JsonMapping(model)
  const root = model.elements.get(qkey({ uri: NS, local: 'root' }))!
  return { mapping, shape: mapping.shapeOf(root.type) as ObjectShape, root }
}

t.test('an attribute named like a child element becomes @name, both ways', async (t) => {
  const { mapping, shape, root } = mappingOf(`
    <xs:element name="root"><xs:complexType><xs:sequence>
      <xs:element name="code" type="xs:string"/>
    </xs:sequence><xs:attribute name="code" type="xs:string" use="required"/></xs:complexType></xs:element>`)
  t.same(shape.attributes.map((a) => a.name), ['@code'])
  t.same(shape.content.map((p) => p.name), ['code'])
  const bytes = Buffer.from(`<t:root xmlns:t="${NS}" code="A"><t:code>B</t:code></t:root>`)
  const { value } = treeToJson(mapping, root!, parseXml(bytes).root, bytes)
  t.same(value, { '@code': 'A', code: 'B' })
  t.match(jsonToXml(mapping, root!, value, { prefix: 't', declaration: false }), '<t:root code="A" xmlns:t="urn:test">\n<t:code>B</t:code>\n</t:root>')
})

t.test('codes, simple content with attributes, and repetition through an enclosing particle', async (t) => {
  const { mapping, shape, root } = mappingOf(`
    <xs:complexType name="Code"><xs:attribute name="code" type="xs:string" use="required"/></xs:complexType>
    <xs:complexType name="Amount"><xs:simpleContent><xs:extension base="xs:decimal"><xs:attribute name="currency" type="xs:string"/></xs:extension></xs:simpleContent></xs:complexType>
    <xs:element name="root"><xs:complexType><xs:sequence>
      <xs:element name="kind" type="t:Code"/>
      <xs:element name="amount" type="t:Amount"/>
      <xs:sequence maxOccurs="3"><xs:element name="line" type="xs:int"/></xs:sequence>
    </xs:sequence></xs:complexType></xs:element>`)
  const line = shape.byLocal.get('line')!
  t.equal(line.array, true, 'repeated by its enclosing sequence: an array')
  t.equal(line.maxItems, 3)
  const bytes = Buffer.from(`<t:root xmlns:t="${NS}"><t:kind code="007"/><t:amount currency="EUR">12.50</t:amount><t:line>4</t:line></t:root>`)
  const { value } = treeToJson(mapping, root!, parseXml(bytes).root, bytes)
  t.same(value, { kind: '007', amount: { currency: 'EUR', _value: 12.5 }, line: [4] })
  const schema = new SchemaGenerator(mapping, { prefix: '', refBase: '#/$defs/' }, 'request')
  schema.forType(root!.type)
  t.same(schema.defs.get('Code'), { type: 'string', 'x-xmlAttribute': 'code' })
})

t.test('xs:choice: oneOf with exclusive branches, and an optional choice admits none', async (t) => {
  const { mapping, root } = mappingOf(`
    <xs:element name="root"><xs:complexType><xs:sequence>
      <xs:choice><xs:element name="a" type="xs:string"/><xs:sequence><xs:element name="b" type="xs:string"/><xs:element name="c" type="xs:string" minOccurs="0"/></xs:sequence></xs:choice>
      <xs:choice minOccurs="0"><xs:element name="x" type="xs:string"/><xs:element name="y" type="xs:string"/></xs:choice>
    </xs:sequence></xs:complexType></xs:element>`)
  const gen = new SchemaGenerator(mapping, { prefix: '', refBase: '#/$defs/' }, 'request')
  const schema = gen.forType(root!.type) as { allOf: Array<{ oneOf: unknown[] }> }
  t.equal(schema.allOf.length, 2, 'one constraint per choice')
  t.same(schema.allOf[0]!.oneOf, [
    { required: ['a'], not: { anyOf: [{ required: ['b'] }, { required: ['c'] }] } },
    { required: ['b'], not: { anyOf: [{ required: ['a'] }] } }
  ], 'a branch requires its own, and excludes the others\' names (c belongs to b\'s branch)')
  t.same(schema.allOf[1]!.oneOf.at(-1), { not: { anyOf: [{ required: ['x'] }, { required: ['y'] }] } }, 'an optional choice: none of them')
})

t.test('what JSON cannot carry is reported with file, line and construct', async (t) => {
  const { mapping } = mappingOf(`
    <xs:element name="root"><xs:complexType mixed="true"><xs:sequence maxOccurs="unbounded">
      <xs:element name="k" type="xs:string"/><xs:element name="v" type="xs:string"/>
    </xs:sequence></xs:complexType></xs:element>`)
  const constructs = mapping.unsupported.map((u) => `${u.file}:${u.line} ${u.construct}`)
  t.same(constructs.sort(), ['t.xsd:3 mixed content', 't.xsd:3 repeated xs:sequence'])
})
