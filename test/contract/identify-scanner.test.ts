// The identify-only scanner: the example requests and the corpus's valid messages take its fast
// path (it cannot silently always defer), and each class of form it does not handle is deferred
// to the full decode — legal forms (the full decode finds them clean: what could be taught
// later) and refused ones alike.
import t from 'tap'
import { defaultSpecDir, loadSpec } from '../../src/contract/index.js'
import { checkHere, type MessageCheck } from '../../src/contract/message-check.js'
import { identifyScanner } from '../../src/contract/identify-scanner.js'
import { corpusCases, exampleRequests, type CorpusMessage } from './helpers/identify-corpus.js'

const spec = await loadSpec({ dir: defaultSpecDir() })
t.teardown(() => spec.dispose())

const full = (m: CorpusMessage): MessageCheck => checkHere(spec, m.body, m.contentType, m.soapAction, { identifyOnly: true })
const clean = (c: MessageCheck): boolean => c.violations.length === 0 && c.guichets?.complete === true

t.test('every example request and every valid corpus message takes the fast path, with the full decode\'s check', async (t) => {
  const scanner = identifyScanner(spec)
  const messages = [...exampleRequests(), ...corpusCases().filter((m) => m.name.startsWith('valid-'))]
  t.ok(messages.length >= 40)
  for (const m of messages) {
    const fast = scanner.scan(m.body, m.contentType, m.soapAction)
    t.ok(fast !== undefined, `${m.name}: answered`)
    t.strictSame(fast, full(m), m.name)
  }
  t.strictSame(scanner.counts, { answered: messages.length, deferred: 0, failed: 0 })
})

t.test('a scanner that throws leaves the message to the full decode, counted as failed, not deferred', async (t) => {
  const cre = exampleRequests().find((m) => m.name.endsWith('getNumUnique-CRE'))!
  const broken = { includes: () => { throw new Error('a bug in the scanner') } } as unknown as typeof spec.soapVersions
  const scanner = identifyScanner({ operations: spec.operations, soapVersions: broken, xmlLimits: spec.xmlLimits })
  t.equal(scanner.scan(cre.body, cre.contentType, undefined), undefined)
  t.strictSame(scanner.counts, { answered: 0, deferred: 0, failed: 1 })
})

t.test('the CRE in MTOM: operation, version, file name and guichet facts read from the bytes', async (t) => {
  const cre = exampleRequests().find((m) => m.name.endsWith('getNumUnique-CRE'))!
  const check = identifyScanner(spec).scan(cre.body, cre.contentType, undefined)
  t.strictSame(check, {
    operation: 'getNumUnique',
    soapVersion: '1.2',
    violations: [],
    fileName: 'DEMG1226-202501141032-000000.xml',
    guichets: { fileGuichets: ['G1226', 'G1226'], documentGuichets: ['G1226'], numUniques: [], complete: true }
  })
})

const cre = exampleRequests().find((m) => m.name.endsWith('getNumUnique-CRE'))!
const inline = corpusCases().find((m) => m.name === 'valid-getNumUnique-cre-inline')!

function edit (m: CorpusMessage, pairs: ReadonlyArray<[string, string]>, changes: Partial<CorpusMessage> = {}): CorpusMessage {
  let s = m.body.toString('latin1')
  for (const [from, to] of pairs) {
    if (!s.includes(from)) throw new Error(`no ${JSON.stringify(from)} in ${m.name}`)
    s = s.split(from).join(to)
  }
  return { ...m, ...changes, body: Buffer.from(s, 'latin1') }
}
const utf8 = (s: string): string => Buffer.from(s, 'utf8').toString('latin1')

