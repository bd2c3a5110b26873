/**
 * At most 10 communes souhaitées per demande since SNE V2 (2012, docs/sne-reference.md §8 [F S13]). The
 * violation points at the first commune over the limit.
 */
import { at, child, children, demandes } from './tree.js'
import type { Rule } from './types.js'

export const MAX_COMMUNES = 10

export const communesLimit: Rule = ({ doc, part }) => demandes(doc.root).flatMap((d) => {
  const wished = children(child(child(d, 'logementRecherche'), 'listeLocalisationSouhaite'), 'localisationSouhaite')
  if (wished.length <= MAX_COMMUNES) return []
  return [at(wished[MAX_COMMUNES]!, 'GW_SPEC_TOO_MANY_COMMUNES', `${wished.length} communes souhaitées, at most ${MAX_COMMUNES}`, part)]
})
