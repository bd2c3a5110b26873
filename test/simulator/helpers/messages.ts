// Test helpers: interfaceNuu documents, SOAP requests as a guichet's software writes them
// (docs/sne-reference.md §4.2), and readers for the simulator's answers. Names are fictional.
import { decodeSoapMessage } from '../../../src/soap/message.js'
import { buildMtomMessage } from '../../../src/soap/mtom-writer.js'
import { parseXml } from '../../../src/soap/xml-reader.js'
import { fromElement, textAt, codeAt, at, childrenNamed, child } from '../../../src/simulator/demande-tree.js'
import type { XmlNode } from '../../../src/simulator/xml-writer.js'
import { defaultSpecDir, loadSpec } from '../../../src/contract/index.js'
import type { InterfaceSpec } from '../../../src/contract/types.js'

export const WS = 'http://ws.metier.nuu.application.i2/'

export interface Person {
  nom: string
  prenom: string
  dateNaissance: string
}

export interface DemandeOptions {
  typeFichier?: string
  version?: string
  guichet?: string
  nu?: string
  dateCreation?: string
  dateFichier?: string
  communes?: string[]
  demandeur?: Person
  cotitulaire?: Person
  /** leave out the rubriques that make a demande complete */
  incomplete?: boolean
  personneMorale?: boolean
  dalo?: { statut: string, date: string }
  radiation?: { motif: string, sousMotif?: string, attribution?: boolean }
  events?: Array<{ code: string, date: string }>
}

export const ALPHA: Person = { nom: 'FICTIF-ALPHA', prenom: 'Test-Un', dateNaissance: '1985-01-20' }

/** An interfaceNuu document in the style of the real sample (ns1 prefix, standalone). */
export function demandeDocument (o: DemandeOptions = {}): string {
  const version = o.version ?? '02.01'
  const guichet = o.guichet ?? 'G1226'
  const d = o.demandeur ?? ALPHA
  const communes = o.communes ?? ['75113', '94080']
  const person = o.personneMorale === true
    ? '<ns1:personneMorale><ns1:raisonSociale>Association Fictive</ns1:raisonSociale>' +
      '<ns1:adressePostale><ns1:etranger>false</ns1:etranger><ns1:codePostal>75013</ns1:codePostal><ns1:commune code="75113"/></ns1:adressePostale></ns1:personneMorale>'
    : '<ns1:personnePhysique><ns1:demandeur><ns1:civilite code="2"/>' +
      `<ns1:nom>${d.nom}</ns1:nom><ns1:prenom>${d.prenom}</ns1:prenom><ns1:dateNaissance>${d.dateNaissance}</ns1:dateNaissance>` +
      '<ns1:nationalite code="1"/>' +
      (o.incomplete === true
        ? ''
        : '<ns1:adressePostale><ns1:etranger>false</ns1:etranger><ns1:numero>1</ns1:numero><ns1:voie>rue de l\'Exemple</ns1:voie><ns1:codePostal>75013</ns1:codePostal><ns1:commune code="75113"/></ns1:adressePostale>' +
          '<ns1:situationProfessionnelle><ns1:typeContratTravail code="CDI"/></ns1:situationProfessionnelle>' +
          '<ns1:revenuFiscal><ns1:anneeMoins1>2023</ns1:anneeMoins1><ns1:montantMoins1>21000</ns1:montantMoins1><ns1:anneeMoins2>2022</ns1:anneeMoins2></ns1:revenuFiscal>') +
      '</ns1:demandeur>' +
      (o.cotitulaire === undefined
        ? ''
        : `<ns1:listeCotitulaire><ns1:cotitulaire><ns1:civilite code="1"/><ns1:nom>${o.cotitulaire.nom}</ns1:nom><ns1:prenom>${o.cotitulaire.prenom}</ns1:prenom>` +
          `<ns1:dateNaissance>${o.cotitulaire.dateNaissance}</ns1:dateNaissance><ns1:nationalite code="1"/><ns1:lienDemandeur code="M"/></ns1:cotitulaire></ns1:listeCotitulaire>`) +
      (o.incomplete === true ? '' : '<ns1:logementActuel><ns1:listeModeleLogement><ns1:modeleLogement code="LP"/></ns1:listeModeleLogement></ns1:logementActuel>') +
      '</ns1:personnePhysique>'
  const radiation = o.radiation === undefined
    ? ''
    : `<ns1:radiation><ns1:motif code="${o.radiation.motif}"/>` +
      (o.radiation.sousMotif === undefined ? '' : `<ns1:sousMotif code="${o.radiation.sousMotif}"/>`) +
      (o.radiation.attribution === true
        ? '<ns1:attribution><ns1:idLogementRPLS>0750000123456</ns1:idLogementRPLS><ns1:typeLogementRPLS code="T3"/><ns1:contingent code="PPRIOR"/>' +
          '<ns1:accordCollectif code="ACD"/><ns1:zus code="ZUSNON"/><ns1:dalo code="OUI"/></ns1:attribution>'
        : '') +
      '</ns1:radiation>'
  const events = o.events === undefined
    ? ''
    : '<ns1:listeEvenement>' + o.events.map((e) =>
      `<ns1:evenement code="${e.code}"><ns1:libelle>x</ns1:libelle><ns1:dateEvenement>${e.date}</ns1:dateEvenement><ns1:guichet>${guichet}</ns1:guichet></ns1:evenement>`).join('') +
      '</ns1:listeEvenement>'
  return '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    `<ns1:interfaceNuu versionInterface="${version}" xmlns:ns1="http://nuu.application.i2/">` +
    `<ns1:entete><ns1:typeFichier>${o.typeFichier ?? 'CRE'}</ns1:typeFichier><ns1:dateFichier>${o.dateFichier ?? '2024-01-10T10:00:00.000+01:00'}</ns1:dateFichier></ns1:entete>` +
    '<ns1:demande><ns1:demandeLogement>' +
    `<ns1:numGuichet>${guichet}</ns1:numGuichet>` +
    (o.nu === undefined ? '' : `<ns1:numUnique>${o.nu}</ns1:numUnique>`) +
    `<ns1:dateCreationDemande>${o.dateCreation ?? '2024-01-10'}</ns1:dateCreationDemande>` +
    person +
    (o.incomplete === true || o.personneMorale === true ? '' : '<ns1:listeMotifDemande><ns1:motifDemande code="13"/></ns1:listeMotifDemande>') +
    (o.dalo === undefined ? '' : `<ns1:dalo><ns1:statutDalo code="${o.dalo.statut}"/><ns1:dateDecisionDalo>${o.dalo.date}</ns1:dateDecisionDalo></ns1:dalo>`) +
    '<ns1:logementRecherche><ns1:demandeElargie>true</ns1:demandeElargie><ns1:listeTypeLogement><ns1:typeLogement code="T3"/></ns1:listeTypeLogement>' +
    '<ns1:listeLocalisationSouhaite>' + communes.map((c) => `<ns1:localisationSouhaite><ns1:commune code="${c}"/></ns1:localisationSouhaite>`).join('') +
    '</ns1:listeLocalisationSouhaite></ns1:logementRecherche>' +
    radiation + events +
    '</ns1:demandeLogement></ns1:demande></ns1:interfaceNuu>\n'
}

