/**
 * Who a demande is about, for duplicate detection (getDoublons), and whether it is complete.
 * The SNE detects duplicates from the état civil (docs/sne-reference.md §13.3): nom + prénom + date de
 * naissance of the demandeur or of a cotitulaire, compared without case, accents or punctuation.
 */
import { at, child, childrenNamed, textAt } from './demande-tree.js'
import type { PersonRecord } from './store.js'
import type { XmlNode } from './xml-writer.js'

/** The comparison form of a name: no accents, upper case, runs of other characters as one space. */
export function normalizeName (value: string): string {
  return value.normalize('NFD').replace(/\p{M}/gu, '').toUpperCase().replace(/[^A-Z0-9]+/g, ' ').trim()
}

/** The comparison key of a person. */
export function personKey (nom: string, prenom: string, dateNaissance: string): string {
  return `${normalizeName(nom)}|${normalizeName(prenom)}|${dateNaissance.trim().slice(0, 10)}`
}

function person (role: PersonRecord['role'], node: XmlNode | undefined): PersonRecord | undefined {
  const nom = textAt(node, 'nom')
  const prenom = textAt(node, 'prenom')
  const dateNaissance = textAt(node, 'dateNaissance')
  if (nom === undefined || prenom === undefined || dateNaissance === undefined) return undefined
  return { role, nom, prenom, dateNaissance, key: personKey(nom, prenom, dateNaissance) }
}

/** The demandeur and the cotitulaires of a demandeLogement (none for a personne morale). */
export function personsOf (demandeLogement: XmlNode): PersonRecord[] {
  const physique = child(demandeLogement, 'personnePhysique')
  if (physique === undefined) return []
  const found = [person('demandeur', child(physique, 'demandeur'))]
  for (const c of childrenNamed(at(physique, 'listeCotitulaire'), 'cotitulaire')) found.push(person('cotitulaire', c))
  return found.filter((p): p is PersonRecord => p !== undefined)
}

/**
 * Complete: the rubriques of R441-2-2 CCH are filled in (docs/sne-reference.md §9). The XSD already requires
 * the identity (a) and the housing sought (h); a personne physique also needs the address (b),
 * the work situation (d), the income (e), the current housing (f) and the motifs (g); a
 * personne morale only a, b and h. An incomplete demande is created but not validated [M].
 */
export function isComplete (demandeLogement: XmlNode): boolean {
  const morale = child(demandeLogement, 'personneMorale')
  if (morale !== undefined) return child(morale, 'adressePostale') !== undefined
  const demandeur = at(demandeLogement, 'personnePhysique', 'demandeur')
  return ['adressePostale', 'situationProfessionnelle', 'revenuFiscal'].every((name) => child(demandeur, name) !== undefined) &&
    at(demandeLogement, 'personnePhysique', 'logementActuel') !== undefined &&
    child(demandeLogement, 'listeMotifDemande') !== undefined
}
