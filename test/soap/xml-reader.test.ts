import t from 'tap'
import { DEFAULT_XML_LIMITS, XML_NAMESPACE, parseXml, resolveXmlLimits } from '../../src/soap/xml-reader.js'
import { attributeValue, childElements, elementPath, lookupNamespaceUri, qualifiedName, walkElements } from '../../src/soap/xml-tree.js'
import type { XmlElement } from '../../src/soap/types.js'
import { expectCode } from './helpers/expect-error.js'

const x = (s: string): Buffer => Buffer.from(s, 'utf8')

t.test('defaults are at least as strict as Kong XML threat protection', async (t) => {
  t.equal(DEFAULT_XML_LIMITS.maxDepth, 50)
  t.equal(DEFAULT_XML_LIMITS.maxAttributes, 100)
  t.equal(DEFAULT_XML_LIMITS.maxNamespaces, 20)
  t.equal(DEFAULT_XML_LIMITS.maxSize, 10 * 1024 * 1024)
  t.ok(DEFAULT_XML_LIMITS.maxAttributeLength < 1024 * 1024, 'attribute values under 1 MiB')
  t.ok(DEFAULT_XML_LIMITS.maxNameLength <= 1024)
  t.ok(Object.isFrozen(DEFAULT_XML_LIMITS))
  t.equal(resolveXmlLimits(), DEFAULT_XML_LIMITS)
  const partial = resolveXmlLimits({ maxDepth: 3 })
  t.equal(partial.maxDepth, 3)
  t.equal(partial.maxSize, DEFAULT_XML_LIMITS.maxSize)
  t.equal(resolveXmlLimits(partial), partial, 'complete limits are used as given (no per-call merge)')
})

t.test('light tree: names, namespaces, attributes, text, offsets', async (t) => {
  const src = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<s:Envelope xmlns:s="urn:s" xmlns="urn:d">\n' +
    '  <s:Body a="1" s:b=\'2\'>\n' +
    '    <op xmlns="" x:y="z" xmlns:x="urn:x">t&lt;&gt;&amp;&apos;&quot;&#65;&#x42;<![CDATA[<raw&>]]>é</op>\n' +
    '    <d/>\n' +
    '  </s:Body>\n' +
    '</s:Envelope>'
  const buf = x(src)
  const doc = parseXml(buf)
  t.equal(doc.encoding, 'UTF-8')
  t.same(doc.processingInstructions, [])
  const env = doc.root
  t.match(env, { uri: 'urn:s', local: 'Envelope', prefix: 's', line: 2, column: 1, parent: undefined })
  t.same(env.namespaces, { s: 'urn:s', '': 'urn:d' })
  t.equal(env.start, src.indexOf('<s:Envelope'))
  t.equal(env.end, buf.length)
  const body = env.children[0]!
  t.match(body, { uri: 'urn:s', local: 'Body', line: 3, column: 3, namespaces: undefined })
  t.same(body.attributes, [{ uri: '', local: 'a', prefix: '', value: '1' }, { uri: 'urn:s', local: 'b', prefix: 's', value: '2' }])
  const [op, d] = body.children as [XmlElement, XmlElement]
  t.match(op, { uri: '', local: 'op', prefix: '', line: 4, column: 5 })
  t.same(op.attributes, [{ uri: 'urn:x', local: 'y', prefix: 'x', value: 'z' }], 'attribute prefix declared after its use on the same element')
  t.equal(op.text, 't<>&\'"AB<raw&>é', 'entities, character references and CDATA decoded')
  t.equal(op.parent, body)
  t.match(d, { uri: 'urn:d', local: 'd', line: 5, column: 5 }, 'default namespace back in scope after xmlns=""')
  t.equal(buf.subarray(d.start, d.end).toString(), '<d/>')
  t.equal(buf.subarray(op.start, op.end).toString().slice(-5), '</op>')
  t.equal(body.text, '\n    \n    \n  ', 'whitespace between children is the element text')
})

t.test('byte offsets and character columns with multi-byte text', async (t) => {
  const src = '<a>éé€<b/>\n\t😀<c/></a>'
  const buf = x(src)
  const doc = parseXml(buf)
  const [b, c] = doc.root.children as [XmlElement, XmlElement]
  t.equal(b.start, Buffer.byteLength('<a>éé€'), 'offsets are in bytes')
  t.equal(b.column, 7, 'columns count characters')
  t.equal(c.line, 2)
  t.equal(c.column, 3, 'an astral character counts once')
  t.equal(doc.root.text, 'éé€\n\t😀')
})

