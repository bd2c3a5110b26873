/**
 * The twelve national events of gestion partagée (docs/interface-model.md; codes are our model,
 * docs/sne-reference.md §10). Five are recorded by the SNE itself as the lifecycle moves; the seven others
 * are processing events a guichet reports in the `listeEvenement` of a CRE, MOD or REN file.
 */

export const EVENT_LABELS = {
  EVT_CREATION: 'Création de la demande',
  EVT_VALIDATION: 'Validation de la demande',
  EVT_ATTRIBUTION_PROPOSEE: 'Attribution du logement proposée au demandeur',
  EVT_ATTRIBUTION_SOUS_RESERVE: 'Attribution du logement proposée au demandeur sous réserve de conditions suspensives',
  EVT_REFUS_ATTRIBUTION: 'Refus d\'attribution du logement',
  EVT_DEMANDE_PIECES: 'Demandes d\'informations ou de pièces justificatives',
  EVT_INSCRIPTION_CAL: 'Inscription à l\'ordre du jour d\'une CAL',
  EVT_NON_RECEVABILITE: 'Non recevabilité de la demande',
  EVT_RADIATION: 'Radiation de la demande',
  EVT_REACTIVATION: 'Réactivation de la demande',
  EVT_REFUS_DEMANDEUR: 'Refus du logement par le demandeur',
  EVT_VISITE_PROPOSEE: 'Visites de logements proposées au demandeur'
} as const

export type EventCode = keyof typeof EVENT_LABELS

/** The events a guichet reports itself; the others follow from CRE/MOD/REN/RAD and are never taken from a file. */
export const GUICHET_EVENTS: ReadonlySet<string> = new Set<EventCode>([
  'EVT_ATTRIBUTION_PROPOSEE', 'EVT_ATTRIBUTION_SOUS_RESERVE', 'EVT_REFUS_ATTRIBUTION', 'EVT_DEMANDE_PIECES',
  'EVT_INSCRIPTION_CAL', 'EVT_REFUS_DEMANDEUR', 'EVT_VISITE_PROPOSEE'
])

/** True when the interface version carries `listeEvenement` (02.01 onwards; 02.00 predates it). */
export function versionHasEvents (versionInterface: string): boolean {
  return versionInterface >= '02.01'
}
