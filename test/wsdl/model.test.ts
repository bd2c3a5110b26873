// The wsdl/ interface model proves itself with libxml2 (the engine the spec compiles it with):
// the WSDL is what docs/interface-model.md says, the XSDs compile (libxml2 also checks that every
// content model is deterministic), every example validates, and broken copies do not, each for the
// reason the copy was broken for.
import t from 'tap'
import { readFileSync, readdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { XmlDocument, XmlElement, XsdValidator } from 'libxml2-wasm'
import type { NamespaceMap } from 'libxml2-wasm'
import { xmlRegisterFsInputProviders } from 'libxml2-wasm/lib/nodejs.mjs'

const root = fileURLToPath(new URL('../..', import.meta.url))
const wsdlDir = join(root, 'wsdl')
const documentsDir = join(root, 'examples', 'documents')
const envelopesDir = join(root, 'examples', 'envelopes')

const WS_NS = 'http://ws.metier.nuu.application.i2/'
const NUU_NS = 'http://nuu.application.i2/'
const ns: NamespaceMap = {
  wsdl: 'http://schemas.xmlsoap.org/wsdl/',
  soap12: 'http://schemas.xmlsoap.org/wsdl/soap12/',
  wsp: 'http://www.w3.org/ns/ws-policy',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
  wsoma: 'http://schemas.xmlsoap.org/ws/2004/09/policy/optimizedmimeserialization',
  xs: 'http://www.w3.org/2001/XMLSchema',
  xmime: 'http://www.w3.org/2005/05/xmlmime',
  env: 'http://www.w3.org/2003/05/soap-envelope',
  nuu: NUU_NS
}

// Relative xs:import/xs:include are read through libxml2's file input provider; the schema
// documents are parsed with their path as URL so that relative locations resolve.
xmlRegisterFsInputProviders()

function parseFile (path: string): XmlDocument {
  return XmlDocument.fromBuffer(readFileSync(path), { url: path })
}

function compileXsd (path: string): XsdValidator {
  const doc = parseFile(path)
  try {
    return XsdValidator.fromDoc(doc)
  } finally {
    doc.dispose()
  }
}

function str (doc: XmlDocument, xpath: string): string {
  return String(doc.eval(`string(${xpath})`, ns))
}

/** Validates, returning the error messages (empty when valid). */
function errorsOf (validator: XsdValidator, target: XmlDocument | XmlElement): string[] {
  try {
    if (target instanceof XmlDocument) validator.validate(target)
    else validator.validate(target)
    return []
  } catch (err) {
    const details = (err as { details?: Array<{ message: string }> }).details
    return details !== undefined && details.length > 0 ? details.map((d) => d.message.trim()) : [(err as Error).message]
  }
}

/** As the spec does: each xop:Include becomes spaces of the same length, so lines and columns stay. */
function blankXopIncludes (xml: string): string {
  return xml.replace(/<xop:Include\b[^>]*\/>/g, (m) => ' '.repeat(m.length))
}

function bodyPayload (doc: XmlDocument): XmlElement {
  const el = doc.get('/env:Envelope/env:Body/*[1]', ns)
  if (!(el instanceof XmlElement)) throw new Error('no Body payload')
  return el
}

const wsdlFiles = readdirSync(wsdlDir).filter((f) => f.endsWith('.wsdl'))
const wsdlPath = join(wsdlDir, wsdlFiles[0] ?? 'missing.wsdl')
const wsdl = parseFile(wsdlPath)
t.teardown(() => wsdl.dispose())

// The webservice XSD is reached the way the spec loader reaches it: through the WSDL's import.
const importLocation = str(wsdl, '/wsdl:definitions/wsdl:types/xs:schema/xs:import/@schemaLocation')
const wsXsdPath = resolve(dirname(wsdlPath), importLocation)
const wsXsd = parseFile(wsXsdPath)
t.teardown(() => wsXsd.dispose())
const wsValidator = compileXsd(wsXsdPath)
t.teardown(() => wsValidator.dispose())

const nuuValidators = new Map<string, XsdValidator>()
for (const file of readdirSync(wsdlDir).filter((f) => /^InterfaceNuu_v\d{4}\.xsd$/.test(f))) {
  nuuValidators.set(file, compileXsd(join(wsdlDir, file)))
}
t.teardown(() => { for (const v of nuuValidators.values()) v.dispose() })

function nuuValidator (version: string): XsdValidator {
  const v = nuuValidators.get(`InterfaceNuu_v${version.replace('.', '')}.xsd`)
  if (v === undefined) throw new Error(`no XSD for versionInterface ${version}`)
  return v
}

/** Validates an interfaceNuu text against the XSD of the versionInterface it declares. */
function validateDocumentText (xml: string, version?: string): string[] {
  const declared = version ?? /versionInterface="([^"]*)"/.exec(xml)?.[1] ?? ''
  const doc = XmlDocument.fromString(xml)
  try {
    return errorsOf(nuuValidator(declared), doc)
  } finally {
    doc.dispose()
  }
}

