/**
 * Reconciling a creation whose outcome is unknown (a timeout or a reset after it was sent, a
 * gateway stopped between sending and answering), before anything is sent again. The SNE cannot
 * deduplicate a creation, but it can be searched: getDoublons on the stored demandeur, then
 * getDemandeLogement on each candidate of the acting guichet.
 *
 * - exactly one candidate of this guichet with the stored dateCreationDemande → found: the key is
 *   done with that numéro unique;
 * - none, and the last attempt was sent longer ago than the answer timeout plus the settling
 *   delay, and only once → resend (audited by the caller);
 * - otherwise (several candidates, none yet, a search or read that failed, a personne morale,
 *   which getDoublons cannot search, an attempt already resent) → unknown, with `Retry-After`
 *   where waiting can change the answer.
 *
 * What the école simulator answers to getDoublons (matches on nom, prénom and date of birth of the
 * demandeur and cotitulaires) is the project's model of the SNE's search (docs/simulator.md).
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { SneRead } from './reads.js'
import type { IdempotencyRecord, ReconciliationData } from './store.js'

type Json = Record<string, unknown>
const asObject = (v: unknown): Json | undefined => typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Json : undefined

/** The demandeur fields a getDoublons search needs (its XSD requires civilité and nationalité beside what it matches on). */
const DEMANDEUR_FIELDS = ['civilite', 'nom', 'prenom', 'dateNaissance', 'nationalite'] as const

/**
 * What the store keeps of a creation to reconcile it: a doublons search built from the demandeur's
 * identity fields, the housing sought (the search's XSD requires it), the acting guichet and the
 * dateCreationDemande. Undefined for a personne morale (getDoublons fails on one) or a demande
 * without those fields.
 */
export function reconciliationOf (guichet: string, demandeLogement: Json): ReconciliationData | undefined {
  const demandeur = asObject(asObject(demandeLogement.personnePhysique)?.demandeur)
  const date = demandeLogement.dateCreationDemande
  if (demandeur === undefined || typeof date !== 'string' || demandeLogement.logementRecherche === undefined) return undefined
  const picked = Object.fromEntries(DEMANDEUR_FIELDS.filter((k) => demandeur[k] !== undefined).map((k) => [k, demandeur[k]]))
  return {
    guichet,
    dateCreationDemande: date,
    search: { numGuichet: guichet, dateCreationDemande: date, personnePhysique: { demandeur: picked }, logementRecherche: demandeLogement.logementRecherche }
  }
}

export type ReconciliationDecision =
  | { kind: 'found', numUnique: string, body: Json }
  | { kind: 'resend' }
  | { kind: 'unknown', cause: string, reason: string, retryAfterSeconds?: number }

export async function reconcileCreation (request: FastifyRequest, reply: FastifyReply, read: SneRead, record: IdempotencyRecord, timing: { now: number, waitMs: number }): Promise<ReconciliationDecision> {
  const data = record.reconciliation
  const retryAfterSeconds = Math.max(1, Math.ceil(timing.waitMs / 1000))
  if (data === undefined) return { kind: 'unknown', cause: 'not_searchable', reason: 'the demandeur cannot be searched with getDoublons (a personne morale); check the guichet\'s demandes, then use a new key' }
  const inconclusive = (cause: string): ReconciliationDecision => ({ kind: 'unknown', cause, reason: 'the SNE could not be searched for it now; retry later', retryAfterSeconds })
  let found: Array<{ numUnique: string, body: Json }>
  try {
    const search = await read(request, reply, { operation: 'getDoublons', guichet: data.guichet, demandeLogement: structuredClone(data.search) }, 'doublons')
    if (search.kind !== 'ok') return inconclusive('doublons_failed')
    const doublons = (search.body.doublons as unknown[]).map(asObject)
    const candidates = [...new Set(doublons.filter((d) => d?.numGuichet === data.guichet && typeof d.numUnique === 'string').map((d) => d!.numUnique as string))]
    found = []
    for (const nu of candidates) {
      const demande = await read(request, reply, { operation: 'getDemandeLogement', guichet: data.guichet, numUnique: nu }, 'demande')
      if (demande.kind !== 'ok') return inconclusive('candidate_unreadable')
      if (asObject(demande.body.demandeLogement)?.dateCreationDemande === data.dateCreationDemande) found.push({ numUnique: nu, body: demande.body })
    }
  } catch {
    // An upstream failure, a limit: the search did not happen.
    return inconclusive('search_failed')
  }
  if (found.length === 1) return { kind: 'found', numUnique: found[0]!.numUnique, body: found[0]!.body }
  if (found.length > 1) return { kind: 'unknown', cause: 'several_candidates', reason: 'several demandes of this guichet match it; check them, then use a new key' }
  if (record.attempts >= 2) return { kind: 'unknown', cause: 'resent_once', reason: 'it was already sent again once and its trace is not found yet; retry later', retryAfterSeconds }
  const age = timing.now - (record.sentAt ?? record.createdAt)
  if (age <= timing.waitMs) return { kind: 'unknown', cause: 'settling', reason: 'the SNE may still be registering it; retry later', retryAfterSeconds: Math.max(1, Math.ceil((timing.waitMs - age) / 1000)) }
  return { kind: 'resend' }
}
