// The simulator's behaviour through its SOAP handler (spec validation → service → MTOM answer),
// without sockets: every lifecycle path, the refused cases and the anomalies.
import t, { type Test } from 'tap'
import { ruleAnomalies } from '../../src/simulator/anomalies.js'
import { createDemandeService } from '../../src/simulator/demande-service.js'
import { createSoapHandler, wantsMtom, type SoapResponse } from '../../src/simulator/soap-handler.js'
import { openStore } from '../../src/simulator/store.js'
import { decodeSoapMessage } from '../../src/soap/message.js'
import {
  ALPHA, type SoapRequest, codeAt, daloSinceRequest, declarationDaloRequest, demandeDocument, demandeLogementRequest, doublonsRequest,
  movableClock, numUniqueRequest, radieesSinceRequest, readAnswer, testSpec, textAt, at
} from './helpers/messages.js'

const time = movableClock('2024-01-10T09:00:00.000Z')
const spec = await testSpec(time.clock)
t.teardown(() => spec.dispose())

function setup (t: Test): (req: SoapRequest) => SoapResponse {
  time.set('2024-01-10T09:00:00.000Z')
  const store = openStore()
  t.teardown(() => store.close())
  const service = createDemandeService({ store, clock: time.clock, answerVersion: '02.01' })
  const handler = createSoapHandler({ spec, service })
  return (req) => handler.handle(req.body, req.contentType, undefined)
}

function ok (t: Test, res: SoapResponse): ReturnType<typeof readAnswer> {
  t.equal(res.statusCode, 200, 'HTTP 200')
  const answer = readAnswer(res.contentType, res.body)
  // A refused file is echoed as sent, so it may still break the interface rule it was refused for.
  const violations = spec.validateDocument(answer.bytes).violations.filter((v) => answer.anomalies.length === 0 || ruleAnomalies[v.code] === undefined)
  t.same(violations, [], 'the answer document is valid against its XSD')
  return answer
}

t.test('CRE allocates a numéro unique and records creation and validation', async (t) => {
  const call = setup(t)
  const res = call(numUniqueRequest(demandeDocument()))
  t.equal(res.outcome, 'answer')
  t.equal(res.typeFichier, 'CRE')
  t.match(res.contentType, /^multipart\/related; type="application\/xop\+xml"; start="soaproot"; start-info="application\/soap\+xml"; boundary="MIME_BOUNDARY"; action="http:\/\/ws.metier.nuu.application.i2\/getNumUniqueResponse"$/)
  const message = decodeSoapMessage(res.body, res.contentType)
  t.equal(message.payload?.local, 'numUniqueReponse', 'the response wrapper of the WSDL')
  t.equal(message.includes[0]?.owner.local, 'fichierReponse', 'the document is an attachment referenced from fichierReponse')
  const a = ok(t, res)
  t.equal(a.nu, '075012400000' + '1G1226', 'territory 075 (Paris), MMYY of dateCreationDemande, sequence 1, guichet')
  t.same(a.events, ['EVT_CREATION', 'EVT_VALIDATION'])
  t.equal(textAt(a.demande, 'dateFinValidite'), '2025-01-10', 'valid one year')
  t.equal(textAt(a.doc, 'entete', 'typeFichier'), 'RET')
  t.equal(textAt(a.doc, 'entete', 'dateFichier'), '2024-01-10T09:00:00.000Z', 'dated by the injected clock')
  const second = ok(t, call(numUniqueRequest(demandeDocument({ communes: ['2A004'], typeFichier: 'CRS' }))))
  t.equal(second.nu, '02A012400000' + '1G1226', 'CRS too; Corsica has its own territory and sequence')
  const third = ok(t, call(numUniqueRequest(demandeDocument())))
  t.equal(third.nu, '075012400000' + '2G1226', 'the sequence goes on')
})

