// The message a REST call becomes, compared byte for byte with the golden messages of examples/
// (the reference client's layout): clock, MIME boundary and file sequence injected.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { buildJsonContract } from '../../src/contract/json-contract.js'
import { createMessageBuilder, dateTimeWithOffset } from '../../src/rest/message-builder.js'
import { buildMtomMessage } from '../../src/soap/mtom-writer.js'
import { sharedSpec } from '../integration/helpers/gateway-stack.js'

const spec = await sharedSpec()
const contract = buildJsonContract(spec)
const examples = new URL('../../examples/', import.meta.url)
const read = (path: string): Buffer => readFileSync(new URL(path, examples))

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

function demandeOf (name: string): Json {
  const bytes = read(`documents/${name}.xml`)
  const r = spec.validateDocument(bytes)
  return (contract.toJson(r.doc!.root, bytes).value as Json).demande[0].demandeLogement as Json
}

// The examples were written on 2025-01-14 at 10:32:07.512 in Paris (UTC+1).
const builder = createMessageBuilder({
  contract,
  clock: () => new Date('2025-01-14T09:32:07.512Z'),
  boundary: () => 'MIME_BOUNDARY',
  sequence: () => 0,
  offsetMinutes: () => 60
})
const noCertificate = { pem: Buffer.alloc(0), name: undefined }

t.test('a creation is the golden getNumUnique CRE message, byte for byte', async (t) => {
  const built = builder.build({ operation: 'getNumUnique', typeFichier: 'CRE', guichet: 'G1226', demandeLogement: demandeOf('cre') }, noCertificate)
  t.equal(built.contentType, read('requests/getNumUnique-CRE.content-type').toString('utf8').trim())
  t.equal(built.body.toString('utf8'), read('requests/getNumUnique-CRE.mtom').toString('utf8'))
  t.equal(built.fileName, 'DEMG1226-202501141032-000000.xml')
  const checked = spec.validateMessage(built.body, built.contentType)
  t.same(checked.violations, [], 'it validates as any SOAP client\'s message')
})

t.test('a read carries the numéro unique, the certificate name in the SNE\'s convention and the configured certificate', async (t) => {
  // The golden read carries a (placeholder) certificate: the same bytes, configured for G1226.
  const goldenText = read('requests/getDemandeLogement.mtom').toString('latin1')
  const b64 = /Content-ID: <certificate>\r\nContent-Transfer-Encoding: BASE64\r\nContent-Disposition: attachment\r\n\r\n([A-Za-z0-9+/=\r\n]*?)\r\n--MIME_BOUNDARY/.exec(goldenText)?.[1] ?? ''
  t.not(b64, '', 'the golden message has a certificate part')
  const golden = builder.build({ operation: 'getDemandeLogement', guichet: 'G1226', numUnique: '1110125004242G1226' }, { pem: Buffer.from(b64.replace(/\r\n/g, ''), 'base64'), name: undefined })
  t.equal(golden.body.toString('latin1'), goldenText)
  const pem = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n')
  const configured = builder.build({ operation: 'getDemandeLogement', guichet: 'G1226', numUnique: '1110125004242G1226' }, { pem, name: 'CERG1226-202401010000.pem' })
  const text = configured.body.toString('latin1')
  t.match(text, '<nomCertificat>CERG1226-202401010000.pem</nomCertificat>')
  t.match(text.replace(/\r\n/g, ''), pem.toString('base64'))
  t.same(spec.validateMessage(configured.body, configured.contentType).violations, [])
})

t.test('every operation builds a message that validates', async (t) => {
  const inputs = [
    { operation: 'getNumUnique', typeFichier: 'MOD', guichet: 'G1226', demandeLogement: demandeOf('mod') },
    { operation: 'getDoublons', guichet: 'G1226', demandeLogement: demandeOf('doublons-partielle') },
    { operation: 'getNouveauxDaloDepuisLe', guichet: 'G1226', since: '2024-12-01T00:00:00.000+01:00' },
    { operation: 'getDemandesRadieesDepuisLe', guichet: 'G1226', since: '2024-12-01T00:00:00.000+01:00' },
    { operation: 'declarationNouveauDalo', guichet: 'G1226', numUnique: '1110125004242G1226', dalo: { dateDecisionDalo: '2024-11-28', statutDalo: 'ACTIF', typologieLogementDalo: '23' } }
  ] as const
  for (const input of inputs) {
    const built = builder.build(input, noCertificate)
    t.same(spec.validateMessage(built.body, built.contentType).violations, [], input.operation)
  }
  const doublons = builder.build(inputs[1], noCertificate).body.toString('latin1')
  t.notMatch(doublons, 'nomCertificat', 'getDoublons carries no certificate')
})