t.test('line ends and whitespace normalization', async (t) => {
  const doc = parseXml(x('<a v="1\r\n2\t3\n4\r5" w="&#10;&#9;">l1\r\nl2\rl3<![CDATA[c\r\nd]]></a>'))
  t.equal(attributeValue(doc.root, 'v'), '1 2 3 4 5', 'literal whitespace in attributes becomes spaces, CRLF one space')
  t.equal(attributeValue(doc.root, 'w'), '\n\t', 'character references are kept')
  t.equal(doc.root.text, 'l1\nl2\nl3c\nd', 'CRLF and CR become LF in text and CDATA')
  // each shape of text the reader normalizes its own way: one CRLF first, inside, last, two, a
  // lone CR, CRLF beside references, beyond ASCII
  const texts = ['\r\n  ', 'a\r\nb', 'ab\r\n', '\r\n\r\n', 'a\rb', '\r\r\n', 'x\r\n&amp;\r\ny', '&lt;\r\n', 'é\r\nè', '\r']
  const expected = ['\n  ', 'a\nb', 'ab\n', '\n\n', 'a\nb', '\n\n', 'x\n&\ny', '<\n', 'é\nè', '\n']
  t.same(texts.map((text) => parseXml(x(`<a>${text}</a>`)).root.text), expected, 'every shape of literal line end')
  t.same(texts.map((text) => parseXml(x(`<r><a/>${text}<b/></r>`)).root.text), expected, 'between elements too')
  const lines = parseXml(x('<a>\r\n<b/>\r<c/></a>'))
  t.equal(lines.root.children[0]!.line, 2)
  t.equal(lines.root.children[1]!.line, 3, 'a lone CR ends a line')
})

t.test('prolog and epilog: BOM, comments, processing instructions', async (t) => {
  const doc = parseXml(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), x('<?xml version="1.0"?><!-- c --><?pi data?>\n<a><?inner?><!----></a><!-- after --><?post x?> \n')]))
  t.equal(doc.root.local, 'a')
  t.equal(doc.root.column, 1, 'the BOM is not a column')
  t.same(doc.processingInstructions.map((p) => [p.target, p.line]), [['pi', 1], ['inner', 2], ['post', 2]])
  t.equal(doc.encoding, undefined)
  t.equal(parseXml(x('<?xml version="1.0" encoding="us-ascii"?><a/>')).encoding, 'us-ascii')
  t.equal(parseXml(x("<?xml version='1.0' encoding='utf-8' ?><a/>")).encoding, 'utf-8')
  t.equal(parseXml(x('<?xml-stylesheet href="x"?><a/>')).processingInstructions[0]!.target, 'xml-stylesheet')
})

t.test('tree helpers', async (t) => {
  const doc = parseXml(x('<r xmlns:p="urn:p"><i/><i xml:lang="fr"><p:j/></i><k/></r>'))
  const second = doc.root.children[1]!
  const j = second.children[0]!
  t.equal(elementPath(j), '/r/i[2]/j')
  t.equal(elementPath(doc.root.children[2]!), '/r/k')
  t.equal(qualifiedName(j), 'p:j')
  t.equal(lookupNamespaceUri(j, 'p'), 'urn:p')
  t.equal(lookupNamespaceUri(j, ''), '')
  t.equal(lookupNamespaceUri(j, 'q'), undefined)
  t.equal(lookupNamespaceUri(j, 'xml'), XML_NAMESPACE)
  t.equal(attributeValue(second, 'lang', XML_NAMESPACE), 'fr', 'xml: prefix is predeclared')
  t.equal(childElements(doc.root, '', 'i').length, 2)
  t.equal(childElements(doc.root).length, 3)
  const seen: string[] = []
  walkElements(doc.root, (el) => seen.push(el.local))
  t.same(seen, ['r', 'i', 'i', 'j', 'k'], 'document order')
})