t.test('references in texts the facts do not read, and header blocks, are checked and answered', async (t) => {
  const scanner = identifyScanner(spec)
  for (const [name, m] of [
    ['predefined entities', edit(cre, [["rue de l'Exemple", 'rue de l&apos;Exemple &amp; &lt;&gt;&quot;']])],
    ['character references', edit(cre, [["rue de l'Exemple", 'rue de l&#39;Exemple&#x20;&#xe9;&#233;&#x1F600;']])],
    ['a reference in the wrapper\'s whitespace', edit(cre, [['<ws:numUniqueParametres>', '<ws:numUniqueParametres>&#10;']])],
    ['a byte order mark before the envelope and before the document', edit(cre, [['\r\n\r\n<soap:Envelope', '\r\n\r\n\xef\xbb\xbf<soap:Envelope'], ['\r\n\r\n<?xml version', '\r\n\r\n\xef\xbb\xbf<?xml version']])],
    ['transport padding after the delimiters', edit(cre, [['--MIME_BOUNDARY\r\n', '--MIME_BOUNDARY \t \r\n']])],
    ['tabs in MIME headers', edit(cre, [['Content-ID: <soaproot>', 'Content-ID:\t<soaproot>\t']])],
    ['bare LF line ends throughout', edit(cre, [['\r\n', '\n']])],
    ['bare LF line ends in the MIME headers only', edit(cre, [['8bit\r\nContent-ID: <soaproot>\r\n\r\n', '8bit\nContent-ID: <soaproot>\n\n']])],
    ['a document declared US-ASCII', edit(cre, [['encoding="UTF-8" standalone', 'encoding="US-ASCII" standalone']])],
    ['whitespace in attribute values nothing reads', edit(cre, [['ws:contentType="text/xml"', 'ws:contentType="text/\txml"'], ['<ns1:civilite code="2"/>', '<ns1:civilite code="\r\n2"/>']])],
    ['WS-Addressing header blocks, the Action naming the operation', edit(cre, [['<soap:Header/>', '<soap:Header>\r\n<a:Action xmlns:a="http://www.w3.org/2005/08/addressing" soap:mustUnderstand="true"> http://ws.metier.nuu.application.i2/getNumUnique </a:Action><a:MessageID xmlns:a="http://www.w3.org/2005/08/addressing">urn:uuid:1</a:MessageID><a:ReplyTo xmlns:a="http://www.w3.org/2005/08/addressing"><a:Address>http://www.w3.org/2005/08/addressing/anonymous</a:Address></a:ReplyTo></soap:Header>']])]
  ] as const) {
    const fast = scanner.scan(m.body, m.contentType, m.soapAction)
    t.ok(fast !== undefined, `${name}: answered`)
    t.strictSame(fast, full(m), name)
  }
})

