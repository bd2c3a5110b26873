/**
 * The SOAP message a REST call becomes: what an editor never has to write. From the route's
 * operation and the caller's JSON, it writes the interfaceNuu document (the entete's typeFichier
 * from the route, dateFichier now), the file names in the SNE's conventions
 * (`DEM<guichet>-<yyyyMMddHHmm>-<nnnnnn>.xml`, `CER<guichet>-<yyyyMMddHHmm>.pem`,
 * docs/sne-reference.md §4.2), the `certificat` part from the acting guichet's configuration
 * (empty when none is configured, as the reference client sends it), and the MTOM packaging in
 * the reference client's layout (`soap/mtom-writer.ts`). The clock, the MIME boundary and the file
 * sequence are injected, so that a test can compare a built message with a golden one.
 *
 * The message then goes through the same check and send as a SOAP client's (`routes/soap-call.ts`).
 */
import { randomBytes } from 'node:crypto'
import type { JsonContract } from '../contract/json-contract.js'
import { base64Lines, buildMtomMessage, type MtomPartInput } from '../soap/mtom-writer.js'
import { escapeXmlText } from '../soap/xml-escape.js'
import { API_INTERFACE_VERSION } from './route-table.js'

export const WS_NS = 'http://ws.metier.nuu.application.i2/'
const XOP_NS = 'http://www.w3.org/2004/08/xop/include'

/** What the message says of the guichet it acts for. */
export interface MessageCertificate {
  /** the certificate carried in the `certificat` part (PEM bytes; empty: none) */
  pem: Buffer
  /** the `nomCertificat`; default `CER<guichet>-<yyyyMMddHHmm>.pem` */
  name: string | undefined
}

export interface BuilderOptions {
  contract: JsonContract
  /** wall clock: dateFichier and the file names */
  clock: () => Date
  /** the MIME boundary of a message (default: random) */
  boundary?: () => string
  /** the six-digit sequence of `nomFichierDemande` (default: a counter, from a random start) */
  sequence?: () => number
  /** the UTC offset written in dates, in minutes east of UTC (default: the process's time zone) */
  offsetMinutes?: (at: Date) => number
}

/** What a REST call carries into its SOAP message. */
export type MessageInput =
  | { operation: 'getNumUnique', typeFichier: string, guichet: string, demandeLogement: Record<string, unknown> }
  | { operation: 'getDoublons', guichet: string, demandeLogement: Record<string, unknown> }
  | { operation: 'getDemandeLogement', guichet: string, numUnique: string }
  | { operation: 'getNouveauxDaloDepuisLe' | 'getDemandesRadieesDepuisLe', guichet: string, since: string }
  | { operation: 'declarationNouveauDalo', guichet: string, numUnique: string, dalo: { dateDecisionDalo: string, statutDalo: string, typologieLogementDalo?: string | undefined } }