t.test('an incomplete demande is created, not validated; a MOD that completes it validates it', async (t) => {
  const call = setup(t)
  const created = ok(t, call(numUniqueRequest(demandeDocument({ incomplete: true }))))
  t.same(created.events, ['EVT_CREATION'])
  time.set('2024-02-01T10:00:00.000Z')
  const modified = ok(t, call(numUniqueRequest(demandeDocument({ typeFichier: 'MOD', nu: created.nu!, dateCreation: '2024-01-20', guichet: 'G1104' }))))
  t.equal(modified.nu, created.nu, 'MOD keeps the numéro unique')
  t.equal(textAt(modified.demande, 'dateCreationDemande'), '2024-01-10', 'and the initial date')
  t.equal(textAt(modified.demande, 'numGuichet'), 'G1226', 'and the registering guichet')
  t.same(modified.events, ['EVT_CREATION', 'EVT_VALIDATION'])
  const read = ok(t, call(demandeLogementRequest(created.nu!)))
  const validation = at(read.demande, 'listeEvenement')?.children?.[1]
  t.equal(textAt(validation, 'guichet'), 'G1104', 'the event names the guichet that caused it')
  t.equal(textAt(validation, 'dateEvenement'), '2024-02-01T10:00:00.000Z')
})

t.test('CRE → MOD → REN → RAD → réactivation, with the events of each step', async (t) => {
  const call = setup(t)
  const nu = ok(t, call(numUniqueRequest(demandeDocument()))).nu!
  time.set('2024-06-01T08:00:00.000Z')
  t.equal(call(numUniqueRequest(demandeDocument({ typeFichier: 'MOD', nu }))).outcome, 'answer')
  time.set('2024-12-20T08:00:00.000Z')
  const renewed = ok(t, call(numUniqueRequest(demandeDocument({ typeFichier: 'REN', nu }))))
  t.equal(textAt(renewed.demande, 'dateRenouvellement'), '2024-12-20')
  t.equal(textAt(renewed.demande, 'dateFinValidite'), '2025-12-20', 'one year from the renewal')
  time.set('2025-02-01T08:00:00.000Z')
  const radiated = ok(t, call(numUniqueRequest(demandeDocument({ typeFichier: 'RAD', nu, radiation: { motif: 'RADCON' } }))))
  t.equal(codeAt(radiated.demande, 'radiation', 'motif'), 'RADCON')
  t.equal(textAt(radiated.demande, 'radiation', 'dateRadiation'), '2025-02-01')
  time.set('2025-06-01T08:00:00.000Z')
  const back = ok(t, call(numUniqueRequest(demandeDocument({ typeFichier: 'RAD', nu, radiation: { motif: '' } }))))
  t.equal(at(back.demande, 'radiation'), undefined, 'no longer radiated')
  t.equal(textAt(back.demande, 'dateCreationDemande'), '2024-01-10', 'seniority kept')
  t.equal(textAt(back.demande, 'dateFinValidite'), '2026-06-01')
  t.same(back.events, ['EVT_CREATION', 'EVT_VALIDATION', 'EVT_VALIDATION', 'EVT_RADIATION', 'EVT_REACTIVATION'])
})

t.test('radiation motifs', async (t) => {
  const call = setup(t)
  const create = (): string => ok(t, call(numUniqueRequest(demandeDocument()))).nu!
  const irr = create()
  const res = ok(t, call(numUniqueRequest(demandeDocument({ typeFichier: 'RAD', nu: irr, radiation: { motif: 'RADIRR', sousMotif: 'IRRSEJ' } }))))
  t.same(res.events.slice(-2), ['EVT_NON_RECEVABILITE', 'EVT_RADIATION'], 'RADIRR: non-recevabilité, then radiation')
  t.equal(codeAt(res.demande, 'radiation', 'sousMotif'), 'IRRSEJ')
  const att = ok(t, call(numUniqueRequest(demandeDocument({ typeFichier: 'RAD', nu: create(), radiation: { motif: 'RADATT', attribution: true } }))))
  t.equal(textAt(att.demande, 'radiation', 'attribution', 'idLogementRPLS'), '0750000123456', 'RADATT keeps the attribution data')
  const aba = ok(t, call(numUniqueRequest(demandeDocument({ typeFichier: 'RAD', nu: create(), radiation: { motif: 'RADABA' } }))))
  t.equal(aba.events.at(-1), 'EVT_RADIATION')
  // refused by the spec's rules, answered in-band as the SNE does
  const missing = ok(t, call(numUniqueRequest(demandeDocument({ typeFichier: 'RAD', nu: create(), radiation: { motif: 'RADIRR' } }))))
  t.same(missing.anomalies, ['CTRL_DEM_0016'])
  const noAttribution = ok(t, call(numUniqueRequest(demandeDocument({ typeFichier: 'RAD', nu: create(), radiation: { motif: 'RADATT' } }))))
  t.same(noAttribution.anomalies, ['CTRL_DEM_0017'])
  const renRefused = ok(t, call(numUniqueRequest(demandeDocument({ typeFichier: 'RAD', nu: create(), radiation: { motif: 'RADREN' } }))))
  t.same(renRefused.anomalies, ['CTRL_DEM_0014'], 'no radiation for non-renewal while valid')
  const again = ok(t, call(numUniqueRequest(demandeDocument({ typeFichier: 'RAD', nu: irr, radiation: { motif: 'RADABA' } }))))
  t.same(again.anomalies, ['CTRL_DEM_0010'], 'already radiated')
  const noMotif = call(numUniqueRequest(demandeDocument({ typeFichier: 'RAD', nu: create() })))
  t.same(readAnswer(noMotif.contentType, noMotif.body).anomalies, ['CTRL_DEM_0015'], 'RAD without radiation')
})

