import t from 'tap'
import { escapeAttribute, escapeText, writeXml } from '../../src/simulator/xml-writer.js'
import { parseXml } from '../../src/soap/xml-reader.js'

const NS = 'http://nuu.application.i2/'

t.test('escapes text and attributes so values cannot change the structure', async (t) => {
  t.equal(escapeText('a<b>&c\r'), 'a&lt;b&gt;&amp;c&#13;')
  t.equal(escapeAttribute('"x"\t\n<&'), '&quot;x&quot;&#9;&#10;&lt;&amp;')
  t.equal(escapeText('bell\u0007'), 'bell\uFFFD', 'characters XML 1.0 cannot carry are replaced')
  const hostile = '</ns2:nom><ns2:numUnique>X</ns2:numUnique><![CDATA['
  const xml = writeXml({ name: 'root', children: [{ name: 'nom', text: hostile, attrs: [{ name: 'code', value: '"/><evil a="' }] }] }, { uri: NS, prefix: 'ns2' })
  const doc = parseXml(Buffer.from(xml))
  t.equal(doc.root.children.length, 1)
  t.equal(doc.root.children[0]!.text, hostile, 'round-trips through the hardened reader')
  t.equal(doc.root.children[0]!.attributes.find((a) => a.local === 'code')?.value, '"/><evil a="')
})

t.test('writes the main namespace with one prefix, others where they appear', async (t) => {
  const xml = writeXml({
    name: 'interfaceNuu',
    attrs: [{ name: 'versionInterface', value: '02.01' }],
    children: [
      { name: 'entete', children: [{ name: 'typeFichier', text: 'RET' }] },
      { name: 'ext', uri: 'urn:other', children: [{ name: 'inner', uri: 'urn:other', text: '1' }] },
      { name: 'plain', uri: '', attrs: [{ name: 'nil', uri: 'http://www.w3.org/2001/XMLSchema-instance', value: 'true' }] }
    ]
  }, { uri: NS, prefix: 'ns2' })
  t.match(xml, /^<\?xml version="1.0" encoding="UTF-8" standalone="yes"\?><ns2:interfaceNuu xmlns:ns2="http:\/\/nuu.application.i2\/" versionInterface="02.01">/)
  t.match(xml, /<ns3:ext xmlns:ns3="urn:other"><ns3:inner>1<\/ns3:inner><\/ns3:ext>/, 'a foreign namespace is declared once for its subtree')
  const doc = parseXml(Buffer.from(xml))
  const [entete, ext, plain] = doc.root.children
  t.equal(doc.root.uri, NS)
  t.equal(entete!.uri, NS)
  t.equal(ext!.children[0]!.uri, 'urn:other')
  t.equal(plain!.uri, '')
  t.equal(plain!.attributes.find((a) => a.local === 'nil')?.uri, 'http://www.w3.org/2001/XMLSchema-instance')
  t.equal(writeXml({ name: 'a' }, { uri: NS, prefix: 'ns2', declaration: false }), `<ns2:a xmlns:ns2="${NS}"/>`)
})

t.test('refuses a name that is not an XML name', async (t) => {
  t.throws(() => writeXml({ name: 'a b' }, { uri: NS, prefix: 'ns2' }), TypeError)
})