t.test('dates carry their offset, never Z; boundaries are random by default', async (t) => {
  t.equal(dateTimeWithOffset(new Date('2025-06-30T22:15:00.000Z'), 120), '2025-07-01T00:15:00.000+02:00')
  t.equal(dateTimeWithOffset(new Date('2025-06-30T22:15:00.000Z'), 0), '2025-06-30T22:15:00.000+00:00')
  t.equal(dateTimeWithOffset(new Date('2025-06-30T02:15:00.000Z'), -210), '2025-06-29T22:45:00.000-03:30')
  const random = createMessageBuilder({ contract, clock: () => new Date('2025-01-14T09:32:07.512Z') })
  const a = random.build({ operation: 'getDemandeLogement', guichet: 'G1226', numUnique: '1110125004242G1226' }, noCertificate)
  const b = random.build({ operation: 'getDemandeLogement', guichet: 'G1226', numUnique: '1110125004242G1226' }, noCertificate)
  t.not(a.contentType, b.contentType, 'each message its own boundary')
  const seq = (c: string): string => /DEMG1226-\d{12}-(\d{6})\.xml/.exec(c)?.[1] ?? ''
  const c1 = random.build({ operation: 'getNumUnique', typeFichier: 'CRE', guichet: 'G1226', demandeLogement: demandeOf('cre') }, noCertificate).fileName ?? ''
  const c2 = random.build({ operation: 'getNumUnique', typeFichier: 'CRE', guichet: 'G1226', demandeLogement: demandeOf('cre') }, noCertificate).fileName ?? ''
  t.not(seq(c1), seq(c2), 'two files of one minute have two names')
})

t.test('every example document, through JSON and back, is itself, indentation aside', async (t) => {
  const { readdirSync } = await import('node:fs')
  for (const file of readdirSync(new URL('documents/', examples)).filter((f) => f.endsWith('.xml'))) {
    const bytes = read(`documents/${file}`)
    const r = spec.validateDocument(bytes)
    const { value, version } = contract.toJson(r.doc!.root, bytes)
    const unindented = bytes.toString('utf8').replace(/\n[ \t]+</g, '\n<')
    t.equal(contract.toXml(value, { version }), unindented, file)
  }
})

t.test('examples/rest/demande-cre.json is the JSON of examples/documents/cre.xml', async (t) => {
  t.same(JSON.parse(read('rest/demande-cre.json').toString('utf8')), demandeOf('cre'))
})

t.test('the document part has CRLF line ends written from the XML text: the bytes the MTOM writer\'s conversion gives', async (t) => {
  // A value with a CR LF in it: the writer's XML has the CR as a reference and the LF raw; the
  // part must carry exactly what converting the document's bytes (bare LFs only) would give.
  const demande = demandeOf('cre')
  demande.personnePhysique.demandeur.adressePostale.voie = 'rue de l\'Exemple\r\nbâtiment B'
  const built = builder.build({ operation: 'getNumUnique', typeFichier: 'CRE', guichet: 'G1226', demandeLogement: demande }, noCertificate)
  const xml = contract.toXml({ versionInterface: '02.01', entete: { typeFichier: 'CRE', dateFichier: '2025-01-14T10:32:07.512+01:00' }, demande: [{ demandeLogement: demande }] }, { version: '02.01' })
  t.match(xml, 'rue de l\'Exemple&#xD;\nbâtiment B', 'the CR is a reference, the LF raw')
  const text = built.body.toString('utf8')
  const byWriter = buildMtomMessage({
    envelope: /\r\n\r\n([^]*?)\r\n--MIME_BOUNDARY/.exec(text)![1]!,
    action: 'http://ws.metier.nuu.application.i2/getNumUnique',
    parts: [
      { contentId: 'certificate', contentType: 'application/octet-stream', transferEncoding: 'BASE64', disposition: 'attachment', body: Buffer.alloc(0) },
      { contentId: 'xml_id', contentType: 'text/xml; charset=UTF-8', transferEncoding: '8bit', disposition: 'attachment; name="xml_id"', body: Buffer.from(xml, 'utf8') }
    ]
  })
  t.equal(text, byWriter.body.toString('utf8'))
  t.match(text, 'rue de l\'Exemple&#xD;\r\nbâtiment B')
  t.same(spec.validateMessage(built.body, built.contentType).violations, [])
})