t.test('réactivation windows and refused steps on a radiated demande', async (t) => {
  const call = setup(t)
  const nu = ok(t, call(numUniqueRequest(demandeDocument()))).nu!
  const rad = (motif: string, extra = {}): string[] => readAnswer(...pair(call(numUniqueRequest(demandeDocument({ typeFichier: 'RAD', nu, radiation: { motif, ...extra } }))))).anomalies
  t.same(rad('RADABA'), [])
  t.same(readAnswer(...pair(call(numUniqueRequest(demandeDocument({ typeFichier: 'MOD', nu }))))).anomalies, ['CTRL_DEM_0009'], 'no MOD while radiated')
  t.same(readAnswer(...pair(call(numUniqueRequest(demandeDocument({ typeFichier: 'REN', nu }))))).anomalies, ['CTRL_DEM_0009'], 'no REN while radiated')
  t.same(readAnswer(...pair(call(declarationDaloRequest(nu, '2024-01-05', 'ACTIF')))).anomalies, ['CTRL_DEM_0020'], 'no DALO while radiated')
  time.set('2024-02-11T09:00:00.000Z')
  t.same(rad(''), ['CTRL_DEM_0012'], 'RADABA: one month, then too late')
  t.same(rad('RADABA'), ['CTRL_DEM_0010'])

  const att = ok(t, call(numUniqueRequest(demandeDocument()))).nu!
  call(numUniqueRequest(demandeDocument({ typeFichier: 'RAD', nu: att, radiation: { motif: 'RADATT', attribution: true } })))
  t.same(readAnswer(...pair(call(numUniqueRequest(demandeDocument({ typeFichier: 'RAD', nu: att, radiation: { motif: '' } }))))).anomalies, ['CTRL_DEM_0013'], 'RADATT is never re-activable')

  const active = ok(t, call(numUniqueRequest(demandeDocument({ dateCreation: '2024-02-11' })))).nu!
  t.same(readAnswer(...pair(call(numUniqueRequest(demandeDocument({ typeFichier: 'RAD', nu: active, radiation: { motif: '' } }))))).anomalies, ['CTRL_DEM_0011'], 'not radiated')
})

t.test('non-renewal: radiated at t+13 months, re-activable until t+18, purged a year after radiation', async (t) => {
  const call = setup(t)
  const nu = ok(t, call(numUniqueRequest(demandeDocument()))).nu!
  time.set('2025-02-09T12:00:00.000Z')
  t.equal(at(ok(t, call(demandeLogementRequest(nu))).demande, 'radiation'), undefined, 'still active the day before t+13')
  time.set('2025-02-10T12:00:00.000Z')
  const read = ok(t, call(demandeLogementRequest(nu)))
  t.equal(codeAt(read.demande, 'radiation', 'motif'), 'RADREN')
  t.equal(textAt(read.demande, 'radiation', 'dateRadiation'), '2025-02-10')
  const radiation = at(read.demande, 'listeEvenement')?.children?.at(-1)
  t.equal(textAt(radiation, 'guichet'), 'G0000', 'recorded by the SNE itself')
  const since = ok(t, call(radieesSinceRequest('2025-02-01T00:00:00+01:00')))
  t.same(since.demandes.map((d) => textAt(d, 'numUnique')), [nu], 'listed among the radiated demandes')
  t.same(ok(t, call(radieesSinceRequest('2025-02-10T00:00:00.001Z'))).demandes, [], 'not before its radiation instant')
  time.set('2025-07-11T12:00:00.000Z')
  t.same(readAnswer(...pair(call(numUniqueRequest(demandeDocument({ typeFichier: 'RAD', nu, radiation: { motif: '' } }))))).anomalies, ['CTRL_DEM_0012'], 'after t+18')

  time.set('2024-01-10T09:00:00.000Z')
  const other = ok(t, call(numUniqueRequest(demandeDocument()))).nu!
  time.set('2025-07-10T12:00:00.000Z')
  t.same(ok(t, call(numUniqueRequest(demandeDocument({ typeFichier: 'RAD', nu: other, radiation: { motif: '' } })))).anomalies, [], 'on t+18 still re-activable')

  time.set('2026-02-10T12:00:00.000Z')
  t.same(ok(t, call(demandeLogementRequest(nu))).anomalies, ['CTRL_DEM_0001'], 'erased one year after its radiation')
})

