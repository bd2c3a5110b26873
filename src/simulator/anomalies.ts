/**
 * The functional anomalies the simulator answers in-band, as the SNE does
 * (`listeAnomalie/anomalie@code` + `message`, docs/sne-reference.md §4.3). The real CTRL_DEM catalogue is
 * unknown (docs/sne-reference.md §14.4): these codes and messages are our model, documented in
 * docs/simulator.md. CTRL_DEM_0033 and CTRL_DEM_0034 exist in the real catalogue with an
 * unknown meaning (docs/sne-reference.md §1 S7), so this model leaves them unused.
 */

/** One anomaly of an answer. */
export interface Anomaly {
  code: AnomalyCode
  message: string
}

/** code → message template; `{name}` placeholders are filled by `anomaly()`. */
export const anomalyMessages = {
  CTRL_DEM_0001: 'Le numéro unique {nu} est inconnu.',
  CTRL_DEM_0002: 'La demande {nu} a été supprimée.',
  CTRL_DEM_0003: 'Le numéro unique ne doit pas être renseigné pour un fichier de type {typeFichier}.',
  CTRL_DEM_0004: 'Le numéro unique est obligatoire pour un fichier de type {typeFichier}.',
  CTRL_DEM_0005: 'Le type de fichier {typeFichier} n\'est pas accepté par ce service.',
  CTRL_DEM_0006: 'La commune {commune} de la première localisation souhaitée ne correspond à aucun territoire.',
  CTRL_DEM_0007: 'Plus aucun numéro unique disponible pour le territoire {territory} et la période {period}.',
  CTRL_DEM_0008: 'La date {element} ne peut pas être postérieure à la date du jour.',
  CTRL_DEM_0009: 'La demande {nu} est radiée : elle ne peut être ni modifiée ni renouvelée.',
  CTRL_DEM_0010: 'La demande {nu} est déjà radiée.',
  CTRL_DEM_0011: 'La demande {nu} n\'est pas radiée : elle ne peut pas être réactivée.',
  CTRL_DEM_0012: 'Le délai de réactivation de la demande {nu} (radiation {motif}) a expiré le {deadline}.',
  CTRL_DEM_0013: 'Une demande radiée pour le motif {motif} ne peut pas être réactivée.',
  CTRL_DEM_0014: 'La demande {nu} est valide jusqu\'au {validUntil} : elle ne peut pas être radiée pour non-renouvellement.',
  CTRL_DEM_0015: 'Le motif de radiation est obligatoire.',
  CTRL_DEM_0016: 'Le sous-motif de radiation est obligatoire pour le motif RADIRR.',
  CTRL_DEM_0017: 'Les données d\'attribution sont obligatoires pour le motif RADATT.',
  CTRL_DEM_0018: 'Le guichet du nom de fichier ne correspond pas au numéro de guichet de la demande.',
  CTRL_DEM_0019: 'Le nombre de communes souhaitées ne peut pas dépasser 10.',
  CTRL_DEM_0020: 'Une décision DALO ne peut pas être déclarée sur la demande radiée {nu}.',
  CTRL_DEM_0021: 'Le fichier doit contenir une et une seule demande.'
} as const

export type AnomalyCode = keyof typeof anomalyMessages

/** Builds an anomaly, filling the placeholders of its message. */
export function anomaly (code: AnomalyCode, values: Record<string, string> = {}): Anomaly {
  const message = anomalyMessages[code].replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? '')
  return { code, message }
}

/**
 * The interface rules of `contract/` that the SNE reports in-band rather than as a Fault: the
 * document is well-formed and schema-valid, only a functional rule fails. Any other violation
 * (envelope, XSD, version) is a Fault.
 */
export const ruleAnomalies: Readonly<Record<string, AnomalyCode>> = {
  GW_SPEC_NUM_UNIQUE_REQUIRED: 'CTRL_DEM_0004',
  GW_SPEC_RADIATION_MOTIF_REQUIRED: 'CTRL_DEM_0015',
  GW_SPEC_SOUS_MOTIF_REQUIRED: 'CTRL_DEM_0016',
  GW_SPEC_ATTRIBUTION_REQUIRED: 'CTRL_DEM_0017',
  GW_SPEC_GUICHET_MISMATCH: 'CTRL_DEM_0018',
  GW_SPEC_TOO_MANY_COMMUNES: 'CTRL_DEM_0019',
  GW_SPEC_DATE_IN_FUTURE: 'CTRL_DEM_0008'
}

/** The anomalies of the spec rule violations the SNE answers in-band (others are ignored here). */
export function rulesToAnomalies (violations: Array<{ code: string, path?: string }>, typeFichier: string): Anomaly[] {
  return violations.flatMap((v) => {
    const code: AnomalyCode | undefined = ruleAnomalies[v.code]
    return code === undefined ? [] : [anomaly(code, { typeFichier, element: lastStep(v.path) })]
  })
}

function lastStep (path: string | undefined): string {
  return path?.split('/').filter((s) => s !== '').at(-1)?.replace(/\[\d+\]$/, '').replace(/^.*:/, '') ?? ''
}