export interface SoapRequest {
  contentType: string
  body: Buffer
}

const CERT = (guichet: string): string => `<nomCertificat>CER${guichet}-202401101000.pem</nomCertificat>`

function envelope (wrapper: string, inner: string): string {
  return `<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" xmlns:ws="${WS}">\n  <soap:Header/>\n  <soap:Body>\n` +
    `    <ws:${wrapper}>\n${inner}    </ws:${wrapper}>\n  </soap:Body>\n</soap:Envelope>`
}

function request (operation: string, env: string, document?: string): SoapRequest {
  return buildMtomMessage({
    envelope: env,
    action: `${WS}${operation}`,
    parts: document === undefined
      ? []
      : [{ contentId: 'xml_id', contentType: 'text/xml; charset=UTF-8', transferEncoding: '8bit', disposition: 'attachment; name="xml_id"', body: Buffer.from(document) }]
  })
}

/** getNumUnique with the document as an MTOM attachment (or inline base64). */
export function numUniqueRequest (document: string, options: { guichet?: string, inline?: boolean } = {}): SoapRequest {
  const guichet = options.guichet ?? /<ns1:numGuichet>(G\d{4})</.exec(document)?.[1] ?? 'G1226'
  const file = `      <nomFichierDemande>DEM${guichet}-202401101000-000000.xml</nomFichierDemande>\n`
  if (options.inline === true) {
    const env = envelope('numUniqueParametres', file +
      `      <fichierDemande ws:contentType="text/xml">${Buffer.from(document).toString('base64')}</fichierDemande>\n      ${CERT(guichet)}\n`)
    return { contentType: 'application/soap+xml; charset=UTF-8; action="http://ws.metier.nuu.application.i2/getNumUnique"', body: Buffer.from(env) }
  }
  const env = envelope('numUniqueParametres', file +
    '      <fichierDemande ws:contentType="text/xml"><xop:Include href="cid:xml_id" xmlns:xop="http://www.w3.org/2004/08/xop/include"/></fichierDemande>\n' +
    `      ${CERT(guichet)}\n`)
  return request('getNumUnique', env, document)
}

