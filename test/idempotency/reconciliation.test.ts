// The decisions of a creation's reconciliation, with the SNE's reads scripted: found, resend,
// unknown (and why), and what the store keeps of a demande to reconcile it.
import t from 'tap'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { parseIdempotencyKey } from '../../src/idempotency/rest-idempotency.js'
import { reconcileCreation, reconciliationOf } from '../../src/idempotency/reconciliation.js'
import type { SneRead } from '../../src/idempotency/reads.js'
import type { IdempotencyRecord } from '../../src/idempotency/store.js'
import type { AnswerOutcome } from '../../src/rest/answers.js'
import type { MessageInput } from '../../src/rest/message-builder.js'

const demande = {
  numGuichet: 'G1226',
  dateCreationDemande: '2025-01-14',
  personnePhysique: {
    demandeur: { civilite: '2', nom: 'FICTIF-ALPHA', prenom: 'Test-Un', dateNaissance: '1985-01-20', nir: '285019912300100', nationalite: '1', mel: 'x@exemple.invalid' },
    listeCotitulaire: { cotitulaire: [{ nom: 'FICTIF-ALPHA', prenom: 'Test-Deux' }] }
  },
  logementRecherche: { demandeElargie: false },
  listeMotifDemande: { motifDemande: ['13'] }
}

t.test('the Idempotency-Key header: bare or quoted, printable ASCII, 1 to 255 characters', async (t) => {
  t.equal(parseIdempotencyKey('8e03978e-40d5-43e8-bc93-6894a57f9324'), '8e03978e-40d5-43e8-bc93-6894a57f9324')
  t.equal(parseIdempotencyKey('"8e03978e-40d5"'), '8e03978e-40d5')
  t.equal(parseIdempotencyKey('x'.repeat(255)), 'x'.repeat(255))
  t.throws(() => parseIdempotencyKey(undefined), { code: 'GW_IDEMPOTENCY_KEY_REQUIRED', statusCode: 400 })
  for (const bad of ['', '""', 'a b', 'a, a', 'x'.repeat(256), 'clé', '"a"b"', 'a\\b']) {
    t.throws(() => parseIdempotencyKey(bad), { code: 'GW_IDEMPOTENCY_KEY_INVALID', statusCode: 400 }, JSON.stringify(bad))
  }
  t.throws(() => parseIdempotencyKey(['a', 'b']), { code: 'GW_IDEMPOTENCY_KEY_INVALID' })
})

t.test('what is kept to reconcile: the search fields of the demandeur, the housing sought, the date; nothing else', async (t) => {
  const kept = reconciliationOf('G1226', demande)
  t.same(kept, {
    guichet: 'G1226',
    dateCreationDemande: '2025-01-14',
    search: {
      numGuichet: 'G1226',
      dateCreationDemande: '2025-01-14',
      personnePhysique: { demandeur: { civilite: '2', nom: 'FICTIF-ALPHA', prenom: 'Test-Un', dateNaissance: '1985-01-20', nationalite: '1' } },
      logementRecherche: { demandeElargie: false }
    }
  })
  t.notMatch(JSON.stringify(kept), /nir|mel|285019912300100|Test-Deux|motif/)
  t.equal(reconciliationOf('G1226', { ...demande, personnePhysique: undefined, personneMorale: { raisonSociale: 'X' } }), undefined, 'a personne morale cannot be searched')
})

const record = (over: Partial<IdempotencyRecord> = {}): IdempotencyRecord => ({
  scope: { identity: 'G1226', env: 'ecole', key: 'k' },
  fingerprint: 'f'.repeat(64),
  state: 'unknown',
  route: 'createDemande',
  guichet: 'G1226',
  createdAt: 0,
  sentAt: 1000,
  attempts: 1,
  owner: 'o',
  leaseUntil: 0,
  status: undefined,
  location: undefined,
  numUnique: undefined,
  reconciliation: reconciliationOf('G1226', demande),
  ...over
})

