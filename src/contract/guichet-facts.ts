/**
 * What a message says about guichets, read from the message itself for the guichets'
 * authorization (`src/guichets/`): the guichets its file names carry (`nomFichierDemande`
 * `DEM<guichet>-…`, `nomCertificat` `CER<guichet>-…`), the `numGuichet` of every demande of every
 * document it carries, and every numéro unique it operates on (the wrapper's `numUnique`, each
 * demande's). `complete` is false when a document could not be decoded strictly and parsed: the
 * authorization then refuses the call rather than decide on part of it.
 */
import { child, demandes } from './rules/tree.js'
import type { XmlDocument, XmlElement } from '../soap/types.js'

export interface GuichetFacts {
  /** the guichet of each file name present; '' for a file name that names none */
  fileGuichets: string[]
  /** the numGuichet of every demande, in document order ('' when a demande has none) */
  documentGuichets: string[]
  /** every numéro unique the call operates on */
  numUniques: string[]
  /** false when a carried document could not be decoded strictly and parsed */
  complete: boolean
}

/** The wrapper children whose values name a guichet, and the prefix before it. */
const FILE_NAMES: ReadonlyArray<[string, string]> = [['nomFichierDemande', 'DEM'], ['nomCertificat', 'CER']]
/**
 * Every wrapper child and every demandeLogement child whose text the facts read: the byte scanner
 * of mode off (identify-scanner.ts) keeps the text of these and of no other element, so a fact
 * read from another element must be added here.
 */
export const PAYLOAD_FACT_NAMES: readonly string[] = [...FILE_NAMES.map(([name]) => name), 'numUnique']
export const DEMANDE_FACT_NAMES: readonly string[] = ['numGuichet', 'numUnique']
const FILE_GUICHET = /^[A-Z]{3}([A-Z0-9]{5})-/

export function guichetFacts (payload: XmlElement, documents: ReadonlyArray<XmlDocument | undefined>): GuichetFacts {
  const fileGuichets: string[] = []
  for (const [name, prefix] of FILE_NAMES) {
    for (const el of payload.children.filter((c) => c.local === name)) {
      const value = el.text.trim()
      fileGuichets.push(value.startsWith(prefix) ? (FILE_GUICHET.exec(value)?.[1] ?? '') : '')
    }
  }
  const numUniques = payload.children.filter((c) => c.local === 'numUnique').map((c) => c.text.trim())
  const documentGuichets: string[] = []
  let complete = true
  for (const doc of documents) {
    if (doc === undefined) {
      complete = false
      continue
    }
    for (const d of demandes(doc.root)) {
      documentGuichets.push(child(d, 'numGuichet')?.text.trim() ?? '')
      const nu = child(d, 'numUnique')?.text.trim()
      if (nu !== undefined) numUniques.push(nu)
    }
  }
  return { fileGuichets, documentGuichets, numUniques, complete }
}
