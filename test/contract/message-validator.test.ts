// validateMessage beyond the corpus: what a result holds, where violations point, spec-driven behaviour.
import t from 'tap'
import { fileURLToPath } from 'node:url'
import { defaultSpecDir, loadSpec } from '../../src/contract/index.js'
import { blankIncludes } from '../../src/contract/message-validator.js'
import { decodeSoapMessage } from '../../src/soap/message.js'
import { CORPUS_NOW, EMPTY_CERTIFICATE, WS_NS, edited, editEnvelope, exampleDocument, getNumUnique, include, inline, mtom } from '../fixtures/corpus-kit.js'

const spec = await loadSpec({ dir: defaultSpecDir(), clock: () => CORPUS_NOW })
t.teardown(() => spec.dispose())

t.test('a valid MTOM getNumUnique: operation, version, decoded message, the carried document', async (t) => {
  const doc = exampleDocument('cre')
  const { message, contentType } = getNumUnique(doc, 'mtom')
  const r = spec.validateMessage(message, contentType)
  t.same(r.violations, [])
  t.equal(r.operation, 'getNumUnique')
  t.equal(r.soapVersion, '1.2')
  t.equal(r.message?.mtom, true)
  t.equal(r.documents.length, 1)
  t.equal(r.documents[0]!.element, 'fichierDemande')
  t.equal(r.documents[0]!.versionInterface, '02.01')
  t.equal(r.documents[0]!.bytes.toString('utf8'), doc.replace(/\n/g, '\r\n'), 'the attachment bytes (8bit parts are CRLF-delimited)')
})

t.test('a valid inline getNumUnique carries the decoded document', async (t) => {
  const doc = exampleDocument('cre')
  const { message, contentType } = getNumUnique(doc, 'inline')
  const r = spec.validateMessage(message, contentType)
  t.same(r.violations, [])
  t.equal(r.message?.mtom, false)
  t.equal(r.documents[0]!.bytes.toString('utf8'), doc)
})

t.test('a payload violation points into the root part', async (t) => {
  const { message, contentType } = getNumUnique(exampleDocument('cre'), 'mtom', editEnvelope(['CERG1226-202501141032.pem', 'certificat.pem']))
  const [v, ...rest] = spec.validateMessage(message, contentType).violations
  t.same(rest, [])
  t.match(v, {
    code: 'GW_SCHEMA_PATTERN',
    part: 'root',
    path: '/Envelope/Body/numUniqueParametres/nomCertificat',
    line: 7,
    column: 7
  })
  t.notMatch(v!.message, /certificat\.pem/, 'the value is shown by its shape')
  t.match(v!.message, /'aaaaaaaaaa\.aaa'/)
})

t.test('a document violation points into the document, named by its wrapper child', async (t) => {
  const { message, contentType } = getNumUnique(edited('cre', ['<ns1:civilite code="2"/>', '<ns1:civilite code="9"/>']), 'mtom')
  t.same(spec.validateMessage(message, contentType).violations, [{
    code: 'GW_SCHEMA_ENUMERATION',
    message: "Element '{http://nuu.application.i2/}civilite', attribute 'code': [facet 'enumeration'] The value '9' is not an element of the set {'1', '2', '3'}.",
    part: 'fichierDemande',
    path: '/interfaceNuu/demande/demandeLogement/personnePhysique/demandeur/civilite/@code',
    line: 13,
    column: 1,
    valuesMasked: true
  }])
})

t.test('payload and document are both checked, then the rules', async (t) => {
  const { message, contentType } = getNumUnique(edited('mod', [/<ns1:numUnique>[^<]*<\/ns1:numUnique>/, ''], ['<ns1:civilite code="2"/>', '<ns1:civilite/>']), 'mtom',
    editEnvelope(['CERG1226-202501141032.pem', 'x.pem']))
  t.same(spec.validateMessage(message, contentType).violations.map((v) => v.code), ['GW_SCHEMA_PATTERN', 'GW_SCHEMA_MISSING_ATTRIBUTE', 'GW_SPEC_NUM_UNIQUE_REQUIRED'])
})

