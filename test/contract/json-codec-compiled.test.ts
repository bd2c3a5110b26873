// The compiled codec on small schemas written for the purpose: recursion, simple content, codes,
// wildcards and attributes in schema order; and the fallback to the generic codec when a shape's
// property names collide.
import t from 'tap'
import { buildSchemaModel, qkey } from '../../src/contract/schema-model.js'
import { JsonMapping } from '../../src/contract/json-mapping.js'
import { compileJsonCodec } from '../../src/contract/json-codec-compiled.js'
import { genericJsonToXml, genericTreeToJson } from '../../src/contract/json-codec.js'
import { parseXml } from '../../src/soap/xml-reader.js'

const NS = 'urn:compiled'

function codecOf (types: string): { codec: ReturnType<typeof compileJsonCodec>, mapping: JsonMapping, decl: NonNullable<ReturnType<JsonMapping['model']['elements']['get']>> } {
  const xsd = `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:c="${NS}" targetNamespace="${NS}" elementFormDefault="qualified">${types}</xs:schema>`
  const mapping = new JsonMapping(buildSchemaModel(new Map([['c.xsd', Buffer.from(xsd)]]), ['c.xsd']))
  const decl = mapping.model.elements.get(qkey({ uri: NS, local: 'root' }))!
  return { codec: compileJsonCodec(mapping, decl), mapping, decl }
}

t.test('a recursive type, simple content, a code and a wildcard: compiled, and converting as the generic codec', async (t) => {
  const { codec, mapping, decl } = codecOf(`
    <xs:complexType name="Node"><xs:sequence>
      <xs:element name="label" type="xs:token"/>
      <xs:element name="node" type="c:Node" minOccurs="0" maxOccurs="unbounded"/>
    </xs:sequence></xs:complexType>
    <xs:complexType name="Kind"><xs:attribute name="code" type="xs:string" use="required"/></xs:complexType>
    <xs:complexType name="Amount"><xs:simpleContent><xs:extension base="xs:decimal"><xs:attribute name="currency" type="xs:string"/></xs:extension></xs:simpleContent></xs:complexType>
    <xs:element name="root"><xs:complexType><xs:sequence>
      <xs:element name="kind" type="c:Kind"/>
      <xs:element name="amount" type="c:Amount"/>
      <xs:element name="tree" type="c:Node"/>
      <xs:any namespace="##other" processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
      <xs:element name="done" type="xs:boolean"/>
    </xs:sequence><xs:attribute name="a" type="xs:int"/><xs:attribute name="b" type="xs:string"/></xs:complexType></xs:element>`)
  t.equal(codec.compiled, true)
  const bytes = Buffer.from(`<c:root xmlns:c="${NS}" b="x" a="7"><c:kind code="K"/><c:amount currency="EUR">1.50</c:amount>` +
    `<c:tree><c:label> a  b </c:label><c:node><c:label>c</c:label><c:node><c:label>d</c:label></c:node></c:node></c:tree>` +
    `<o:x xmlns:o="urn:o">1</o:x><c:done>1</c:done></c:root>`)
  const root = parseXml(bytes).root
  const { value, unknown } = codec.treeToJson(root, bytes)
  t.same(value, { a: 7, b: 'x', kind: 'K', amount: { currency: 'EUR', _value: 1.5 }, tree: { label: 'a b', node: [{ label: 'c', node: [{ label: 'd' }] }] }, _any: [`<o:x xmlns:c="${NS}" xmlns:o="urn:o">1</o:x>`], done: true })
  t.equal(unknown, 0)
  t.same(Object.keys(value), ['a', 'b', 'kind', 'amount', 'tree', '_any', 'done'], 'attributes in schema order, whatever their document order')
  t.same(value, genericTreeToJson(mapping, decl, root, bytes).value)
  t.equal(codec.jsonToXml(value, { prefix: 'c', declaration: false }), genericJsonToXml(mapping, decl, value, { prefix: 'c', declaration: false }))
  t.throws(() => codec.jsonToXml({ ...value, tree: { label: 'x', node: [{ label: 1 }] } }), { name: 'JsonCodecError', pointer: '/tree/node/0/label', path: '/root/tree/node[1]/label' })
})

t.test('a shape whose property names collide leaves the document on the generic codec', async (t) => {
  const { codec } = codecOf(`
    <xs:element name="root"><xs:complexType><xs:sequence>
      <xs:element name="_any" type="xs:string"/>
    </xs:sequence></xs:complexType></xs:element>`)
  t.equal(codec.compiled, false)
  const bytes = Buffer.from(`<c:root xmlns:c="${NS}"><c:_any>v</c:_any></c:root>`)
  t.same(codec.treeToJson(parseXml(bytes).root, bytes).value, { _any: 'v' })
})