/** Forms the full decode takes without a violation, which the scanner leaves to it. */
const legal: Array<[string, CorpusMessage]> = [
  ['a comment in the envelope', edit(cre, [['<soap:Body>', '<soap:Body><!-- c -->']])],
  ['a comment in the document', edit(cre, [['<ns1:entete>', '<ns1:entete><!-- c -->']])],
  ['CDATA in a value', edit(cre, [['CERG1226-202501141032.pem', '<![CDATA[CERG1226-202501141032.pem]]>']])],
  ['a processing instruction in the document', edit(cre, [['?>\r\n<ns1:interfaceNuu', '?>\r\n<?pi x?><ns1:interfaceNuu']])],
  ['a character reference in a value the facts read', edit(cre, [['<ns1:numGuichet>G1226', '<ns1:numGuichet>&#71;1226']])],
  ['an entity reference in a value the facts read', edit(cre, [['-000000.xml<', '-000000&amp;.xml<']])],
  ['a reference in an attribute value', edit(cre, [['ws:contentType="text/xml"', 'ws:contentType="text&#47;xml"']])],
  ['a reference the scanner does not decode (8 digits)', edit(cre, [["rue de l'Exemple", 'rue de l&#00000039;Exemple']])],
  ['a reference in the Body (blank once decoded)', edit(cre, [['<soap:Body>', '<soap:Body>&#32;']])],
  ['the xml: prefix', edit(cre, [['<ws:numUniqueParametres>', '<ws:numUniqueParametres xml:lang="fr">']])],
  ['a non-ASCII name', edit(cre, [['<ns1:nom>', utf8('<ns1:nomé>')], ['</ns1:nom>', utf8('</ns1:nomé>')]])],
  ['a non-ASCII value the facts read', edit(cre, [['-000000.xml<', utf8('-00000é.xml<')]])],
  ['a non-ASCII attribute value', edit(cre, [['ws:contentType="text/xml"', utf8('ws:contentType="téxt/xml"')]])],
  ['a CR inside a value the facts read', edit(cre, [['<nomCertificat>CERG1226', '<nomCertificat>\rCERG1226']])],
  ['a value with an element inside', edit(cre, [['<nomCertificat>CERG1226', '<nomCertificat><x/>CERG1226']])],
  ['an XML declaration other than UTF-8 1.0', edit(cre, [['standalone="yes"?>', 'standalone="yes" ?>'], ['encoding="UTF-8" standalone', "encoding='utf-8'  standalone"]])],
  ['a WS-Addressing Action block with a reference', edit(cre, [['<soap:Header/>', '<soap:Header><a:Action xmlns:a="http://www.w3.org/2005/08/addressing">getNum&#85;nique</a:Action></soap:Header>']])],
  ['a blank MIME preamble', edit(cre, [['--MIME_BOUNDARY\r\nContent-Type: application/xop+xml', '\r\n--MIME_BOUNDARY\r\nContent-Type: application/xop+xml']])],
  ['a folded MIME header', edit(cre, [['Content-Disposition: attachment\r\n', 'Content-Disposition: attachment;\r\n name=x\r\n']])],
  ['whitespace in an attribute of an xop:Include', edit(cre, [['<xop:Include href="cid:xml_id"', '<xop:Include a="\t" href="cid:xml_id"']])],
  ['whitespace in a namespace declaration', edit(cre, [['xmlns:ns1="http://nuu.application.i2/"', 'xmlns:ns1="http://nuu.application.i2/\t"']])],
  ['a non-ASCII byte in a MIME header', edit(cre, [['Content-Disposition: attachment\r\n', 'Content-Disposition: attachment; name=\xe9\r\n']])],
  ['a root part without a Content-ID (the first part, no start parameter)', edit(cre, [['Content-ID: <soaproot>\r\n', '']], { contentType: cre.contentType!.replace('start="soaproot"; ', '') })],
  ['SOAP 1.1 in text/xml (no SOAP 1.1 binding is the case here: refused or not, left to the decode)', edit(inline, [['http://www.w3.org/2003/05/soap-envelope', 'http://schemas.xmlsoap.org/soap/envelope/']], { contentType: 'text/xml; charset=UTF-8' })]
]