t.test('the action: the binding soapAction, the bare operation name, or none; SOAPAction for SOAP 1.1', async (t) => {
  const { message } = getNumUnique(exampleDocument('cre'), 'inline')
  for (const action of [`${WS_NS}getNumUnique`, 'getNumUnique', '']) {
    const ct = `application/soap+xml; charset=utf-8${action === '' ? '' : `; action="${action}"`}`
    t.same(spec.validateMessage(message, ct).violations, [], action === '' ? '(none)' : action)
  }
  const other = spec.validateMessage(message, `application/soap+xml; action="${WS_NS}getDoublons"`)
  t.same(other.violations, [{ code: 'GW_SPEC_ACTION_MISMATCH', message: `a declared action does not name operation getNumUnique (expected ${WS_NS}getNumUnique)`, part: 'root' }])
  t.equal(other.operation, 'getNumUnique', 'the operation is still the Body\'s')
  // every declared action must agree, not only the first one read
  const both = spec.validateMessage(message, `application/soap+xml; action="${WS_NS}getNumUnique"`, { soapAction: `"${WS_NS}getDoublons"` })
  t.same(both.violations.map((v) => v.code), ['GW_SPEC_ACTION_MISMATCH'], 'a SOAPAction that contradicts the content-type action')
  t.same(spec.validateMessage(message, `application/soap+xml; action="${WS_NS}getNumUnique"`, { soapAction: '"getNumUnique"' }).violations, [], 'two spellings of the same operation agree')
  const wsa = (action: string): Buffer => Buffer.from(message.toString('utf8').replace(/<(\w+):Header\/>|<(\w+):Header>/, (m, p1: string | undefined, p2: string | undefined) =>
    `<${p1 ?? p2!}:Header><wsa:Action xmlns:wsa="http://www.w3.org/2005/08/addressing">${action}</wsa:Action>${m.endsWith('/>') ? `</${p1!}:Header>` : ''}`))
  const ct = `application/soap+xml; action="${WS_NS}getNumUnique"`
  t.ok(wsa('x').toString().includes('wsa:Action'), 'the test message has a WS-Addressing header')
  t.same(spec.validateMessage(wsa(`${WS_NS}getDoublons`), ct).violations.map((v) => v.code), ['GW_SPEC_ACTION_MISMATCH'], 'a WS-Addressing Action naming another operation')
  t.same(spec.validateMessage(wsa(`${WS_NS}getNumUnique`), ct).violations, [], 'a WS-Addressing Action naming the operation')
})

t.test('SOAP versions follow the WSDL bindings', async (t) => {
  const mini = await loadSpec({ dir: fileURLToPath(new URL('./fixtures/mini-spec/', import.meta.url)) })
  t.teardown(() => mini.dispose())
  const ping11 = Buffer.from('<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><o:pingParams xmlns:o="urn:mini:other"><when>2020-01-01T00:00:00Z</when></o:pingParams></s:Body></s:Envelope>')
  const r = mini.validateMessage(ping11, 'text/xml; charset=utf-8', { soapAction: '"urn:mini:ping"' })
  t.same(r.violations, [], 'the mini WSDL has a SOAP 1.1 binding')
  t.equal(r.soapVersion, '1.1')
  t.same(mini.validateMessage(ping11, 'text/xml', { soapAction: 'urn:mini:send' }).violations.map((v) => v.code), ['GW_SPEC_ACTION_MISMATCH'])
  const sne = spec.validateMessage(Buffer.from(ping11.toString().replace('urn:mini:other', WS_NS)), 'text/xml')
  t.same(sne.violations.map((v) => v.code), ['GW_SOAP_VERSION_UNSUPPORTED'], 'the SNE WSDL binds SOAP 1.2 only')
  t.equal(sne.soapVersion, '1.1')
})