export function demandeLogementRequest (nu: string): SoapRequest {
  return request('getDemandeLogement', envelope('demandeLogementParametres', `      <numUnique>${nu}</numUnique>\n      ${CERT('G1226')}\n`))
}

export function doublonsRequest (document: string): SoapRequest {
  const env = envelope('rechercheDoublonsParametres', '      <nomFichierDemande>DEMG1226-202401101000-000000.xml</nomFichierDemande>\n' +
    '      <fichierDemande ws:contentType="text/xml"><xop:Include href="cid:xml_id" xmlns:xop="http://www.w3.org/2004/08/xop/include"/></fichierDemande>\n')
  return request('getDoublons', env, document)
}

export function daloSinceRequest (since: string): SoapRequest {
  return request('getNouveauxDaloDepuisLe', envelope('nouveauxDaloDepuisLeParametres', `      <dateNouveauDaloDepuisLe>${since}</dateNouveauDaloDepuisLe>\n      ${CERT('G1226')}\n`))
}

export function radieesSinceRequest (since: string): SoapRequest {
  return request('getDemandesRadieesDepuisLe', envelope('demandesRadieesDepuisLeParametres', `      <dateRadiationDepuisLe>${since}</dateRadiationDepuisLe>\n      ${CERT('G1226')}\n`))
}

export function declarationDaloRequest (nu: string, date: string, statut: string, typologie?: string): SoapRequest {
  return request('declarationNouveauDalo', envelope('declarationNouveauDaloParametres',
    `      <numUnique>${nu}</numUnique>\n      <dateDecisionDalo>${date}</dateDecisionDalo>\n      <statutDalo>${statut}</statutDalo>\n` +
    (typologie === undefined ? '' : `      <typologieLogementDalo>${typologie}</typologieLogementDalo>\n`) + `      ${CERT('G1226')}\n`))
}

/** What a test reads from an answer: the interfaceNuu document, as bytes and as a tree. */
export interface ReadAnswer {
  bytes: Buffer
  doc: XmlNode
  /** the first demandeLogement, if any */
  demande: XmlNode | undefined
  demandes: XmlNode[]
  nu: string | undefined
  anomalies: string[]
  events: string[]
}

/** Decodes an MTOM answer with the project's own codec and reads its fichierReponse document. */
export function readAnswer (contentType: string, body: Buffer): ReadAnswer {
  const message = decodeSoapMessage(body, contentType)
  const include = message.includes.find((i) => i.owner.local === 'fichierReponse')
  // an MTOM answer carries the document as an attachment, a plain one as inline base64
  const inline = message.payload?.children.find((c) => c.local === 'fichierReponse')?.text
  if (include === undefined && (inline === undefined || inline === '')) throw new Error('no fichierReponse')
  const bytes = include?.part.body ?? Buffer.from(inline!, 'base64')
  const doc = fromElement(parseXml(bytes).root)
  const demandes = childrenNamed(doc, 'demande').map((d) => child(d, 'demandeLogement')!)
  const demande = demandes[0]
  const anomalyNodes = [...childrenNamed(child(doc, 'listeAnomalie'), 'anomalie'), ...childrenNamed(child(demande, 'listeAnomalie'), 'anomalie')]
  return {
    bytes,
    doc,
    demande,
    demandes,
    nu: textAt(demande, 'numUnique'),
    anomalies: anomalyNodes.map((a) => a.attrs?.find((x) => x.name === 'code')?.value ?? ''),
    events: childrenNamed(child(demande, 'listeEvenement'), 'evenement').map((e) => e.attrs?.find((x) => x.name === 'code')?.value ?? '')
  }
}

export { textAt, codeAt, at, childrenNamed, child }

/** A movable clock. */
export function movableClock (start: string): { clock: () => Date, set (iso: string): void } {
  let now = new Date(start)
  return { clock: () => new Date(now), set (iso) { now = new Date(iso) } }
}

/** The repository's spec, with the given clock for the no-future-date rule. */
export async function testSpec (clock: () => Date): Promise<InterfaceSpec> {
  return await loadSpec({ dir: defaultSpecDir(), clock })
}
