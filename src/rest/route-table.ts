/**
 * The REST API's routes, in one table: each is an SNE operation (and, for getNumUnique, the
 * typeFichier it writes) reached with JSON alone. The route handlers, the published OpenAPI
 * document and docs/rest.md are all derived from this table, so they cannot disagree.
 *
 * Paths are relative to `/{env}/api/v1` (or `/api/v1` with the environment chosen by host name);
 * `v1` is interface version 02.01.
 */

/** The interface version `v1` speaks, echoed in the `SNE-Interface-Version` answer header. */
export const API_INTERFACE_VERSION = '02.01'
export const API_PREFIX = '/api/v1'

/** What the request body of a route is. */
export type RestBody =
  /** a complete `demandeLogement` (TDemandeLogement), as JSON */
  | 'demandeLogement'
  /** the `demandeLogement` fields a doublons search needs (TDemandeLogement, request flavour) */
  | 'doublons'
  /** a DALO decision: `dateDecisionDalo`, `statutDalo`, `typologieLogementDalo?` */
  | 'dalo'
  | undefined

/** What a route answers on success. */
export type RestAnswer =
  /** the demande as the SNE answered it: `{"demandeLogement": {…}}` */
  | 'demande'
  /** `{"doublons": [ … ]}` */
  | 'doublons'
  /** `{"demandes": [ {"demandeLogement": {…}}, … ]}` */
  | 'demandes'

export interface RestRoute {
  /** stable identifier: the OpenAPI operationId */
  readonly id: string
  readonly method: 'GET' | 'POST' | 'PUT'
  /** OpenAPI-style path template under the API prefix */
  readonly path: string
  /** the SNE operation the call becomes */
  readonly operation: string
  /** getNumUnique only: the typeFichier of the file the gateway writes */
  readonly typeFichier?: 'CRE' | 'MOD' | 'REN' | 'RAD' | 'SUP'
  /** POST /demandes: `?typeFichier=CRS` for a création following a couple's separation */
  readonly typeFichierQuery?: readonly ['CRE', 'CRS']
  /** the `radiation.motif` this route requires: '' for a réactivation (the model's déradiation) */
  readonly radiationMotif?: 'any' | 'empty'
  readonly body: RestBody
  /** the `depuis` query parameter (an RFC 3339 date-time with its offset) */
  readonly since?: true
  readonly answer: RestAnswer
  /** the success status */
  readonly status: 200 | 201
  /** true for the calls that change the SNE (an Idempotency-Key will apply to them) */
  readonly write: boolean
  readonly summary: string
}

export const REST_ROUTES: readonly RestRoute[] = [
  { id: 'createDemande', method: 'POST', path: '/demandes', operation: 'getNumUnique', typeFichier: 'CRE', typeFichierQuery: ['CRE', 'CRS'], body: 'demandeLogement', answer: 'demande', status: 201, write: true, summary: 'Create a demande (CRE, or CRS with ?typeFichier=CRS); answers its numéro unique' },
  { id: 'getDemande', method: 'GET', path: '/demandes/{numUnique}', operation: 'getDemandeLogement', body: undefined, answer: 'demande', status: 200, write: false, summary: 'Read a demande by its numéro unique' },
  { id: 'updateDemande', method: 'PUT', path: '/demandes/{numUnique}', operation: 'getNumUnique', typeFichier: 'MOD', body: 'demandeLogement', answer: 'demande', status: 200, write: true, summary: 'Modify a demande (MOD): the complete demande' },
  { id: 'renewDemande', method: 'POST', path: '/demandes/{numUnique}/renouvellement', operation: 'getNumUnique', typeFichier: 'REN', body: 'demandeLogement', answer: 'demande', status: 200, write: true, summary: 'Renew a demande (REN)' },
  { id: 'radiateDemande', method: 'POST', path: '/demandes/{numUnique}/radiation', operation: 'getNumUnique', typeFichier: 'RAD', radiationMotif: 'any', body: 'demandeLogement', answer: 'demande', status: 200, write: true, summary: 'Radiate a demande (RAD, with its radiation motif)' },
  { id: 'reactivateDemande', method: 'POST', path: '/demandes/{numUnique}/reactivation', operation: 'getNumUnique', typeFichier: 'RAD', radiationMotif: 'empty', body: 'demandeLogement', answer: 'demande', status: 200, write: true, summary: 'Reactivate a radiated demande (RAD with an empty motif)' },
  { id: 'deleteDemande', method: 'POST', path: '/demandes/{numUnique}/suppression', operation: 'getNumUnique', typeFichier: 'SUP', body: 'demandeLogement', answer: 'demande', status: 200, write: true, summary: 'Delete a demande (SUP)' },
  { id: 'declareDalo', method: 'POST', path: '/demandes/{numUnique}/dalo', operation: 'declarationNouveauDalo', body: 'dalo', answer: 'demande', status: 200, write: true, summary: 'Declare a DALO decision on a demande' },
  { id: 'searchDoublons', method: 'POST', path: '/doublons/recherche', operation: 'getDoublons', body: 'doublons', answer: 'doublons', status: 200, write: false, summary: 'Search the demandes that may be duplicates of this one' },
  { id: 'listDalo', method: 'GET', path: '/dalo', operation: 'getNouveauxDaloDepuisLe', since: true, body: undefined, answer: 'demandes', status: 200, write: false, summary: 'The demandes that became DALO-priority since an instant' },
  { id: 'listRadiations', method: 'GET', path: '/radiations', operation: 'getDemandesRadieesDepuisLe', since: true, body: undefined, answer: 'demandes', status: 200, write: false, summary: 'The demandes radiated since an instant' }
]

/** The Fastify form of a path template: `{numUnique}` → `:numUnique`. */
export function fastifyPath (template: string): string {
  return template.replace(/\{(\w+)\}/g, ':$1')
}