t.test('SUP erases the demande; its number stays taken', async (t) => {
  const call = setup(t)
  const nu = ok(t, call(numUniqueRequest(demandeDocument()))).nu!
  const sup = ok(t, call(numUniqueRequest(demandeDocument({ typeFichier: 'SUP', nu }))))
  t.equal(textAt(sup.demande, 'personnePhysique', 'demandeur', 'nom'), ALPHA.nom, 'the answer shows the demande as it was')
  t.same(ok(t, call(demandeLogementRequest(nu))).anomalies, ['CTRL_DEM_0002'])
  t.same(ok(t, call(doublonsRequest(demandeDocument()))).doc.children?.find((c) => c.name === 'listeDoublons')?.children ?? [], [], 'no longer a duplicate candidate')
  t.same(readAnswer(...pair(call(numUniqueRequest(demandeDocument({ typeFichier: 'MOD', nu }))))).anomalies, ['CTRL_DEM_0002'])
  t.not(ok(t, call(numUniqueRequest(demandeDocument()))).nu, nu, 'never reallocated')
})

t.test('anomalies of getNumUnique', async (t) => {
  const call = setup(t)
  const cases: Array<[string, string, string]> = [
    [demandeDocument({ typeFichier: 'MOD', nu: '075012499999' + '9G1226' }), 'CTRL_DEM_0001', 'unknown numéro unique'],
    [demandeDocument({ nu: '075012400000' + '1G1226' }), 'CTRL_DEM_0003', 'a creation carries no numéro unique'],
    [demandeDocument({ typeFichier: 'MOD' }), 'CTRL_DEM_0004', 'MOD without numéro unique (spec rule)'],
    [demandeDocument({ typeFichier: 'DIS' }), 'CTRL_DEM_0005', 'a file type the SNE sends, not receives'],
    [demandeDocument({ communes: ['99100'] }), 'CTRL_DEM_0006', 'no territory'],
    [demandeDocument({ dateCreation: '2024-03-01' }), 'CTRL_DEM_0008', 'future date (spec rule)'],
    [demandeDocument({ communes: Array.from({ length: 11 }, () => '75113') }), 'CTRL_DEM_0019', 'more than 10 communes (spec rule)']
  ]
  for (const [doc, code, what] of cases) {
    const a = ok(t, call(numUniqueRequest(doc)))
    t.same(a.anomalies, [code], what)
    t.equal(a.nu === undefined || doc.includes('numUnique'), true, `${what}: no numéro unique allocated`)
  }
  const mismatch = ok(t, call(numUniqueRequest(demandeDocument(), { guichet: 'G9999' })))
  t.same(mismatch.anomalies, ['CTRL_DEM_0018'], 'file name guichet ≠ numGuichet (spec rule)')
  t.match(ok(t, call(numUniqueRequest(demandeDocument({ typeFichier: 'MOD', nu: '075012499999' + '9G1226' })))).doc, {
    children: [{ name: 'entete' }, { name: 'demande', children: [{ children: [{ name: 'numGuichet' }] }] }]
  }, 'the demande is echoed with its listeAnomalie')
})

t.test('inline base64 requests are accepted, and answered in kind: plain SOAP 1.2, the document inline', async (t) => {
  const call = setup(t)
  const res = call(numUniqueRequest(demandeDocument(), { inline: true }))
  t.equal(res.contentType, 'application/soap+xml; charset=utf-8; action="http://ws.metier.nuu.application.i2/getNumUniqueResponse"', 'not multipart')
  const message = decodeSoapMessage(res.body, res.contentType)
  t.same(message.includes, [], 'no xop:Include')
  t.equal(message.payload?.local, 'numUniqueReponse')
  t.match(message.payload?.children[0]?.text, /^[A-Za-z0-9+/]+=*$/, 'fichierReponse holds base64')
  const a = ok(t, res)
  t.match(a.nu, /^0750124\d{6}G1226$/)
})