t.test('hostile documents are refused with their own code', async (t) => {
  const billionLaughs = '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n' +
    Array.from({ length: 9 }, (_, i) => ` <!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('\n') +
    ']>\n<lolz>&lol9;</lolz>'
  expectCode(t, () => parseXml(x(billionLaughs)), 'GW_SOAP_XML_DTD', { line: 2, column: 1 }, 'billion laughs')
  expectCode(t, () => parseXml(x('<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>')), 'GW_SOAP_XML_DTD', {}, 'external entity')
  expectCode(t, () => parseXml(x('<?xml version="1.0"?><!DOCTYPE foo SYSTEM "http://127.0.0.1/evil.dtd"><foo/>')), 'GW_SOAP_XML_DTD', {}, 'external DTD')
  expectCode(t, () => parseXml(x('<a><!ENTITY x "y"></a>')), 'GW_SOAP_XML_DTD', {}, 'markup declaration in content')
  expectCode(t, () => parseXml(x('<!doctype a><a/>')), 'GW_SOAP_XML_DTD', {}, 'lower-case doctype')
  expectCode(t, () => parseXml(x('<foo>&xxe;</foo>')), 'GW_SOAP_XML_UNDEFINED_ENTITY', { line: 1, column: 6 }, 'entity without DTD')
  expectCode(t, () => parseXml(x('<foo a="&constructor;"/>')), 'GW_SOAP_XML_UNDEFINED_ENTITY', {}, 'prototype names are not entities')

  const depth = 10_000
  const deep = x('<a>'.repeat(depth) + '</a>'.repeat(depth))
  expectCode(t, () => parseXml(deep), 'GW_SOAP_XML_TOO_DEEP', { line: 1, column: 151, offset: 150 }, '10 000-deep nesting stops at depth 51')

  const attr = x(`<a b="${'x'.repeat(1024 * 1024)}"/>`)
  expectCode(t, () => parseXml(attr), 'GW_SOAP_XML_ATTRIBUTE_TOO_LONG', { line: 1, column: 7 }, '1 MB attribute')

  const many = x('<a' + Array.from({ length: 100_000 }, (_, i) => ` a${i}="1"`).join('') + '/>')
  expectCode(t, () => parseXml(many), 'GW_SOAP_XML_TOO_MANY_ATTRIBUTES', { offset: 2 + 10 * 7 + 90 * 8 + 1 }, '100 000 attributes stop at the 101st')

  expectCode(t, () => parseXml(Buffer.from([0x3c, 0x61, 0x3e, 0x0a, 0x78, 0xc3, 0x28, 0x3c, 0x2f, 0x61, 0x3e])), 'GW_SOAP_XML_INVALID_UTF8', { line: 2, column: 2, offset: 5 }, 'invalid UTF-8')
  for (const [bytes, name] of [
    [Buffer.from([0xed, 0xa0, 0x80]), 'encoded surrogate'],
    [Buffer.from([0xc0, 0xbc]), 'overlong'],
    [Buffer.from([0xf4, 0x90, 0x80, 0x80]), 'beyond U+10FFFF'],
    [Buffer.from([0xe2, 0x82]), 'truncated sequence']
  ] as Array<[Buffer, string]>) {
    expectCode(t, () => parseXml(Buffer.concat([x('<a>'), bytes, x('</a>')])), 'GW_SOAP_XML_INVALID_UTF8', { offset: 3 }, name)
  }

  expectCode(t, () => parseXml(Buffer.concat([x('<a>'), Buffer.alloc(200_000, 0x80), x('</a>')])), 'GW_SOAP_XML_INVALID_UTF8', { offset: 3 }, 'long run of continuation bytes')
  expectCode(t, () => parseXml(Buffer.concat([x('<a>' + 'é'.repeat(100_000) + '€'.repeat(30_000)), Buffer.from([0xff]), x('</a>')])), 'GW_SOAP_XML_INVALID_UTF8',
    { offset: 3 + 200_000 + 90_000, line: 1, column: 4 + 130_000 }, 'far invalid byte after multi-byte characters across chunk ends')
  expectCode(t, () => parseXml(Buffer.from('\ufeff<a/>', 'utf16le')), 'GW_SOAP_XML_UNSUPPORTED_ENCODING', {}, 'UTF-16LE with BOM')
  expectCode(t, () => parseXml(Buffer.from([0xfe, 0xff, 0x00, 0x3c])), 'GW_SOAP_XML_UNSUPPORTED_ENCODING', {}, 'UTF-16BE with BOM')
  expectCode(t, () => parseXml(Buffer.from('<a/>', 'utf16le')), 'GW_SOAP_XML_UNSUPPORTED_ENCODING', {}, 'UTF-16LE without BOM')
  expectCode(t, () => parseXml(Buffer.from([0xff, 0xfe, 0, 0, 0x3c, 0, 0, 0])), 'GW_SOAP_XML_UNSUPPORTED_ENCODING', {}, 'UTF-32LE with BOM')
  expectCode(t, () => parseXml(x('<?xml version="1.0" encoding="ISO-8859-1"?><a/>')), 'GW_SOAP_XML_UNSUPPORTED_ENCODING', { line: 1, column: 31 }, 'declared Latin-1')
  expectCode(t, () => parseXml(x('<?xml version="1.0" encoding="US-ASCII"?><a>é</a>')), 'GW_SOAP_XML_UNSUPPORTED_ENCODING', {}, 'declared ASCII over UTF-8')
})

t.test('every limit is enforced and configurable', async (t) => {
  expectCode(t, () => parseXml(x('<a/>  '), { maxSize: 5 }), 'GW_SOAP_XML_TOO_LARGE')
  t.ok(parseXml(x('<a/> '), { maxSize: 5 }), 'at the limit')
  expectCode(t, () => parseXml(x('<a><b/><c/></a>'), { maxElements: 2 }), 'GW_SOAP_XML_TOO_MANY_ELEMENTS', { line: 1, column: 8 })
  t.ok(parseXml(x('<a><b/></a>'), { maxElements: 2 }))
  expectCode(t, () => parseXml(x('<a><b><c/></b></a>'), { maxDepth: 2 }), 'GW_SOAP_XML_TOO_DEEP')
  t.ok(parseXml(x('<a><b/></a>'), { maxDepth: 2 }))
  expectCode(t, () => parseXml(x('<a x="1" y="2" xmlns:p="u"/>'), { maxAttributes: 2 }), 'GW_SOAP_XML_TOO_MANY_ATTRIBUTES', {}, 'namespace declarations count as attributes')
  const ns = '<a ' + Array.from({ length: 21 }, (_, i) => `xmlns:p${i}="urn:${i}"`).join(' ') + '/>'
  expectCode(t, () => parseXml(x(ns)), 'GW_SOAP_XML_TOO_MANY_NAMESPACES', {}, '21 declarations on one element')
  const spread = '<a xmlns="urn:0">' + Array.from({ length: 20 }, (_, i) => `<b xmlns:p="urn:${i}"/>`).join('') + '</a>'
  expectCode(t, () => parseXml(x(spread)), 'GW_SOAP_XML_TOO_MANY_NAMESPACES', {}, 'declarations are counted over the document')
  t.ok(parseXml(x(spread), { maxNamespaces: 21 }))
  expectCode(t, () => parseXml(x(`<${'n'.repeat(257)}/>`)), 'GW_SOAP_XML_NAME_TOO_LONG', {}, 'element name')
  expectCode(t, () => parseXml(x(`<a ${'n'.repeat(257)}="1"/>`)), 'GW_SOAP_XML_NAME_TOO_LONG', {}, 'attribute name')
  t.ok(parseXml(x(`<${'n'.repeat(256)}/>`)), 'name at the limit')
  expectCode(t, () => parseXml(x('<a>12345</a>'), { maxTextLength: 4 }), 'GW_SOAP_XML_TEXT_TOO_LONG', { column: 4 })
  expectCode(t, () => parseXml(x('<a><![CDATA[12345]]></a>'), { maxTextLength: 4 }), 'GW_SOAP_XML_TEXT_TOO_LONG', {}, 'CDATA')
  t.ok(parseXml(x('<a>1234</a>'), { maxTextLength: 4 }))
  expectCode(t, () => parseXml(x('<a b="12345"/>'), { maxAttributeLength: 4 }), 'GW_SOAP_XML_ATTRIBUTE_TOO_LONG')
  t.ok(parseXml(x('<a b="1234"/>'), { maxAttributeLength: 4 }))
  expectCode(t, () => parseXml(x('<a><!--12345--></a>'), { maxCommentLength: 4 }), 'GW_SOAP_XML_COMMENT_TOO_LONG')
  expectCode(t, () => parseXml(x('<?p 1234567?><a/>'), { maxCommentLength: 8 }), 'GW_SOAP_XML_COMMENT_TOO_LONG', {}, 'processing instruction')
})

t.test('characters and references', async (t) => {
  for (const ref of ['&#0;', '&#x1;', '&#xD800;', '&#xFFFE;', '&#x110000;', '&#99999999999999;']) {
    expectCode(t, () => parseXml(x(`<a>${ref}</a>`)), 'GW_SOAP_XML_INVALID_CHAR_REF', { column: 4 }, ref)
  }
  t.equal(parseXml(x('<a>&#x10FFFF;&#9;&#xa;&#13;</a>')).root.text, '\u{10FFFF}\t\n\r', 'allowed references, CR kept when escaped')
  expectCode(t, () => parseXml(x('<a>x\u0001</a>')), 'GW_SOAP_XML_INVALID_CHARACTER', { column: 5 }, 'control character in text')
  expectCode(t, () => parseXml(x('<a b="\u0000"/>')), 'GW_SOAP_XML_INVALID_CHARACTER', {}, 'NUL in an attribute')
  expectCode(t, () => parseXml(x('<a><!-- \u001f --></a>')), 'GW_SOAP_XML_INVALID_CHARACTER', {}, 'control in a comment')
  expectCode(t, () => parseXml(x('<a><![CDATA[\u000b]]></a>')), 'GW_SOAP_XML_INVALID_CHARACTER', {}, 'control in CDATA')
  expectCode(t, () => parseXml(x('<a>\uffff</a>')), 'GW_SOAP_XML_INVALID_CHARACTER', {}, 'U+FFFF')
  expectCode(t, () => parseXml(x('<a b="\ufffe"/>')), 'GW_SOAP_XML_INVALID_CHARACTER', {}, 'U+FFFE in an attribute')
  for (const bad of ['<a>&#;</a>', '<a>&#x;</a>', '<a>&#12</a>', '<a>& b</a>', '<a>&lt</a>', '<a>&#xZ1;</a>']) {
    expectCode(t, () => parseXml(x(bad)), 'GW_SOAP_XML_MALFORMED', {}, bad)
  }
  expectCode(t, () => parseXml(x('<a>&#12')), 'GW_SOAP_XML_TRUNCATED', {}, 'EOF in a character reference')
  t.equal(parseXml(x('<é-1.ñ>text</é-1.ñ>')).root.local, 'é-1.ñ', 'non-ASCII names')
  expectCode(t, () => parseXml(x('<a×b/>')), 'GW_SOAP_XML_MALFORMED', {}, 'U+00D7 is not a name character')
})

t.test('well-formedness', async (t) => {
  const malformed: Array<[string, string]> = [
    ['text before <a/>', 'text before the root'],
    ['<a/> text', 'text after the root'],
    ['<1a/>', 'bad element name'],
    ['<a b="1"c="2"/>', 'no whitespace between attributes'],
    ['<a b/>', 'attribute without value'],
    ['<a b=1/>', 'unquoted value'],
    ['<a b="<"/>', '< in attribute'],
    ['<a / >', 'slash not followed by >'],
    ['<a>]]></a>', ']]> in text'],
    ['<a><!-- a -- b --></a>', '-- in a comment'],
    ['<a><!-- a ---></a>', 'comment ending in --->'],
    ['<a><![CDAT[x]]></a>', 'bad CDATA opener'],
    ['<a></a >x', 'text after root'],
    ['<a></a b>', 'garbage in end tag'],
    ['<a><?xml version="1.0"?></a>', 'XML declaration inside'],
    [' <?xml version="1.0"?><a/>', 'XML declaration after whitespace'],
    ['<?xml encoding="UTF-8"?><a/>', 'declaration without version'],
    ['<?xml version="2.0"?><a/>', 'XML 2.0'],
    ['<?xml version="1.0" standalone="maybe"?><a/>', 'bad standalone'],
    ['<?xml version="1.0" standalone="yes" encoding="UTF-8"?><a/>', 'pseudo-attributes out of order'],
    ['<?xml version="1.0"encoding="UTF-8"?><a/>', 'missing whitespace in declaration'],
    ['<?xml version="1.0" encoding="?"?><a/>', 'bad encoding name'],
    ['<?pi?x?><a/>', 'PI target followed by garbage'],
    ['<a>&amp</a>', 'missing ;']
  ]
  for (const [src, name] of malformed) expectCode(t, () => parseXml(x(src)), 'GW_SOAP_XML_MALFORMED', {}, name)

  expectCode(t, () => parseXml(x('<a>\n  <b></c>\n</a>')), 'GW_SOAP_XML_TAG_MISMATCH', { line: 2, column: 6 })
  expectCode(t, () => parseXml(x('<a><b></bb></a>')), 'GW_SOAP_XML_TAG_MISMATCH', {}, 'prefix of the open name')
  expectCode(t, () => parseXml(x('<p:a xmlns:p="u"></q:a>')), 'GW_SOAP_XML_TAG_MISMATCH', {}, 'same expanded name, other raw name')
  for (const src of ['<a>', '<a><b>text', '<a', '<a b="1', '<a b', '<a><!-- x', '<a><![CDATA[x', '<a><?p x', '<a></a', '<a>&amp', '<?xml version="1.0"', '<a><']) {
    expectCode(t, () => parseXml(x(src)), 'GW_SOAP_XML_TRUNCATED', {}, `truncated ${JSON.stringify(src)}`)
  }
  for (const src of ['', '   \n', '<!-- only a comment -->', '<?pi only?>']) {
    expectCode(t, () => parseXml(x(src)), 'GW_SOAP_XML_NO_ROOT', {}, `no root in ${JSON.stringify(src)}`)
  }
  expectCode(t, () => parseXml(x('<a/>\n<b/>')), 'GW_SOAP_XML_MULTIPLE_ROOTS', { line: 2, column: 1 })
})

t.test('attribute uniqueness and namespace rules', async (t) => {
  expectCode(t, () => parseXml(x('<a b="1" b="2"/>')), 'GW_SOAP_XML_DUPLICATE_ATTRIBUTE', {}, 'same name')
  expectCode(t, () => parseXml(x('<a xmlns:p="u" xmlns:q="u" p:b="1" q:b="2"/>')), 'GW_SOAP_XML_DUPLICATE_ATTRIBUTE', {}, 'same expanded name')
  expectCode(t, () => parseXml(x('<a xmlns:p="u" xmlns:p="v"/>')), 'GW_SOAP_XML_DUPLICATE_ATTRIBUTE', {}, 'prefix declared twice')
  expectCode(t, () => parseXml(x('<a xmlns="u" xmlns="v"/>')), 'GW_SOAP_XML_DUPLICATE_ATTRIBUTE', {}, 'default namespace declared twice')
  t.ok(parseXml(x('<a xmlns:p="u" b="1" p:b="2"/>')), 'b and p:b differ')

  expectCode(t, () => parseXml(x('<p:a/>')), 'GW_SOAP_XML_UNBOUND_PREFIX', { column: 1 }, 'element')
  expectCode(t, () => parseXml(x('<a p:b="1"/>')), 'GW_SOAP_XML_UNBOUND_PREFIX', {}, 'attribute')
  expectCode(t, () => parseXml(x('<a><b xmlns:p="u"/><p:c/></a>')), 'GW_SOAP_XML_UNBOUND_PREFIX', {}, 'declaration out of scope')

  const invalid: Array<[string, string]> = [
    ['<a xmlns:xml="urn:other"/>', 'xml bound elsewhere'],
    ['<a xmlns:x="http://www.w3.org/XML/1998/namespace"/>', 'XML namespace to another prefix'],
    ['<a xmlns="http://www.w3.org/XML/1998/namespace"/>', 'XML namespace as default'],
    ['<a xmlns:xmlns="urn:x"/>', 'xmlns declared'],
    ['<a xmlns:p="http://www.w3.org/2000/xmlns/"/>', 'xmlns namespace bound'],
    ['<a xmlns:p=""/>', 'prefix undeclared'],
    ['<a xmlns:="u"/>', 'empty prefix'],
    ['<xmlns:a/>', 'xmlns element prefix'],
    ['<a:b:c xmlns:a="u"/>', 'two colons'],
    ['<:a/>', 'empty prefix on an element'],
    ['<a b:="1"/>', 'empty local part'],
    ['<a><?p:i x?></a>', 'colon in a PI target']
  ]
  for (const [src, name] of invalid) expectCode(t, () => parseXml(x(src)), 'GW_SOAP_XML_INVALID_NAMESPACE', {}, name)
  t.ok(parseXml(x('<a xmlns:xml="http://www.w3.org/XML/1998/namespace"/>')), 'xml may be declared to its own namespace')
})