export interface BuiltMessage {
  body: Buffer
  contentType: string
  /** `nomFichierDemande`, when the operation carries a file */
  fileName: string | undefined
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0')

/** `YYYY-MM-DDTHH:MM:SS.mmm±HH:MM` in the given offset (never `Z`: the SNE writes offsets). */
export function dateTimeWithOffset (at: Date, offsetMinutes: number): string {
  const local = new Date(at.getTime() + offsetMinutes * 60000)
  const sign = offsetMinutes < 0 ? '-' : '+'
  const abs = Math.abs(offsetMinutes)
  return `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}.${pad(local.getUTCMilliseconds(), 3)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
}

/** `yyyyMMddHHmm` in the given offset: the stamp of the SNE's file names. */
function fileStamp (at: Date, offsetMinutes: number): string {
  return dateTimeWithOffset(at, offsetMinutes).slice(0, 16).replace(/[-T:]/g, '')
}

/** The wrapper and the date child of the two "since" operations. */
const SINCE = {
  getNouveauxDaloDepuisLe: ['nouveauxDaloDepuisLeParametres', 'dateNouveauDaloDepuisLe'],
  getDemandesRadieesDepuisLe: ['demandesRadieesDepuisLeParametres', 'dateRadiationDepuisLe']
} as const

const include = (cid: string): string => `<xop:Include href="cid:${cid}" xmlns:xop="${XOP_NS}"/>`

/** One child element of the wrapper, on its own line (the reference layout). */
const child = (name: string, value: string): string => `      <${name}>${escapeXmlText(value)}</${name}>\n`
const fileChild = (name: string, cid: string, contentType: string): string => `      <${name} ws:contentType="${contentType}">${include(cid)}</${name}>\n`

function envelope (wrapper: string, children: string): string {
  return `<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" xmlns:ws="${WS_NS}">\n` +
    '  <soap:Header/>\n  <soap:Body>\n' +
    `    <ws:${wrapper}>\n${children}    </ws:${wrapper}>\n` +
    '  </soap:Body>\n</soap:Envelope>\n'
}

export interface MessageBuilder {
  /** the message of `input`; `certificate` is the acting guichet's (see MessageCertificate) */
  build (input: MessageInput, certificate: MessageCertificate): BuiltMessage
}

export function createMessageBuilder (options: BuilderOptions): MessageBuilder {
  const { contract, clock } = options
  // A random prefix per builder and a counter: unique per message, and no entropy drawn per call.
  const prefix = `uuid:${randomBytes(12).toString('hex')}-`
  let counter = 0
  const boundary = options.boundary ?? (() => `${prefix}${(counter = (counter + 1) % Number.MAX_SAFE_INTEGER).toString(16)}`)
  // The certificate part is the same in every message of a guichet: encoded once.
  const encodedCertificates = new WeakMap<Buffer, Buffer>()
  const encodedCertificate = (pem: Buffer): Buffer => {
    let encoded = encodedCertificates.get(pem)
    if (encoded === undefined) encodedCertificates.set(pem, encoded = base64Lines(pem))
    return encoded
  }
  let next = randomBytes(3).readUIntBE(0, 3) % 1000000
  const sequence = options.sequence ?? (() => { next = (next + 1) % 1000000; return next })
  const offsetOf = options.offsetMinutes ?? ((at: Date) => -at.getTimezoneOffset())

  /**
   * The interfaceNuu document of one demande, as the SNE's own documents are written, and its
   * 8bit part body: CRLF line ends (RFC 2045 §2.7-2.8). The writer's XML has LF line ends and
   * escapes every CR of a value (`&#xD;`), so the part body is written from the string in one
   * pass, rather than encoded to bytes and then converted by the MTOM writer (two searches of
   * every line end and a second copy, on the event loop for every creation: bench/RESULTS.md).
   * A raw CR (wildcard content) leaves the conversion to the MTOM writer, which keeps CRLFs.
   */
  function document (typeFichier: string, demandeLogement: Record<string, unknown>, at: Date, offset: number): { body: Buffer, encoded?: Buffer } {
    const json = {
      versionInterface: API_INTERFACE_VERSION,
      entete: { typeFichier, dateFichier: dateTimeWithOffset(at, offset) },
      demande: [{ demandeLogement }]
    }
    const xml = contract.toXml(json, { version: API_INTERFACE_VERSION })
    if (xml.includes('\r')) return { body: Buffer.from(xml, 'utf8') }
    const body = Buffer.from(xml.replaceAll('\n', '\r\n'), 'utf8')
    return { body, encoded: body }
  }

  return {
    build (input, certificate) {
      const at = clock()
      const offset = offsetOf(at)
      const stamp = fileStamp(at, offset)
      const certName = certificate.name ?? `CER${input.guichet}-${stamp}.pem`
      const certChildren = child('nomCertificat', certName) + fileChild('certificat', 'certificate', 'application/x-x509-ca-cert')
      const certPart = { contentId: 'certificate', contentType: 'application/octet-stream', transferEncoding: 'BASE64', disposition: 'attachment', body: certificate.pem, encoded: encodedCertificate(certificate.pem) }
      const docPart = (doc: { body: Buffer, encoded?: Buffer }): MtomPartInput =>
        ({ contentId: 'xml_id', contentType: 'text/xml; charset=UTF-8', transferEncoding: '8bit', disposition: 'attachment; name="xml_id"', ...doc })
      let fileName: string | undefined
      let env: string
      let parts
      switch (input.operation) {
        case 'getNumUnique':
        case 'getDoublons': {
          fileName = `DEM${input.guichet}-${stamp}-${pad(sequence(), 6)}.xml`
          const typeFichier = input.operation === 'getNumUnique' ? input.typeFichier : 'CRE'
          const doc = docPart(document(typeFichier, input.demandeLogement, at, offset))
          if (input.operation === 'getNumUnique') {
            env = envelope('numUniqueParametres', child('nomFichierDemande', fileName) + fileChild('fichierDemande', 'xml_id', 'text/xml') + certChildren)
            parts = [certPart, doc]
          } else {
            // getDoublons carries no certificate (docs/sne-reference.md §4.1).
            env = envelope('rechercheDoublonsParametres', child('nomFichierDemande', fileName) + fileChild('fichierDemande', 'xml_id', 'text/xml'))
            parts = [doc]
          }
          break
        }
        case 'getDemandeLogement':
          env = envelope('demandeLogementParametres', child('numUnique', input.numUnique) + certChildren)
          parts = [certPart]
          break
        case 'getNouveauxDaloDepuisLe':
        case 'getDemandesRadieesDepuisLe': {
          const [wrapper, since] = SINCE[input.operation]
          env = envelope(wrapper, child(since, input.since) + certChildren)
          parts = [certPart]
          break
        }
        case 'declarationNouveauDalo': {
          const d = input.dalo
          env = envelope('declarationNouveauDaloParametres', child('numUnique', input.numUnique) + child('dateDecisionDalo', d.dateDecisionDalo) +
            child('statutDalo', d.statutDalo) + (d.typologieLogementDalo === undefined ? '' : child('typologieLogementDalo', d.typologieLogementDalo)) + certChildren)
          parts = [certPart]
          break
        }
      }
      const built = buildMtomMessage({ envelope: env, action: WS_NS + input.operation, parts, boundary: boundary() })
      return { body: built.body, contentType: built.contentType, fileName }
    }
  }
}