/** Forms the full decode refuses (a violation) or cannot read a document of: the scanner never answers them. */
const refused: Array<[string, CorpusMessage]> = [
  ['a DOCTYPE in the document', edit(cre, [['?>\r\n<ns1:interfaceNuu', '?>\r\n<!DOCTYPE x><ns1:interfaceNuu']])],
  ['a document not well-formed', edit(cre, [['</ns1:entete>', '</ns1:entetx>']])],
  ['an undeclared entity', edit(cre, [["rue de l'Exemple", 'rue &bogus;']])],
  ['a character reference to a non-character', edit(cre, [["rue de l'Exemple", 'rue &#xFFFE;']])],
  ['a character reference in upper-case X', edit(cre, [["rue de l'Exemple", 'rue &#X41;']])],
  ['a character reference without ";"', edit(cre, [["rue de l'Exemple", 'rue &#65 ']])],
  ['an unbound prefix', edit(cre, [['<nomCertificat>', '<x:nomCertificat>'], ['</nomCertificat>', '</x:nomCertificat>']])],
  ['a duplicate attribute', edit(cre, [['ws:contentType="text/xml"', 'ws:contentType="text/xml" ws:contentType="a"']])],
  ['a prefix bound to the empty name', edit(cre, [['<ws:numUniqueParametres>', '<ws:numUniqueParametres xmlns:a="">']])],
  ['the envelope in SOAP 1.2 under a SOAP 1.1 root type', edit(cre, [['type="application/soap+xml"; action="getNumUnique"', 'type="text/xml"; action="getNumUnique"']])],
  ['two Body children', edit(cre, [['</ws:numUniqueParametres>', '</ws:numUniqueParametres><x/>']])],
  ['a WS-Addressing Action naming another operation', edit(cre, [['<soap:Header/>', '<soap:Header><a:Action xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing">getDoublons</a:Action></soap:Header>']])],
  ['an unqualified SOAP 1.2 header block', edit(cre, [['<soap:Header/>', '<soap:Header><Action>getNumUnique</Action></soap:Header>']])],
  ['text in the Header', edit(cre, [['<soap:Header/>', '<soap:Header>x</soap:Header>']])],
  ['an action naming another operation', { ...cre, soapAction: 'getDoublons' }],
  ['an unknown operation', edit(cre, [['ws:numUniqueParametres>', 'ws:numUniqueParametresX>']])],
  ['an unreferenced attachment', edit(cre, [['<xop:Include href="cid:certificate" xmlns:xop="http://www.w3.org/2004/08/xop/include"/>', '']])],
  ['a missing attachment', edit(cre, [['cid:certificate', 'cid:other']])],
  ['whitespace beside an xop:Include', edit(cre, [['"text/xml"><xop:Include', '"text/xml"> <xop:Include']])],
  ['an unknown transfer encoding', edit(cre, [['Content-Transfer-Encoding: BASE64', 'Content-Transfer-Encoding: x-token']])],
  ['a boundary inside a part', edit(cre, [['<ns1:entete>', '<ns1:entete>--MIME_BOUNDARY']])],
  ['text after the close delimiter', edit(cre, [['--MIME_BOUNDARY--', '--MIME_BOUNDARY--x']])],
  ['a duplicate Content-ID', edit(cre, [['Content-ID: <xml_id>', 'Content-ID: <certificate>']])],
  ['a Content-Type of another media type', { ...cre, contentType: 'text/plain' }],
  ['no Content-Type', { ...cre, contentType: undefined }],
  ['invalid UTF-8 in the document', edit(cre, [['FICTIF-ALPHA', 'FICTIF-\xff']])],
  ['a forbidden control character', edit(cre, [['FICTIF-ALPHA', 'FICTIF-\x01']])],
  ['"]]>" in text', edit(cre, [['FICTIF-ALPHA', 'FICTIF]]>']])],
  ['a document declared US-ASCII holding non-ASCII bytes', edit(cre, [['encoding="UTF-8" standalone', 'encoding="US-ASCII" standalone'], ['Test-Un', 'Test-\xc3\xa9']])],
  ['inline base64 with a non-ASCII byte (not strict base64: no document read)', edit(inline, [['</fichierDemande>', '\xc3\xa9</fichierDemande>']])]
]

t.test('legal forms the scanner does not handle are left to the full decode', async (t) => {
  const scanner = identifyScanner(spec)
  t.ok(scanner.scan(cre.body, cre.contentType, undefined) !== undefined, 'the CRE itself is answered')
  t.ok(scanner.scan(inline.body, inline.contentType, undefined) !== undefined, 'the inline CRE itself is answered')
  for (const [name, m] of legal) {
    t.equal(scanner.scan(m.body, m.contentType, m.soapAction), undefined, `${name}: deferred`)
    if (!name.startsWith('SOAP 1.1')) t.ok(clean(full(m)), `${name}: the full decode takes it`)
  }
})

t.test('forms the full decode refuses, or cannot read a document of, are never answered', async (t) => {
  const scanner = identifyScanner(spec)
  for (const [name, m] of refused) {
    t.equal(scanner.scan(m.body, m.contentType, m.soapAction), undefined, `${name}: deferred`)
    t.notOk(clean(full(m)), `${name}: the full decode refuses it or reads no document`)
  }
})

t.test('limits within reach are left to the full decode, which knows their exact bound', async (t) => {
  const base = spec.xmlLimits
  const cases: Array<[string, Partial<typeof base>]> = [
    ['depth', { maxDepth: 9 }],
    ['elements', { maxElements: 150 }],
    ['attributes', { maxAttributes: 3 }],
    ['name length', { maxNameLength: 40 }],
    ['text length', { maxTextLength: 40 }],
    ['attribute length', { maxAttributeLength: 70 }],
    ['namespaces', { maxNamespaces: 4 }],
    ['document size', { maxSize: 6000 }]
  ]
  t.ok(identifyScanner({ ...spec, xmlLimits: base }).scan(cre.body, cre.contentType, undefined) !== undefined)
  for (const [name, limit] of cases) {
    const scanner = identifyScanner({ operations: spec.operations, soapVersions: spec.soapVersions, xmlLimits: { ...base, ...limit } })
    t.equal(scanner.scan(cre.body, cre.contentType, undefined), undefined, `${name}: deferred`)
  }
})
