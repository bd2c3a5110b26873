// Idempotent REST writes over real mutual TLS, in front of the école simulator and its fault
// injection: replays, conflicts, two connections at once, and creations whose outcome is unknown
// (a reset after the body, a timeout while the SNE commits), each counted in the simulator — a
// key never makes two demandes.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { Client, request } from 'undici'
import { NOW, startStack, type Stack } from './helpers/gateway-stack.js'
import { exampleDemandes, type Json } from './helpers/rest-examples.js'

// Short upstream timeouts and settling delay: an unknown creation may be sent again 1.5 + 1.5 +
// 0.5 s after its attempt; a record stays in flight 1 + 3 + 0.5 s.
const stack: Stack = await startStack({
  edit: (c) => {
    c.environments.ecole.guichets = { identities: { G1226: ['G1226'] } }
    c.environments.ecole.upstream.timeouts = { connectMs: 1000, headersMs: 1500, bodyMs: 1500 }
    c.idempotency.settlingDelayMs = 500
  },
  deps: { clock: () => NOW }
})
t.teardown(async () => { await stack.close() })
const example = exampleDemandes(stack.spec)
const WAIT_MS = 1500 + 1500 + 500
const API = '/ecole/api/v1'

interface Answer { status: number, headers: Record<string, unknown>, json: Json }

