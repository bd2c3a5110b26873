/**
 * The radiation rules (docs/sne-reference.md §6 ListeMotifsRadiation, §8, §13.3): a RAD file names its
 * motif (an empty motif code is a réactivation, allowed, but the element must be there);
 * RADIRR (irrecevabilité) needs its sous-motif; RADATT (attribution) the attribution data.
 */
import { at, attr, child, demandes, typeFichier } from './tree.js'
import type { Rule } from './types.js'
import type { XmlDocument, XmlElement } from '../../soap/types.js'

export const radiationMotifRequired: Rule = ({ doc, part }) => {
  if (typeFichier(doc.root) !== 'RAD') return []
  return demandes(doc.root)
    .filter((d) => child(child(d, 'radiation'), 'motif') === undefined)
    .map((d) => at(d, 'GW_SPEC_RADIATION_MOTIF_REQUIRED', 'typeFichier RAD requires radiation/motif (an empty code for a réactivation)', part, '/radiation/motif'))
}

function radiations (doc: XmlDocument): XmlElement[] {
  return demandes(doc.root).map((d) => child(d, 'radiation')).filter((r): r is XmlElement => r !== undefined)
}

function motifCode (radiation: XmlElement): string | undefined {
  return attr(child(radiation, 'motif'), 'code')?.trim()
}

export const sousMotifRequired: Rule = ({ doc, part }) => radiations(doc)
  .filter((r) => motifCode(r) === 'RADIRR' && (attr(child(r, 'sousMotif'), 'code')?.trim() ?? '') === '')
  .map((r) => at(r, 'GW_SPEC_SOUS_MOTIF_REQUIRED', 'radiation motif RADIRR requires a sousMotif (IRRSEJ or IRRRES)', part, '/sousMotif'))

export const attributionRequired: Rule = ({ doc, part }) => radiations(doc)
  .filter((r) => motifCode(r) === 'RADATT' && (child(r, 'attribution')?.children.length ?? 0) === 0)
  .map((r) => at(r, 'GW_SPEC_ATTRIBUTION_REQUIRED', 'radiation motif RADATT requires the attribution data', part, '/attribution'))