t.test('a spec of our own: the binary child that expects application/xml is validated as a document', async (t) => {
  const mini = await loadSpec({ dir: fileURLToPath(new URL('./fixtures/mini-spec/', import.meta.url)), clock: () => CORPUS_NOW })
  t.teardown(() => mini.dispose())
  const envelope = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><w:sendParams xmlns:w="urn:mini:ws">
<fileName>F001.xml</fileName><doc>${include('d')}</doc><count>1</count></w:sendParams></s:Body></s:Envelope>`
  const good = Buffer.from('<d:doc versionInterface="01.00" xmlns:d="urn:mini:doc"><d:color>red</d:color><d:day>2020-01-01</d:day></d:doc>')
  const built = mtom('send', envelope, { d: good })
  const ok = mini.validateMessage(built.message, built.contentType.replace(`${WS_NS}send`, 'urn:mini:send'))
  t.same(ok.violations, [])
  t.same(ok.documents.map((d) => [d.element, d.versionInterface]), [['doc', '01.00']])
  const bad = mtom('send', envelope, { d: Buffer.from(good.toString().replace('red', 'green')) })
  t.same(mini.validateMessage(bad.message, 'multipart/related; type="application/xop+xml"; boundary="MIME_BOUNDARY"; start-info="application/soap+xml"').violations.map((v) => [v.code, v.part]),
    [['GW_SCHEMA_ENUMERATION', 'doc']])
})

t.test('blankIncludes: xop:Include replaced by spaces, line breaks kept, nothing else touched', async (t) => {
  const envelope = `<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" xmlns:ws="${WS_NS}"><soap:Body><ws:rechercheDoublonsParametres>
<nomFichierDemande>DEMG1226-202501141030-000000.xml</nomFichierDemande>
<fichierDemande><xop:Include
   href="cid:xml_id"
   xmlns:xop="http://www.w3.org/2004/08/xop/include"/></fichierDemande>
</ws:rechercheDoublonsParametres></soap:Body></soap:Envelope>`
  const built = mtom('getDoublons', envelope, { xml_id: Buffer.from(exampleDocument('doublons-partielle')) })
  const message = decodeSoapMessage(built.message, built.contentType)
  const blanked = blankIncludes(message).toString('latin1')
  const original = message.envelopeBytes.toString('latin1')
  t.equal(blanked.length, original.length)
  t.equal(blanked.split('\r\n').length, original.split('\r\n').length, 'same lines')
  t.notMatch(blanked, /xop/)
  t.equal(blanked.replace(/<fichierDemande>[\s\S]*<\/fichierDemande>/, ''), original.replace(/<fichierDemande>[\s\S]*<\/fichierDemande>/, ''))
  t.equal(message.envelopeBytes.toString('latin1'), original, 'the message bytes are not modified (they are forwarded as received)')
  t.same(spec.validateMessage(built.message, built.contentType).violations, [])
})

t.test('a message without include is validated without copy', async (t) => {
  const built = inline('getDemandeLogement', `<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><ws:demandeLogementParametres xmlns:ws="${WS_NS}"><numUnique>1110125004242G1226</numUnique><nomCertificat>CERG1226-202501141032.pem</nomCertificat><certificat>${include('certificate')}</certificat></ws:demandeLogementParametres></soap:Body></soap:Envelope>`, { certificate: EMPTY_CERTIFICATE })
  const message = decodeSoapMessage(built.message, built.contentType)
  t.equal(blankIncludes(message), message.envelopeBytes)
})

t.test('never throws: every prefix of a message, and messages with flipped bytes, get violations or pass', async (t) => {
  const { message, contentType } = getNumUnique(exampleDocument('cre'), 'mtom')
  // a small deterministic PRNG: the same mutations on every run
  let seed = 42
  const random = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n }
  let refused = 0
  for (let cut = 0; cut < message.length; cut += 37) {
    const r = spec.validateMessage(message.subarray(0, cut), contentType)
    t.ok(r.violations.length > 0, `cut at ${cut} is refused`)
    refused++
  }
  for (let i = 0; i < 150; i++) {
    const copy = Buffer.from(message)
    for (let k = 0; k < 3; k++) copy[random(copy.length)] = random(256)
    const r = spec.validateMessage(copy, contentType)
    t.ok(Array.isArray(r.violations), `mutation ${i}`)
  }
  t.ok(refused > 100)
})

t.test('what a message says of guichets, read in full validation and in identification alone', async (t) => {
  const { message, contentType } = getNumUnique(exampleDocument('mod'), 'mtom')
  for (const identifyOnly of [false, true]) {
    const r = spec.validateMessage(message, contentType, { identifyOnly })
    t.same(r.guichets, { fileGuichets: ['G1226', 'G1226'], documentGuichets: ['G1226'], numUniques: ['1110125004242G1226'], complete: true }, identifyOnly ? 'identification alone' : 'full validation')
  }
  const broken = getNumUnique(exampleDocument('cre'), 'inline')
  const star = Buffer.from(broken.message.toString('utf8').replace(/(<fichierDemande[^>]*>)(.{10})/, '$1$2*'))
  for (const identifyOnly of [false, true]) {
    t.equal(spec.validateMessage(star, broken.contentType, { identifyOnly }).guichets?.complete, false, `a document not decoded strictly: not complete (${String(identifyOnly)})`)
  }
})
