/**
 * The messages every target is loaded with, built as the SNE reference client writes them
 * (docs/sne-reference.md §4.2: MTOM, the certificate part then the document part) from the repository's
 * examples: the ~4 KB getNumUnique CRE, a getDemandeLogement, and a getDemandeLogement carrying a
 * 1 MiB certificate attachment. Plus sized messages for the validation micro-benchmarks.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { decodeSoapMessage } from '../../src/soap/message.js'
import { buildMtomMessage } from '../../src/soap/mtom-writer.js'

export const WS_NS = 'http://ws.metier.nuu.application.i2/'

export interface BenchMessage {
  /** short stable name, used in file names and tables */
  name: string
  /** what the tables show */
  label: string
  operation: string
  contentType: string
  body: Buffer
  /** the upstream writes state for it (the simulator allocates a numéro unique per CRE) */
  write: boolean
}

export interface MessageSources {
  envelopes: { getNumUnique: string, getDemandeLogement: string }
  cre: Buffer
}

/** Reads the example envelopes and the CRE document. */
export async function readMessageSources (examplesDir: string): Promise<MessageSources> {
  const [getNumUnique, getDemandeLogement, cre] = await Promise.all([
    readFile(join(examplesDir, 'envelopes', 'getNumUnique.xml'), 'utf8'),
    readFile(join(examplesDir, 'envelopes', 'getDemandeLogement.xml'), 'utf8'),
    readFile(join(examplesDir, 'documents', 'cre.xml'))
  ])
  return { envelopes: { getNumUnique, getDemandeLogement }, cre }
}

/** Whole PEM certificates repeated up to at least `bytes` (a certificate bundle of that size). */
export function certificateBundle (pem: Buffer, bytes: number): Buffer {
  if (pem.length === 0) throw new Error('empty certificate')
  const withEol = pem[pem.length - 1] === 0x0a ? pem : Buffer.concat([pem, Buffer.from('\n')])
  const copies = Math.max(1, Math.ceil(bytes / withEol.length))
  return Buffer.concat(Array.from({ length: copies }, () => withEol))
}

/** The getDemandeLogement envelope asking for `numUnique`. */
export function withNumUnique (envelope: string, numUnique: string): string {
  if (!/^[0-9A-Z]{18}$/.test(numUnique)) throw new Error(`not a numéro unique: ${numUnique}`)
  const element = /<numUnique>[^<]*<\/numUnique>/
  if (!element.test(envelope)) throw new Error('no numUnique element in the envelope')
  return envelope.replace(element, `<numUnique>${numUnique}</numUnique>`)
}

function certificatePart (certificate: Buffer): { contentId: string, contentType: string, transferEncoding: string, disposition: string, body: Buffer } {
  return { contentId: 'certificate', contentType: 'application/octet-stream', transferEncoding: 'BASE64', disposition: 'attachment', body: certificate }
}

/** getNumUnique with a CRE document, MTOM, as the reference client sends it. */
export function creMessage (sources: MessageSources, certificate: Buffer): { contentType: string, body: Buffer } {
  return buildMtomMessage({
    envelope: sources.envelopes.getNumUnique,
    action: `${WS_NS}getNumUnique`,
    parts: [
      certificatePart(certificate),
      { contentId: 'xml_id', contentType: 'text/xml; charset=us-ascii', transferEncoding: '7bit', disposition: 'attachment; name="xml_id"', body: sources.cre }
    ]
  })
}

/** getDemandeLogement for `numUnique`, MTOM, with `certificate` as its attachment. */
export function demandeMessage (sources: MessageSources, numUnique: string, certificate: Buffer): { contentType: string, body: Buffer } {
  return buildMtomMessage({
    envelope: withNumUnique(sources.envelopes.getDemandeLogement, numUnique),
    action: `${WS_NS}getDemandeLogement`,
    parts: [certificatePart(certificate)]
  })
}

/**
 * getDemandeLogement with the certificate inline (base64 in the envelope, no MTOM): the size
 * then weighs on the XML reader and the XSD's base64Binary check rather than on the MIME split.
 */
export function inlineDemandeMessage (sources: MessageSources, numUnique: string, certificate: Buffer): { contentType: string, body: Buffer } {
  const envelope = withNumUnique(sources.envelopes.getDemandeLogement, numUnique)
  const b64 = certificate.toString('base64').replace(/.{76}/g, '$&\n')
  const inline = envelope.replace(/<xop:Include href="cid:certificate"[^>]*\/>/, b64)
  if (inline === envelope) throw new Error('no certificate include in the getDemandeLogement envelope')
  return {
    contentType: `application/soap+xml; charset=UTF-8; action="${WS_NS}getDemandeLogement"`,
    body: Buffer.from(inline, 'utf8')
  }
}

export interface BenchMessagesInput {
  sources: MessageSources
  /** the guichet's certificate (PEM) sent with the reads */
  certificatePem: Buffer
  /** a numéro unique the upstream knows (from a CRE answer) */
  numUnique: string
  /** decoded size of the large message's attachment (default 1 MiB) */
  attachmentBytes?: number
}

/** The three load messages, in table order. */
export function buildBenchMessages (input: BenchMessagesInput): BenchMessage[] {
  const big = certificateBundle(input.certificatePem, input.attachmentBytes ?? 1024 * 1024)
  const cre = creMessage(input.sources, Buffer.alloc(0))
  const demande = demandeMessage(input.sources, input.numUnique, input.certificatePem)
  const large = demandeMessage(input.sources, input.numUnique, big)
  return [
    { name: 'cre', label: 'getNumUnique CRE (MTOM)', operation: 'getNumUnique', ...cre, write: true },
    { name: 'demande', label: 'getDemandeLogement (MTOM)', operation: 'getDemandeLogement', ...demande, write: false },
    { name: 'attachment-1m', label: `getDemandeLogement + ${Math.round(big.length / 1024)} KiB attachment`, operation: 'getDemandeLogement', ...large, write: false }
  ]
}

/**
 * The numéro unique in an SNE answer: the `numUnique` of the interfaceNuu document carried by
 * `fichierReponse` (an MTOM attachment or inline base64).
 */
export function numUniqueOfAnswer (body: Buffer, contentType: string): string | undefined {
  const message = decodeSoapMessage(body, contentType)
  const holder = message.payload?.children.find((c) => c.local === 'fichierReponse')
  if (holder === undefined) return undefined
  const include = message.includes.find((i) => i.owner === holder)
  const document = include !== undefined ? include.part.body : Buffer.from(holder.text.replace(/\s+/g, ''), 'base64')
  const m = /<(?:[A-Za-z_][\w.-]*:)?numUnique>\s*([0-9A-Z]{18})\s*</.exec(document.toString('utf8'))
  return m?.[1]
}
