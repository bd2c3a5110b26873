/**
 * typeFichier MOD, REN, RAD and SUP act on an existing demande: each demandeLogement must
 * carry its numUnique (docs/sne-reference.md §5.2, §13.3). The schema keeps numUnique optional, since a
 * creation (CRE, CRS) has none yet.
 */
import { at, child, demandes, typeFichier } from './tree.js'
import type { Rule } from './types.js'

const NEED_NUM_UNIQUE = new Set(['MOD', 'REN', 'RAD', 'SUP'])

export const numUniqueRequired: Rule = ({ doc, part }) => {
  const type = typeFichier(doc.root)
  if (type === undefined || !NEED_NUM_UNIQUE.has(type)) return []
  return demandes(doc.root)
    .filter((d) => (child(d, 'numUnique')?.text.trim() ?? '') === '')
    .map((d) => at(d, 'GW_SPEC_NUM_UNIQUE_REQUIRED', `typeFichier ${type} requires numUnique`, part, '/numUnique'))
}