t.test('an inline request whose Accept names application/xop+xml is answered with MTOM, as JAX-WS does', async (t) => {
  time.set('2024-01-10T09:00:00.000Z')
  const store = openStore()
  t.teardown(() => store.close())
  const handler = createSoapHandler({ spec, service: createDemandeService({ store, clock: time.clock, answerVersion: '02.01' }) })
  const req = numUniqueRequest(demandeDocument(), { inline: true })
  const res = handler.handle(req.body, req.contentType, undefined, 'application/soap+xml, application/xop+xml; q=0.9, text/html')
  t.match(res.contentType, /^multipart\/related; type="application\/xop\+xml"/)
  t.equal(decodeSoapMessage(res.body, res.contentType).includes[0]?.owner.local, 'fichierReponse')
  t.equal(wantsMtom('application/soap+xml', 'application/soap+xml'), false)
  t.equal(wantsMtom('Multipart/Related; type="application/xop+xml"', undefined), true)
  t.equal(wantsMtom('application/soap+xml', 'application/xop+xmlfoo'), false, 'another media type')
})

t.test('a 02.00 file is answered in 02.00, without events', async (t) => {
  const call = setup(t)
  const a = ok(t, call(numUniqueRequest(demandeDocument({ version: '02.00' }))))
  t.equal(a.doc.attrs?.[0]?.value, '02.00')
  t.same(a.events, [])
  t.same(ok(t, call(demandeLogementRequest(a.nu!))).events, ['EVT_CREATION', 'EVT_VALIDATION'], 'read back in the newest version, with events')
})

t.test('events reported by a guichet are recorded once', async (t) => {
  const call = setup(t)
  const nu = ok(t, call(numUniqueRequest(demandeDocument()))).nu!
  time.set('2024-03-01T10:00:00.000Z')
  const cal = { code: 'EVT_INSCRIPTION_CAL', date: '2024-02-28T14:00:00.000Z' }
  const mod = ok(t, call(numUniqueRequest(demandeDocument({ typeFichier: 'MOD', nu, events: [cal, { code: 'EVT_RADIATION', date: '2024-02-28T14:00:00.000Z' }] }))))
  t.same(mod.events, ['EVT_CREATION', 'EVT_VALIDATION', 'EVT_INSCRIPTION_CAL'], 'lifecycle events are never taken from a file')
  const again = ok(t, call(numUniqueRequest(demandeDocument({ typeFichier: 'MOD', nu, events: [cal] }))))
  t.same(again.events, ['EVT_CREATION', 'EVT_VALIDATION', 'EVT_INSCRIPTION_CAL'], 'sent back unchanged: not doubled')
})

t.test('getDoublons matches nom + prénom + date de naissance of demandeur or cotitulaire', async (t) => {
  const call = setup(t)
  const beta = { nom: 'FICTIF-BÊTA', prenom: 'Jean-Test', dateNaissance: '1990-05-05' }
  const first = ok(t, call(numUniqueRequest(demandeDocument()))).nu!
  const second = ok(t, call(numUniqueRequest(demandeDocument({ demandeur: { nom: 'AUTRE', prenom: 'Nom', dateNaissance: '1970-01-01' }, cotitulaire: beta })))).nu!
  call(numUniqueRequest(demandeDocument({ demandeur: { ...ALPHA, dateNaissance: '1985-01-21' } })))
  const probe = demandeDocument({ demandeur: { nom: 'fictif alpha', prenom: 'TEST UN', dateNaissance: ALPHA.dateNaissance }, cotitulaire: { ...beta, nom: 'Fictif-Beta' } })
  const res = ok(t, call(doublonsRequest(probe)))
  const doublons = res.doc.children?.find((c) => c.name === 'listeDoublons')?.children ?? []
  t.same(doublons.map((d) => [textAt(d, 'numUnique'), textAt(d, 'nom')]), [[first, ALPHA.nom], [second, beta.nom]], 'case, accents and punctuation do not matter; another birth date does')
  const morale = call(doublonsRequest(demandeDocument({ personneMorale: true })))
  t.equal(morale.statusCode, 500, 'a personne morale: the SNE\'s generic error')
  t.equal(morale.outcome, 'fault')
  t.match(morale.body.toString(), /<env:Text xml:lang="fr">Une erreur inattendue est survenue lors du traitement de la demande.<\/env:Text>/)
  t.match(morale.body.toString(), /gw:GW_SIM_SNE_ERROR/)
})