function validatePayloadText (xml: string): string[] {
  const doc = XmlDocument.fromString(blankXopIncludes(xml))
  try {
    return errorsOf(wsValidator, bodyPayload(doc))
  } finally {
    doc.dispose()
  }
}

function readExample (dir: string, name: string): string {
  return readFileSync(join(dir, name), 'utf8')
}

/** Replaces exactly one occurrence, so that a broken copy cannot silently equal the original. */
function breakCopy (text: string, from: string | RegExp, to: string): string {
  const count = typeof from === 'string' ? text.split(from).length - 1 : (text.match(new RegExp(from.source, 'g')) ?? []).length
  if (count !== 1) throw new Error(`expected one occurrence of ${String(from)}, found ${count}`)
  return text.replace(from, to)
}

// ---------------------------------------------------------------------------------------------
// The WSDL

interface DocOperation { name: string, request: string, requestChildren: DocChild[], response: string, responseChildren: DocChild[] }
interface DocChild { name: string, optional: boolean, document: boolean, binary: boolean }

/** Reads the operations table of docs/interface-model.md, e.g. `numUniqueParametres{a, b(base64, text/xml), c?}`. */
function documentedOperations (): DocOperation[] {
  const text = readFileSync(join(root, 'docs', 'interface-model.md'), 'utf8')
  const rows = text.split('\n').filter((l) => /^\| (get|declaration)\w+/.test(l))
  return rows.map((row) => {
    const cells = row.split('|').map((c) => c.trim())
    const name = (cells[1] ?? '').replace(/\s*\[M\]$/, '')
    const [request, requestChildren] = wrapper(cells[2] ?? '')
    const [response, responseChildren] = wrapper(cells[3] ?? '')
    return { name, request, requestChildren, response, responseChildren }
  })
}

function wrapper (cell: string): [string, DocChild[]] {
  const m = /`(\w+)\{(.*)\}`/.exec(cell)
  if (m === null) throw new Error(`cannot read wrapper cell ${cell}`)
  const children: DocChild[] = []
  let depth = 0
  let current = ''
  for (const ch of m[2] ?? '') {
    if (ch === '(') depth++
    if (ch === ')') depth--
    if (ch === ',' && depth === 0) { children.push(child(current)); current = '' } else current += ch
  }
  children.push(child(current))
  return [m[1] ?? '', children]
}

function child (text: string): DocChild {
  const m = /^\s*(\w+)(\?)?(?:\((.*)\))?\s*$/.exec(text)
  if (m === null) throw new Error(`cannot read child ${text}`)
  const detail = m[3] ?? ''
  return { name: m[1] ?? '', optional: m[2] === '?', document: detail.includes('text/xml'), binary: detail.includes('base64') }
}

/** The children of a wrapper as the webservice XSD declares them. */
function schemaChildren (wrapperName: string): DocChild[] {
  const type = str(wsXsd, `/xs:schema/xs:element[@name='${wrapperName}']/@type`).replace(/^tns:/, '')
  const elements = wsXsd.find(`/xs:schema/xs:complexType[@name='${type}']/xs:sequence/xs:element`, ns)
  return elements.map((node) => {
    const el = node as XmlElement
    // on the declaration, or on its type (where JAXB reads it, wsdl/README.md)
    const typeName = el.attr('type')?.value.replace(/^tns:/, '')
    const type = typeName === undefined ? undefined : wsXsd.get(`/xs:schema/xs:complexType[@name='${typeName}']`, ns) as XmlElement | null
    const expected = el.attr('expectedContentTypes', 'xmime')?.value ?? type?.attr('expectedContentTypes', 'xmime')?.value
    return {
      name: el.attr('name')?.value ?? '',
      optional: el.attr('minOccurs')?.value === '0',
      document: expected === 'text/xml',
      binary: expected !== undefined
    }
  })
}