/** A scripted SNE: getDoublons answers `doublons`, getDemandeLogement each candidate's date. */
function sne (doublons: Array<{ numUnique: string, numGuichet: string }> | 'fail', dates: Record<string, string | 'fail'>): { read: SneRead, inputs: MessageInput[] } {
  const inputs: MessageInput[] = []
  const read: SneRead = async (_request, _reply, input) => {
    inputs.push(input)
    if (input.operation === 'getDoublons') {
      if (doublons === 'fail') throw new Error('upstream down')
      return { kind: 'ok', body: { doublons }, numUnique: undefined }
    }
    if (input.operation !== 'getDemandeLogement') throw new Error('unexpected read')
    const date = dates[input.numUnique]
    if (date === 'fail' || date === undefined) return { kind: 'anomalies', anomalies: [{ code: 'CTRL_DEM_0001', message: '' }] } satisfies AnswerOutcome
    return { kind: 'ok', body: { demandeLogement: { numUnique: input.numUnique, dateCreationDemande: date } }, numUnique: input.numUnique }
  }
  return { read, inputs }
}
const req = {} as FastifyRequest
const rep = {} as FastifyReply
const timing = { now: 10000, waitMs: 5000 }

t.test('exactly one candidate of this guichet with the stored date: found', async (t) => {
  const { read, inputs } = sne([{ numUnique: 'A', numGuichet: 'G1226' }, { numUnique: 'B', numGuichet: 'G9999' }, { numUnique: 'C', numGuichet: 'G1226' }], { A: '2025-01-14', C: '2024-03-01' })
  const decision = await reconcileCreation(req, rep, read, record(), timing)
  t.match(decision, { kind: 'found', numUnique: 'A', body: { demandeLogement: { numUnique: 'A' } } })
  t.same(inputs.map((i) => i.operation), ['getDoublons', 'getDemandeLogement', 'getDemandeLogement'], 'the other guichet\'s demande is not read')
  t.match(inputs[0], { guichet: 'G1226', demandeLogement: { personnePhysique: { demandeur: { nom: 'FICTIF-ALPHA' } } } })
})

t.test('several candidates: unknown, no Retry-After (waiting will not settle it)', async (t) => {
  const { read } = sne([{ numUnique: 'A', numGuichet: 'G1226' }, { numUnique: 'B', numGuichet: 'G1226' }], { A: '2025-01-14', B: '2025-01-14' })
  const decision = await reconcileCreation(req, rep, read, record(), timing)
  t.match(decision, { kind: 'unknown', cause: 'several_candidates' })
  t.equal((decision as { retryAfterSeconds?: number }).retryAfterSeconds, undefined)
})

t.test('none, sent longer ago than the answer timeout plus the settling delay: resend', async (t) => {
  const { read } = sne([{ numUnique: 'C', numGuichet: 'G1226' }], { C: '2024-03-01' })
  t.same(await reconcileCreation(req, rep, read, record({ sentAt: 4999 }), timing), { kind: 'resend' })
})

t.test('none, but too recent: unknown with Retry-After until the wait is over', async (t) => {
  const { read } = sne([], {})
  t.match(await reconcileCreation(req, rep, read, record({ sentAt: 8000 }), timing), { kind: 'unknown', cause: 'settling', retryAfterSeconds: 3 })
})

t.test('none, already resent once: unknown, never a third attempt', async (t) => {
  const { read } = sne([], {})
  t.match(await reconcileCreation(req, rep, read, record({ attempts: 2, sentAt: 0 }), timing), { kind: 'unknown', cause: 'resent_once', retryAfterSeconds: 5 })
})

t.test('a search that fails, a candidate that cannot be read, a personne morale: unknown', async (t) => {
  t.match(await reconcileCreation(req, rep, sne('fail', {}).read, record({ sentAt: 0 }), timing), { kind: 'unknown', cause: 'search_failed', retryAfterSeconds: 5 })
  t.match(await reconcileCreation(req, rep, sne([{ numUnique: 'A', numGuichet: 'G1226' }], { A: 'fail' }).read, record({ sentAt: 0 }), timing), { kind: 'unknown', cause: 'candidate_unreadable' })
  const { read, inputs } = sne([], {})
  t.match(await reconcileCreation(req, rep, read, record({ sentAt: 0, reconciliation: undefined }), timing), { kind: 'unknown', cause: 'not_searchable' })
  t.equal(inputs.length, 0, 'nothing searched')
})
