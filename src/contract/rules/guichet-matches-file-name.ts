/**
 * The file name `DEM<guichet>-<yyyyMMddHHmm>-<n>.xml` names the guichet that sends the demande
 * (docs/sne-reference.md §2.2, §4.1): it must be the numGuichet of every demande in the file. A file name
 * that does not have this shape is the schema's business (its pattern), not this rule's.
 */
import { at, child, demandes } from './tree.js'
import type { Rule } from './types.js'

export const guichetMatchesFileName: Rule = ({ doc, fileName, part }) => {
  const guichet = fileName === undefined ? undefined : /^DEM([^-]+)-/.exec(fileName.trim())?.[1]
  if (guichet === undefined) return []
  return demandes(doc.root).flatMap((d) => {
    const num = child(d, 'numGuichet')
    if (num === undefined || num.text.trim() === guichet) return []
    return [at(num, 'GW_SPEC_GUICHET_MISMATCH', `numGuichet differs from the guichet ${guichet} of nomFichierDemande`, part)]
  })
}