async function call (method: 'POST' | 'PUT', path: string, body: unknown, headers: Record<string, string>, dispatcher = stack.client): Promise<Answer> {
  const res = await request(stack.gatewayUrl + API + path, { method, dispatcher, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
  const text = await res.body.text()
  return { status: res.statusCode, headers: res.headers, json: text === '' ? {} : JSON.parse(text) as Json }
}

/** The CRE example for a demandeur of its own (a name no other test uses), so that the SNE can be searched for it. */
let people = 0
function demandeOf (): Json {
  const cre = example('cre')
  cre.personnePhysique.demandeur.nom = `FICTIF-IDEM-${String.fromCharCode(65 + people++)}`
  delete cre.personnePhysique.listeCotitulaire
  return cre
}

/** The demandes the SNE holds for this demandeur: what the simulator created, searched independently of the key. */
async function demandesOf (cre: Json): Promise<string[]> {
  const search = { numGuichet: 'G1226', dateCreationDemande: cre.dateCreationDemande, personnePhysique: { demandeur: { ...cre.personnePhysique.demandeur } }, logementRecherche: cre.logementRecherche }
  const res = await call('POST', '/doublons/recherche', search, {})
  if (res.status !== 200) throw new Error(`search failed: ${res.status} ${String(res.json.code)}`)
  return (res.json.doublons as Json[]).map((d) => d.numUnique as string)
}

async function fault (rule: Json): Promise<void> {
  const res = await stack.sim!.admin.inject({ method: 'POST', url: '/faults', payload: rule })
  if (res.statusCode !== 201) throw new Error(res.body)
}
const clearFaults = async (): Promise<void> => { await stack.sim!.admin.inject({ method: 'DELETE', url: '/faults' }) }
const numUniqueCalls = async (): Promise<number> => Object.values((await stack.simulatorStats()).calls.getNumUnique ?? {}).reduce((a, b) => a + b, 0)
const audits = (event: string): Array<Record<string, unknown>> => stack.logs.lines().filter((l) => l.audit === true && l.event === event)

t.test('a creation sent twice with its key: one demande, the same numéro unique, the body re-read', async (t) => {
  const cre = demandeOf()
  const key = randomUUID()
  const first = await call('POST', '/demandes', cre, { 'idempotency-key': key })
  t.equal(first.status, 201, String(first.json.code ?? ''))
  const nu = first.json.demandeLogement.numUnique as string
  const calls = await numUniqueCalls()
  const again = await call('POST', '/demandes', cre, { 'idempotency-key': `"${key}"` })
  t.equal(again.status, 201)
  t.equal(again.headers['idempotency-replayed'], 'true')
  t.equal(again.headers.location, `${API}/demandes/${nu}`)
  t.equal(again.json.demandeLogement.numUnique, nu)
  t.equal(again.json.demandeLogement.personnePhysique.demandeur.nom, cre.personnePhysique.demandeur.nom, 'the body, read again from the SNE')
  t.equal(await numUniqueCalls(), calls, 'no second getNumUnique')
  t.same(await demandesOf(cre), [nu], 'one demande in the SNE')
  t.equal(first.headers['idempotency-replayed'], undefined)
})

t.test('no key, a malformed key, a key reused for another call: problems, nothing sent', async (t) => {
  const cre = demandeOf()
  const calls = await numUniqueCalls()
  const none = await call('POST', '/demandes', cre, {})
  t.match(none, { status: 400, json: { code: 'GW_IDEMPOTENCY_KEY_REQUIRED', status: 400 } })
  t.equal(none.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.match(await call('POST', '/demandes', cre, { 'idempotency-key': 'two words' }), { status: 400, json: { code: 'GW_IDEMPOTENCY_KEY_INVALID' } })
  t.equal(await numUniqueCalls(), calls)

  const key = randomUUID()
  const first = await call('POST', '/demandes', cre, { 'idempotency-key': key })
  t.equal(first.status, 201)
  const other = await call('POST', '/demandes', { ...cre, dateCreationDemande: '2025-01-15' }, { 'idempotency-key': key })
  t.match(other, { status: 422, json: { code: 'GW_IDEMPOTENCY_KEY_REUSED' } })
  const nu = first.json.demandeLogement.numUnique as string
  const { listeEvenement: _e, dateFinValidite: _f, ...editable } = first.json.demandeLogement as Json
  t.match(await call('PUT', `/demandes/${nu}`, editable, { 'idempotency-key': key }), { status: 422, json: { code: 'GW_IDEMPOTENCY_KEY_REUSED' } }, 'another method and path')
  t.equal(await numUniqueCalls(), calls + 1)

  // A write refused by the gateway before it was sent leaves its key free.
  const invalidKey = randomUUID()
  t.match(await call('POST', '/demandes', { ...cre, dateCreationDemande: 'hier' }, { 'idempotency-key': invalidKey }), { status: 400, json: { code: 'GW_REST_CONTRACT' } })
  t.match(await call('POST', '/demandes', { ...demandeOf() }, { 'idempotency-key': invalidKey }), { status: 201 })
})

t.test('the same key from two connections at once: one call upstream, one 409', async (t) => {
  t.teardown(clearFaults)
  const cre = demandeOf()
  const key = randomUUID()
  const connect = (): Client => new Client(stack.gatewayUrl, { connect: { ca: readFileSync(stack.pki.ca.cert), cert: readFileSync(stack.pki.client.cert), key: readFileSync(stack.pki.client.key) } })
  const [a, b] = [connect(), connect()]
  t.teardown(async () => { await a.close(); await b.close() })
  await fault({ kind: 'latency', operation: 'getNumUnique', latencyMs: 800, count: 1 })
  const calls = await numUniqueCalls()
  const answers = await Promise.all([call('POST', '/demandes', cre, { 'idempotency-key': key }, a), call('POST', '/demandes', cre, { 'idempotency-key': key }, b)])
  t.same(answers.map((x) => x.status).sort(), [201, 409])
  const conflict = answers.find((x) => x.status === 409)!
  t.equal(conflict.json.code, 'GW_IDEMPOTENCY_IN_FLIGHT')
  t.match(conflict.headers['retry-after'], /^[1-9]\d*$/)
  t.equal(await numUniqueCalls(), calls + 1, 'one getNumUnique reached the simulator')
  t.equal((await demandesOf(cre)).length, 1)
})

t.test('a reset after the body (nothing registered): 409 until the settling delay, then sent once more', async (t) => {
  t.teardown(clearFaults)
  const cre = demandeOf()
  const key = randomUUID()
  await fault({ kind: 'reset-after-body', operation: 'getNumUnique', count: 1 })
  const first = await call('POST', '/demandes', cre, { 'idempotency-key': key })
  t.equal(first.json.code, 'GW_PROXY_OUTCOME_UNKNOWN', `first attempt: ${first.status}`)
  const started = Date.now()
  const early = await call('POST', '/demandes', cre, { 'idempotency-key': key })
  t.match(early, { status: 409, json: { code: 'GW_IDEMPOTENCY_OUTCOME_UNKNOWN' } })
  t.match(early.headers['retry-after'], /^[1-9]\d*$/)
  t.match(audits('idempotency_outcome_unknown').at(-1), { idempotencyKey: key, cause: 'settling', identity: 'G1226' })
  t.same(await demandesOf(cre), [], 'nothing registered')
  await sleep(Math.max(0, WAIT_MS + 300 - (Date.now() - started)))
  const resent = await call('POST', '/demandes', cre, { 'idempotency-key': key })
  t.equal(resent.status, 201, String(resent.json.code ?? ''))
  const nu = resent.json.demandeLogement.numUnique as string
  t.match(audits('idempotency_resend').at(-1), { idempotencyKey: key, cause: 'no_trace_after_settling' })
  t.same(await demandesOf(cre), [nu], 'one demande')
  const replay = await call('POST', '/demandes', cre, { 'idempotency-key': key })
  t.match(replay, { status: 201, json: { demandeLogement: { numUnique: nu } } })
  t.equal(replay.headers['idempotency-replayed'], 'true')
  t.same(await demandesOf(cre), [nu], 'still one demande')
})

t.test('a timeout while the SNE registers the creation: the retry finds it, never a second one', async (t) => {
  t.teardown(clearFaults)
  const cre = demandeOf()
  const key = randomUUID()
  // The simulator registers the creation, then answers too late for the gateway's 1.5 s.
  await fault({ kind: 'latency', operation: 'getNumUnique', latencyMs: 2500, count: 1 })
  const first = await call('POST', '/demandes', cre, { 'idempotency-key': key })
  t.match(first, { status: 504, json: { code: 'GW_PROXY_OUTCOME_UNKNOWN' } })
  const registered = await demandesOf(cre)
  t.equal(registered.length, 1, 'the SNE registered it')
  const retry = await call('POST', '/demandes', cre, { 'idempotency-key': key })
  t.equal(retry.status, 201, String(retry.json.code ?? ''))
  t.equal(retry.json.demandeLogement.numUnique, registered[0])
  t.equal(retry.headers.location, `${API}/demandes/${registered[0]!}`)
  t.same(await demandesOf(cre), registered, 'still one demande')
  t.equal(audits('idempotency_resend').filter((a) => a.idempotencyKey === key).length, 0, 'nothing resent')
})

t.test('a slow SNE that registers the creation after the gateway gave up: no resend before the settling delay, then found', async (t) => {
  t.teardown(clearFaults)
  const cre = demandeOf()
  const key = randomUUID()
  // The simulator registers the creation 2.5 s after it arrived: after the gateway's 1.5 s.
  await fault({ kind: 'slow-commit', operation: 'getNumUnique', latencyMs: 2500, count: 1 })
  const started = Date.now()
  const first = await call('POST', '/demandes', cre, { 'idempotency-key': key })
  t.match(first, { status: 504, json: { code: 'GW_PROXY_OUTCOME_UNKNOWN' } })
  t.same(await demandesOf(cre), [], 'not registered yet')
  const early = await call('POST', '/demandes', cre, { 'idempotency-key': key })
  t.match(early, { status: 409, json: { code: 'GW_IDEMPOTENCY_OUTCOME_UNKNOWN' } }, 'no trace yet, but too early to send it again')
  t.match(early.headers['retry-after'], /^[1-9]\d*$/)
  await sleep(Math.max(0, WAIT_MS + 300 - (Date.now() - started)))
  const registered = await demandesOf(cre)
  t.equal(registered.length, 1, 'the SNE registered it late')
  const retry = await call('POST', '/demandes', cre, { 'idempotency-key': key })
  t.equal(retry.status, 201, String(retry.json.code ?? ''))
  t.equal(retry.json.demandeLogement.numUnique, registered[0], 'found, not sent again')
  t.same(await demandesOf(cre), registered, 'one demande')
})

t.test('another write whose outcome is unknown is never sent again', async (t) => {
  t.teardown(clearFaults)
  const created = await call('POST', '/demandes', demandeOf(), { 'idempotency-key': randomUUID() })
  const nu = created.json.demandeLogement.numUnique as string
  const { listeEvenement: _e, dateFinValidite: _f, ...editable } = created.json.demandeLogement as Json
  const key = randomUUID()
  await fault({ kind: 'reset-after-body', operation: 'getNumUnique', count: 1 })
  const first = await call('PUT', `/demandes/${nu}`, editable, { 'idempotency-key': key })
  t.equal(first.json.code, 'GW_PROXY_OUTCOME_UNKNOWN')
  const calls = await numUniqueCalls()
  const retry = await call('PUT', `/demandes/${nu}`, editable, { 'idempotency-key': key })
  t.match(retry, { status: 409, json: { code: 'GW_IDEMPOTENCY_OUTCOME_UNKNOWN' } })
  t.equal(retry.headers['retry-after'], undefined, 'waiting will not change it')
  t.equal(await numUniqueCalls(), calls, 'not sent again')
  t.match(audits('idempotency_outcome_unknown').at(-1), { idempotencyKey: key, cause: 'not_a_creation' })
})