t.test('declarationNouveauDalo and getNouveauxDaloDepuisLe', async (t) => {
  const call = setup(t)
  const withDalo = ok(t, call(numUniqueRequest(demandeDocument({ dalo: { statut: 'ACTIF', date: '2023-12-01' } })))).nu!
  const nu = ok(t, call(numUniqueRequest(demandeDocument()))).nu!
  time.set('2024-02-01T10:00:00.000Z')
  const declared = ok(t, call(declarationDaloRequest(nu, '2024-01-30', 'ACTIF', '23')))
  t.equal(codeAt(declared.demande, 'dalo', 'statutDalo'), 'ACTIF')
  t.equal(textAt(declared.demande, 'dalo', 'dateDecisionDalo'), '2024-01-30')
  t.equal(codeAt(declared.demande, 'dalo', 'typologieLogementDalo'), '23')
  const all = ok(t, call(daloSinceRequest('2024-01-01T00:00:00Z')))
  t.same(all.demandes.map((d) => textAt(d, 'numUnique')), [withDalo, nu], 'oldest declaration first')
  t.same(ok(t, call(daloSinceRequest('2024-01-15T00:00:00Z'))).demandes.map((d) => textAt(d, 'numUnique')), [nu])
  t.same(ok(t, call(declarationDaloRequest('075012499999' + '9G1226', '2024-01-30', 'ACTIF'))).anomalies, ['CTRL_DEM_0001'])
  t.same(ok(t, call(declarationDaloRequest(nu, '2024-03-30', 'ACTIF'))).anomalies, ['CTRL_DEM_0008'], 'a decision in the future')
  time.set('2024-02-02T10:00:00.000Z')
  const modified = ok(t, call(numUniqueRequest(demandeDocument({ typeFichier: 'MOD', nu }))))
  t.equal(codeAt(modified.demande, 'dalo', 'statutDalo'), 'ACTIF', 'a MOD without a dalo block keeps the recorded decision')
  t.same(ok(t, call(daloSinceRequest('2024-01-15T00:00:00Z'))).demandes.map((d) => textAt(d, 'numUnique')), [nu], 'and its declaration instant')
  call(declarationDaloRequest(nu, '2024-01-31', 'CADUC'))
  t.same(ok(t, call(daloSinceRequest('2024-01-15T00:00:00Z'))).demandes, [], 'no longer ACTIF')
})

t.test('malformed and invalid messages are SOAP 1.2 Faults', async (t) => {
  const call = setup(t)
  const broken = call({ contentType: 'application/soap+xml', body: Buffer.from('<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>') })
  t.equal(broken.statusCode, 400)
  t.equal(broken.outcome, 'fault')
  t.equal(broken.contentType, 'application/soap+xml; charset=utf-8')
  t.match(broken.body.toString(), /<env:Value>env:Sender<\/env:Value><env:Subcode><env:Value>gw:GW_SIM_INVALID_REQUEST<\/env:Value>/)
  t.match(broken.body.toString(), /<gw:code>GW_SOAP_XML_TRUNCATED<\/gw:code>/, 'the violations in the Detail')
  const schema = call(numUniqueRequest(demandeDocument().replace('<ns1:civilite code="2"/>', '<ns1:civilite code="9"/>')))
  t.equal(schema.statusCode, 400)
  t.match(schema.body.toString(), /GW_SCHEMA_ENUMERATION/)
  const media = call({ contentType: 'application/json', body: Buffer.from('{}') })
  t.equal(media.statusCode, 415, 'the codec\'s status for an unsupported media type')
})

function pair (res: SoapResponse): [string, Buffer] {
  return [res.contentType, res.body]
}

t.test('a date in the year 10000 is answered as an anomaly, never a 500', async (t) => {
  const call = setup(t)
  for (const o of [{ dateCreation: '10000-01-10' }, { dateFichier: '10000-01-10T10:00:00.000+01:00' }]) {
    const res = call(numUniqueRequest(demandeDocument(o)))
    t.equal(res.statusCode, 200, JSON.stringify(o))
    t.equal(res.outcome, 'anomaly')
    t.ok(readAnswer(res.contentType, res.body).anomalies.length > 0)
  }
})