t.test('the folder holds a single WSDL, the one the brief names', async (t) => {
  t.same(wsdlFiles, ['DemandeLogementImplService.wsdl'])
  t.equal(str(wsdl, '/wsdl:definitions/@targetNamespace'), WS_NS)
  t.equal(importLocation, 'DemandeLogementImplService_schema1.xsd', 'types imported by a relative schemaLocation')
  t.equal(str(wsdl, '/wsdl:definitions/wsdl:types/xs:schema/xs:import/@namespace'), WS_NS)
  t.equal(str(wsXsd, '/xs:schema/@elementFormDefault'), 'unqualified', 'wrapper children are unqualified')
})

t.test('service, port, SOAP 1.2 binding, MTOM policy and address', async (t) => {
  const port = '/wsdl:definitions/wsdl:service[@name="DemandeLogementImplService"]/wsdl:port[@name="DemandeLogementImplPort"]'
  t.equal(str(wsdl, `${port}/soap12:address/@location`),
    'https://nuu-ws.ecole.application.developpement-durable.gouv.fr/services/DemandeLogementImplService/')
  const bindingName = str(wsdl, `${port}/@binding`).replace(/^tns:/, '')
  const binding = `/wsdl:definitions/wsdl:binding[@name="${bindingName}"]`
  t.equal(str(wsdl, `${binding}/soap12:binding/@style`), 'document')
  t.equal(str(wsdl, `${binding}/soap12:binding/@transport`), 'http://schemas.xmlsoap.org/soap/http')
  t.equal(str(wsdl, `count(${binding}/wsdl:operation/wsdl:input/soap12:body[@use="literal"])`), '6')
  const policyRef = str(wsdl, `${binding}/wsp:PolicyReference/@URI`)
  t.match(policyRef, /^#/)
  t.equal(str(wsdl, `count(/wsdl:definitions/wsp:Policy[@wsu:Id="${policyRef.slice(1)}"]//wsoma:OptimizedMimeSerialization)`), '1',
    'the binding references an MTOM (OptimizedMimeSerialization) policy')
})

t.test('the six operations match docs/interface-model.md and the webservice XSD', async (t) => {
  const documented = documentedOperations()
  t.equal(documented.length, 6, 'the doc lists six operations')
  const portType = '/wsdl:definitions/wsdl:portType'
  t.equal(str(wsdl, `count(${portType}/wsdl:operation)`), '6')
  for (const op of documented) {
    t.equal(str(wsdl, `/wsdl:definitions/wsdl:binding/wsdl:operation[@name="${op.name}"]/soap12:operation/@soapAction`),
      `${WS_NS}${op.name}`, `${op.name}: soapAction`)
    const input = str(wsdl, `${portType}/wsdl:operation[@name="${op.name}"]/wsdl:input/@message`).replace(/^tns:/, '')
    const output = str(wsdl, `${portType}/wsdl:operation[@name="${op.name}"]/wsdl:output/@message`).replace(/^tns:/, '')
    t.equal(str(wsdl, `/wsdl:definitions/wsdl:message[@name="${input}"]/wsdl:part/@element`), `tns:${op.request}`, `${op.name}: request wrapper`)
    t.equal(str(wsdl, `/wsdl:definitions/wsdl:message[@name="${output}"]/wsdl:part/@element`), `tns:${op.response}`, `${op.name}: response wrapper`)
    t.same(schemaChildren(op.request), op.requestChildren, `${op.name}: request children, optionality and binary/document marks`)
    t.same(schemaChildren(op.response), op.responseChildren, `${op.name}: response children`)
  }
})

// ---------------------------------------------------------------------------------------------
// The interfaceNuu XSDs

t.test('one interfaceNuu XSD per version, each fixing its versionInterface', async (t) => {
  t.same([...nuuValidators.keys()].sort(), ['InterfaceNuu_v0200.xsd', 'InterfaceNuu_v0201.xsd'])
  for (const [file, version] of [['InterfaceNuu_v0200.xsd', '02.00'], ['InterfaceNuu_v0201.xsd', '02.01']] as const) {
    const doc = parseFile(join(wsdlDir, file))
    t.equal(str(doc, '/xs:schema/@targetNamespace'), NUU_NS)
    t.equal(str(doc, '/xs:schema/@elementFormDefault'), 'qualified')
    t.equal(str(doc, '//xs:attribute[@name="versionInterface"]/@fixed'), version, `${file} fixes ${version}`)
    doc.dispose()
  }
  // A helper XSD that fixes no version is not mistaken for one.
  const shared = parseFile(join(wsdlDir, 'InterfaceNuu_nomenclatures_v02.xsd'))
  t.equal(str(shared, 'count(//xs:attribute[@name="versionInterface"])'), '0')
  shared.dispose()
})

t.test('every nomenclature of docs/sne-reference.md §6 is a named enumeration', async (t) => {
  const doc = parseFile(join(wsdlDir, 'InterfaceNuu_nomenclatures_v02.xsd'))
  t.teardown(() => doc.dispose())
  const lists: Record<string, number> = {
    ListeCivilite: 3, ListeNationalite: 3, ListeSituationFamiliale: 7, ListeLienDemandeur: 4,
    ListeCategorieLogementRecherche: 3, ListeCategorieLogement: 2, ListeTypeLogement: 7, ListeSexe: 2,
    ListeLienParente: 3, ListeCoparentalite: 2, ListeTypeContratTravail: 8, ListeRessourceRecue: 14,
    ListeRessourceVersee: 1, ListeModeleLogement: 17, ListeMotifDemande: 23, ListeEtatHandicap: 2,
    ListeCapaciteMarcheHandicap: 4, ListeNatureHandicapMoteur: 2, ListeNatureHandicapSensoriel: 2,
    ListeAideTechniqueHandicap: 7, ListeEquipementHandicap: 6, ListeMotifsRadiation: 6,
    ListeSousMotifRadiationIrrecevabilite: 2, ListeTypeReservataire: 6, ListeZUS: 3, ListeTypeFichier: 9,
    ListeStatutDalo: 4, ListeTypologieLogementDalo: 29, ListeTypeLogementRPLS: 9, ListeBooleen: 3,
    ListeAccordCollectif: 4
  }
  for (const [name, count] of Object.entries(lists)) {
    t.equal(str(doc, `count(/xs:schema/xs:simpleType[@name="${name}"]/xs:restriction/xs:enumeration)`), String(count), name)
  }
  t.equal(str(doc, 'count(/xs:schema/xs:simpleType[@name="ListeMotifsRadiation"]/xs:restriction/xs:enumeration[@value=""])'), '1',
    'the empty radiation motif (réactivation) is a code')
})

t.test('the twelve national events are the codes of docs/interface-model.md', async (t) => {
  const documented = [...readFileSync(join(root, 'docs', 'interface-model.md'), 'utf8').matchAll(/^\| (EVT_\w+) \|/gm)].map((m) => m[1])
  t.equal(documented.length, 12)
  const doc = parseFile(join(wsdlDir, 'InterfaceNuu_v0201.xsd'))
  const declared = doc.find('/xs:schema/xs:simpleType[@name="ListeEvenementNational"]/xs:restriction/xs:enumeration', ns)
    .map((n) => (n as XmlElement).attr('value')?.value)
  doc.dispose()
  t.same(declared, documented)
})

// ---------------------------------------------------------------------------------------------
// Example documents

const documentFiles = readdirSync(documentsDir).filter((f) => f.endsWith('.xml')).sort()

t.test('the example documents cover every file type, radiation motif and version', async (t) => {
  const texts = documentFiles.map((f) => readExample(documentsDir, f))
  const types = new Set(texts.map((x) => /<ns1:typeFichier>(\w+)</.exec(x)?.[1]))
  for (const type of ['CRE', 'CRS', 'MOD', 'REN', 'RAD', 'SUP']) t.ok(types.has(type), `a ${type} file`)
  const motifs = new Set(texts.flatMap((x) => [...x.matchAll(/<ns1:motif code="(\w*)"/g)].map((m) => m[1])))
  t.same([...motifs].sort(), ['', 'RADABA', 'RADATT', 'RADCON', 'RADIRR', 'RADREN'])
  t.ok(texts.some((x) => x.includes('versionInterface="02.00"')), 'a 02.00 document')
  t.ok(texts.some((x) => x.includes('<ns1:listeDoublons>')), 'a getDoublons answer')
  t.ok(texts.some((x) => x.includes('<ns1:evenement ') && x.includes('<ns1:anomalie ')), 'an answer with events and an anomaly')
})

t.test('the CRE is complete and sized for the 4 KB benchmark message', async (t) => {
  const cre = readExample(documentsDir, 'cre.xml')
  for (const part of ['demandeur', 'cotitulaire', 'personneACharge', 'listeRessourceRecue', 'logementActuel',
    'listeMotifDemande', 'handicap', 'dalo', 'nir']) {
    t.ok(cre.includes(`<ns1:${part}>`), `has ${part}`)
  }
  t.equal(cre.match(/<ns1:localisationSouhaite>/g)?.length, 3, 'three communes')
  const size = Buffer.byteLength(cre)
  t.ok(size >= 3000 && size <= 4096, `3-4 KB (${size} bytes)`)
  // libsne declares the document part `text/xml; charset=us-ascii`, 7bit (docs/sne-reference.md §4.2)
  t.ok([...Buffer.from(cre)].every((byte) => byte < 0x80), 'pure ASCII, so that it travels as 7bit')
})

t.test('every example document has the style of the real 2018 sample', async (t) => {
  for (const file of documentFiles) {
    const text = readExample(documentsDir, file)
    t.ok(text.startsWith('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'), `${file}: XML declaration`)
    t.notOk(/<(?!ns1:|\?|\/ns1:)/.test(text.replace(/^<\?xml[^>]*>/, '')), `${file}: ns1 prefix on every element`)
    t.match(text, /<ns1:dateFichier>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d</, `${file}: dateFichier with ms and offset`)
  }
})

t.test('every example document validates against the XSD of its versionInterface', async (t) => {
  t.ok(documentFiles.length >= 15)
  for (const file of documentFiles) {
    t.same(validateDocumentText(readExample(documentsDir, file)), [], file)
  }
})

// ---------------------------------------------------------------------------------------------
// Example envelopes

const envelopeFiles = readdirSync(envelopesDir).filter((f) => f.endsWith('.xml')).sort()

t.test('one envelope per operation, each carrying the wrapper of its operation', async (t) => {
  const operations = documentedOperations()
  for (const op of operations) {
    const file = `${op.name}.xml`
    t.ok(envelopeFiles.includes(file), `${file} exists`)
    const doc = XmlDocument.fromString(blankXopIncludes(readExample(envelopesDir, file)))
    const payload = bodyPayload(doc)
    t.equal(payload.namespaceUri, WS_NS)
    t.equal(payload.name, op.request, `${file}: Body's first child`)
    doc.dispose()
  }
  t.ok(envelopeFiles.includes('getNumUnique-inline.xml'), 'an inline-base64 variant')
})

t.test('the envelopes keep the layout of docs/sne-reference.md §4.2', async (t) => {
  for (const file of envelopeFiles) {
    const text = readExample(envelopesDir, file)
    t.ok(text.startsWith('<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" xmlns:ws="http://ws.metier.nuu.application.i2/">\n  <soap:Header/>\n  <soap:Body>\n'),
      `${file}: envelope, empty Header and Body as libsne wrote them`)
    for (const line of text.split('\n').filter((l) => l.includes('xop:Include'))) {
      // the école rejects an xop:Include not on the same line as its owner (docs/sne-reference.md §2.1)
      t.match(line, /^\s*<(\w+) ws:contentType="[^"]+"><xop:Include href="cid:[^"]+" xmlns:xop="http:\/\/www\.w3\.org\/2004\/08\/xop\/include"\/><\/\1>$/, `${file}: ${line.trim().slice(0, 30)}…`)
    }
  }
})

t.test('every envelope payload validates against the webservice XSD', async (t) => {
  t.equal(envelopeFiles.length, 7)
  for (const file of envelopeFiles) {
    t.same(validatePayloadText(readExample(envelopesDir, file)), [], file)
  }
})

t.test('the exact libsne message of docs/sne-reference.md §4.2 validates', async (t) => {
  // Re-drawn from the reference, values as printed there (2017): ws:contentType on each binary child.
  const libsne = `<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" xmlns:ws="http://ws.metier.nuu.application.i2/">
  <soap:Header/>
  <soap:Body>
    <ws:numUniqueParametres>
      <nomFichierDemande>DEMG1226-201708311530-000000.xml</nomFichierDemande>
      <fichierDemande ws:contentType="text/xml"><xop:Include href="cid:xml_id" xmlns:xop="http://www.w3.org/2004/08/xop/include"/></fichierDemande>
      <nomCertificat>CERG1226-201708311530.pem</nomCertificat>
      <certificat ws:contentType="application/x-x509-ca-cert"><xop:Include href="cid:certificate" xmlns:xop="http://www.w3.org/2004/08/xop/include"/></certificat>
    </ws:numUniqueParametres>
  </soap:Body>
</soap:Envelope>`
  t.same(validatePayloadText(libsne), [])
  const xmime = libsne.replace(/ws:contentType=/g, 'xmime:contentType=')
    .replace('<ws:numUniqueParametres>', '<ws:numUniqueParametres xmlns:xmime="http://www.w3.org/2005/05/xmlmime">')
  t.same(validatePayloadText(xmime), [], 'xmime:contentType is accepted too')
  const unqualified = libsne.replace(/ws:contentType=/g, 'contentType=')
  t.same(validatePayloadText(unqualified), [], 'an unqualified contentType, which a JAXB endpoint ignores, is accepted (wsdl/README.md)')
})

t.test('the inline-base64 variant carries the CRE itself', async (t) => {
  const text = readExample(envelopesDir, 'getNumUnique-inline.xml')
  const b64 = /<fichierDemande ws:contentType="text\/xml">([A-Za-z0-9+/=]+)<\/fichierDemande>/.exec(text)?.[1] ?? ''
  const decoded = Buffer.from(b64, 'base64').toString('utf8')
  t.equal(decoded, readExample(documentsDir, 'cre.xml'))
  t.same(validateDocumentText(decoded), [])
})

// ---------------------------------------------------------------------------------------------
// Broken copies fail, for the reason they were broken for

t.test('broken interfaceNuu documents are refused', async (t) => {
  const cre = readExample(documentsDir, 'cre.xml')
  const mod = readExample(documentsDir, 'mod.xml')
  const cases: Array<[string, string, RegExp, string?]> = [
    ['wrong enumeration code', breakCopy(cre, '<ns1:civilite code="2"/>', '<ns1:civilite code="9"/>'), /civilite.*code.*'9'|'9'.*enumeration/],
    ['wrong typeFichier', breakCopy(cre, '<ns1:typeFichier>CRE<', '<ns1:typeFichier>CRX<'), /typeFichier/],
    ['bad numéro unique (month 13)', breakCopy(mod, '1110125004242G1226', '1111325004242G1226'), /numUnique/],
    ['bad numéro unique (17 chars)', breakCopy(mod, '1110125004242G1226', '110125004242G1226'), /numUnique/],
    ['bad INSEE commune', breakCopy(cre, '<ns1:commune code="94080"/>', '<ns1:commune code="9408"/>'), /commune/],
    ['bad numGuichet', breakCopy(cre, '<ns1:numGuichet>G1226<', '<ns1:numGuichet>1226<'), /numGuichet/],
    ['missing required element', breakCopy(cre, /<ns1:dateCreationDemande>[^<]*<\/ns1:dateCreationDemande>\n/, ''), /personnePhysique'?: This element is not expected\. Expected is .*dateCreationDemande/],
    ['missing logementRecherche', breakCopy(mod, /\s*<ns1:logementRecherche>[\s\S]*<\/ns1:logementRecherche>/, ''), /not expected\. Expected is one of .*logementRecherche/],
    ['no commune', breakCopy(mod, /\s*<ns1:localisationSouhaite>[\s\S]*<\/ns1:localisationSouhaite>/, ''), /listeLocalisationSouhaite'?: Missing child/],
    ['wrong order', breakCopy(cre,
      '<ns1:typeFichier>CRE</ns1:typeFichier>\n<ns1:dateFichier>2025-01-14T10:32:07.512+01:00</ns1:dateFichier>',
      '<ns1:dateFichier>2025-01-14T10:32:07.512+01:00</ns1:dateFichier>\n<ns1:typeFichier>CRE</ns1:typeFichier>'), /dateFichier/],
    ['not a date', breakCopy(cre, '<ns1:dateNaissance>1985-01-20<', '<ns1:dateNaissance>20/01/1985<'), /dateNaissance/],
    ['boolean written 1', breakCopy(cre, '<ns1:demandeElargie>true<', '<ns1:demandeElargie>1<'), /demandeElargie/],
    ['unknown element of the namespace', breakCopy(cre, '<ns1:dalo>', '<ns1:inconnu/>\n<ns1:dalo>'), /inconnu'?: This element is not expected/],
    ['unknown event code', breakCopy(mod, 'code="EVT_DEMANDE_PIECES"', 'code="EVT_INCONNU"'), /EVT_INCONNU/],
    ['bad NIR', breakCopy(cre, '<ns1:nir>285019912300100<', '<ns1:nir>28501991230010<'), /nir/],
    ['unqualified element', breakCopy(cre, '<ns1:nom>FICTIF-ALPHA</ns1:nom>\n<ns1:prenom>Test-Un<', '<nom>FICTIF-ALPHA</nom>\n<ns1:prenom>Test-Un<'), /Element 'nom': This element is not expected/],
    ['versionInterface of another file', breakCopy(mod, 'versionInterface="02.01"', 'versionInterface="02.00"'), /versionInterface.*fixed value/, '02.01'],
    ['02.00 has no events', breakCopy(mod, 'versionInterface="02.01"', 'versionInterface="02.00"'), /listeEvenement/],
    ['02.00 has no NIR', breakCopy(cre, 'versionInterface="02.01"', 'versionInterface="02.00"'), /nir/]
  ]
  for (const [name, text, reason, version] of cases) {
    const errors = validateDocumentText(text, version)
    t.ok(errors.length > 0, `${name}: refused`)
    t.match(errors.join('\n'), reason, `${name}: for that reason`)
  }
})

t.test('broken envelope payloads are refused', async (t) => {
  const num = readExample(envelopesDir, 'getNumUnique.xml')
  const dalo = readExample(envelopesDir, 'getNouveauxDaloDepuisLe.xml')
  const decl = readExample(envelopesDir, 'declarationNouveauDalo.xml')
  const cases: Array<[string, string, RegExp]> = [
    ['bad file name', breakCopy(num, 'DEMG1226-202501141032-000000.xml', 'DEMG1226-20250114-000000.xml'), /nomFichierDemande/],
    ['empty certificate name', breakCopy(num, 'CERG1226-202501141032.pem', ''), /nomCertificat/],
    ['missing fichierDemande', breakCopy(num, /\s*<fichierDemande [^\n]*<\/fichierDemande>/, ''), /Expected is \( fichierDemande \)/],
    ['wrong child order', breakCopy(num,
      '<nomFichierDemande>DEMG1226-202501141032-000000.xml</nomFichierDemande>\n',
      '').replace('</certificat>\n', '</certificat>\n      <nomFichierDemande>DEMG1226-202501141032-000000.xml</nomFichierDemande>\n'), /fichierDemande/],
    ['qualified child', breakCopy(num, '<nomCertificat>CERG1226-202501141032.pem</nomCertificat>', '<ws:nomCertificat>CERG1226-202501141032.pem</ws:nomCertificat>'), /nomCertificat/],
    ['unknown attribute on a binary child', breakCopy(num, '<fichierDemande ws:contentType="text/xml">', '<fichierDemande ws:mimeType="text/xml">'), /mimeType/],
    ['not a dateTime', breakCopy(dalo, '2025-01-01T00:00:00.0+01:00', '2025-01-01'), /dateNouveauDaloDepuisLe/],
    ['unknown statutDalo', breakCopy(decl, '<statutDalo>ACTIF<', '<statutDalo>ACTIVE<'), /statutDalo/],
    ['not base64', breakCopy(readExample(envelopesDir, 'getNumUnique-inline.xml'), '<certificat ws:contentType="application/x-x509-ca-cert"></certificat>',
      '<certificat ws:contentType="application/x-x509-ca-cert">not*base64</certificat>'), /certificat/]
  ]
  for (const [name, text, reason] of cases) {
    const errors = validatePayloadText(text)
    t.ok(errors.length > 0, `${name}: refused`)
    t.match(errors.join('\n'), reason, `${name}: for that reason`)
  }
})

// ---------------------------------------------------------------------------------------------
// What the XSD leaves to the spec's rules, and the extension points

t.test('the rules XSD cannot say are left to the spec: these pass the XSD', async (t) => {
  const mod = readExample(documentsDir, 'mod.xml')
  const radirr = readExample(documentsDir, 'rad-radirr.xml')
  const radatt = readExample(documentsDir, 'rad-radatt.xml')
  const cre = readExample(documentsDir, 'cre.xml')
  const eleven = Array.from({ length: 11 }, (_, i) => `<ns1:localisationSouhaite>\n<ns1:commune code="751${String(i + 1).padStart(2, '0')}"/>\n</ns1:localisationSouhaite>`).join('\n')
  const cases: Array<[string, string]> = [
    ['MOD without numUnique', breakCopy(mod, /\s*<ns1:numUnique>[^<]*<\/ns1:numUnique>/, '')],
    ['RAD without motif', breakCopy(radirr, /\s*<ns1:motif code="RADIRR"\/>/, '')],
    ['RADIRR without sous-motif', breakCopy(radirr, /\s*<ns1:sousMotif code="IRRSEJ"\/>/, '')],
    ['RADATT without attribution', breakCopy(radatt, /\s*<ns1:attribution>[\s\S]*<\/ns1:attribution>/, '')],
    ['file guichet other than numGuichet (no file name in the document)', breakCopy(mod, '<ns1:numGuichet>G1226<', '<ns1:numGuichet>G9999<')],
    ['eleven communes', breakCopy(cre, /<ns1:listeLocalisationSouhaite>[\s\S]*<\/ns1:listeLocalisationSouhaite>/,
      `<ns1:listeLocalisationSouhaite>\n${eleven}\n</ns1:listeLocalisationSouhaite>`)],
    ['a date in the future', breakCopy(cre, '<ns1:dateCreationDemande>2025-01-14<', '<ns1:dateCreationDemande>2999-01-14<')]
  ]
  for (const [name, text] of cases) t.same(validateDocumentText(text), [], name)
})

t.test('extension points take foreign elements, codes accept Corsica', async (t) => {
  const cre = readExample(documentsDir, 'cre.xml')
  const extended = breakCopy(cre, '</ns1:demandeLogement>', '<x:cotation xmlns:x="urn:example:futur"><x:points>12</x:points></x:cotation>\n</ns1:demandeLogement>')
  t.same(validateDocumentText(extended), [], 'a foreign-namespace element at the end of demandeLogement')
  const inEntete = breakCopy(cre, '</ns1:entete>', '<x:trace xmlns:x="urn:example:futur"/>\n</ns1:entete>')
  t.same(validateDocumentText(inEntete), [], 'a foreign-namespace element at the end of entete')
  t.same(validateDocumentText(breakCopy(cre, '<ns1:commune code="94080"/>', '<ns1:commune code="2A004"/>')), [], 'INSEE 2A004')
  const misplaced = breakCopy(cre, '<ns1:entete>', '<ns1:entete>\n<x:trace xmlns:x="urn:example:futur"/>')
  t.not(validateDocumentText(misplaced).length, 0, 'but only at the end')
})

t.test('each of the twelve event codes validates', async (t) => {
  const mod = readExample(documentsDir, 'mod.xml')
  const doc = parseFile(join(wsdlDir, 'InterfaceNuu_v0201.xsd'))
  const codes = doc.find('/xs:schema/xs:simpleType[@name="ListeEvenementNational"]/xs:restriction/xs:enumeration', ns)
    .map((n) => (n as XmlElement).attr('value')?.value ?? '')
  doc.dispose()
  t.equal(codes.length, 12)
  for (const code of codes) t.same(validateDocumentText(breakCopy(mod, 'code="EVT_DEMANDE_PIECES"', `code="${code}"`)), [], code)
})
