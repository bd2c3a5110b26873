/**
 * The interfaceNuu documents the simulator answers (carried in `fichierReponse`): one or more
 * demandes with their events, a list of duplicates, or anomalies alone. Written with the
 * `ns2:` prefix the libsne client expects (docs/sne-reference.md §4.3), entete typeFichier RET (the
 * "retour" file type of ListeTypeFichier) and the clock's instant as dateFichier.
 */
import type { Anomaly } from './anomalies.js'
import { toDateTime } from './clock.js'
import { DEMANDE_ORDER, NUU_NS, leaf, withChildren } from './demande-tree.js'
import { EVENT_LABELS, type EventCode, versionHasEvents } from './national-events.js'
import type { EventRecord, PersonMatch } from './store.js'
import { type XmlNode, writeXml } from './xml-writer.js'

/** What an operation answers: the document, and the anomaly codes it carries (for logs and counters). */
export interface Answer {
  xml: string
  anomalies: string[]
}

/** A demande to write: its stored demandeLogement and its events. */
export interface AnsweredDemande {
  content: XmlNode
  events: EventRecord[]
}

function anomalyList (anomalies: Anomaly[]): XmlNode {
  return {
    name: 'listeAnomalie',
    children: anomalies.map((a) => ({ name: 'anomalie', attrs: [{ name: 'code', value: a.code }], children: [leaf('message', a.message)] }))
  }
}

function eventList (events: EventRecord[]): XmlNode {
  return {
    name: 'listeEvenement',
    children: events.map((e) => ({
      name: 'evenement',
      attrs: [{ name: 'code', value: e.code }],
      children: [leaf('libelle', EVENT_LABELS[e.code as EventCode] ?? e.code), leaf('dateEvenement', e.at), leaf('guichet', e.guichet)]
    }))
  }
}

/** The `demande` element of an answer: the demandeLogement with its events (02.01+) and anomalies. */
export function demandeElement (demande: AnsweredDemande, versionInterface: string, anomalies: Anomaly[] = []): XmlNode {
  const demandeLogement = withChildren(demande.content, DEMANDE_ORDER, {
    listeEvenement: versionHasEvents(versionInterface) && demande.events.length > 0 ? eventList(demande.events) : undefined,
    listeAnomalie: anomalies.length > 0 ? anomalyList(anomalies) : undefined
  })
  return { name: 'demande', children: [demandeLogement] }
}

export interface DocumentParts {
  versionInterface: string
  now: Date
  demandes?: XmlNode[]
  doublons?: PersonMatch[]
  /** anomalies not tied to a demande */
  anomalies?: Anomaly[]
}

/** Writes an answer document. */
export function answerDocument (parts: DocumentParts): string {
  const children: XmlNode[] = [{ name: 'entete', children: [leaf('typeFichier', 'RET'), leaf('dateFichier', toDateTime(parts.now))] }]
  children.push(...(parts.demandes ?? []))
  if (parts.doublons !== undefined) {
    children.push({
      name: 'listeDoublons',
      children: parts.doublons.map((d) => ({
        name: 'doublon',
        children: [leaf('numUnique', d.nu), leaf('nom', d.nom), leaf('prenom', d.prenom), leaf('dateNaissance', d.dateNaissance), leaf('numGuichet', d.guichet)]
      }))
    })
  }
  if (parts.anomalies !== undefined && parts.anomalies.length > 0) children.push(anomalyList(parts.anomalies))
  const root: XmlNode = { name: 'interfaceNuu', attrs: [{ name: 'versionInterface', value: parts.versionInterface }], children }
  return writeXml(root, { uri: NUU_NS, prefix: 'ns2' })
}

