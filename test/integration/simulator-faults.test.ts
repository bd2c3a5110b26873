// Each kind of injected fault, over real TLS, set by configuration or by the admin API.
import t from 'tap'
import { request } from 'undici'
import { buildSimulator } from '../../src/simulator/index.js'
import { demandeDocument, demandeLogementRequest, movableClock, numUniqueRequest, readAnswer, testSpec } from '../simulator/helpers/messages.js'
import { type Running, startSimulator, tlsMaterial } from '../simulator/helpers/server.js'

const time = movableClock('2024-01-10T09:00:00.000Z')
const spec = await testSpec(time.clock)
t.teardown(() => spec.dispose())

async function demandes (s: Running): Promise<number> {
  const stats = (await s.admin('GET', '/stats')).json as { demandes: Record<string, number> }
  return stats.demandes.ACTIVE! + stats.demandes.RADIEE!
}

async function injected (s: Running): Promise<Record<string, Record<string, number>>> {
  return ((await s.admin('GET', '/faults')).json as { injected: Record<string, Record<string, number>> }).injected
}

function failure (err: unknown): string {
  const e = err as { code?: string, cause?: { code?: string } }
  return `${e.code ?? ''}/${e.cause?.code ?? ''}`
}

t.test('HTTP 503 for the next call of one operation, from the configuration', async (t) => {
  const s = await startSimulator(t, spec, { faults: [{ kind: 'http-503', operation: 'getDemandeLogement', count: 1 }] }, { clock: time.clock })
  const created = await s.post(numUniqueRequest(demandeDocument()))
  t.equal(created.statusCode, 200, 'another operation is not affected')
  const nu = readAnswer(created.contentType, created.body).nu!
  const first = await s.post(demandeLogementRequest(nu))
  t.equal(first.statusCode, 503)
  t.match(first.contentType, /^text\/html/)
  t.equal((await s.post(demandeLogementRequest(nu))).statusCode, 200, 'only the next call')
  t.same(await injected(s), { 'http-503': { getDemandeLogement: 1 } })
  t.match((await s.admin('GET', '/stats')).json, { calls: { getDemandeLogement: { 'injected:http-503': 1, answer: 1 } } })
})

t.test('a SOAP Fault with the SNE\'s generic message; nothing is processed', async (t) => {
  const s = await startSimulator(t, spec, {}, { clock: time.clock })
  const added = await s.admin('POST', '/faults', { kind: 'soap-fault', operation: 'getNumUnique', probability: 1 })
  t.equal(added.statusCode, 201)
  const res = await s.post(numUniqueRequest(demandeDocument()))
  t.equal(res.statusCode, 500)
  t.equal(res.contentType, 'application/soap+xml; charset=utf-8')
  const body = res.body.toString()
  t.match(body, '<env:Value>env:Receiver</env:Value><env:Subcode><env:Value>gw:GW_SIM_INJECTED_FAULT</env:Value>')
  t.match(body, '<env:Text xml:lang="fr">Une erreur inattendue est survenue lors du traitement de la demande.</env:Text>')
  t.equal(await demandes(s), 0)
  t.equal((await s.admin('DELETE', `/faults/${(added.json as { id: string }).id}`)).statusCode, 204)
  t.equal((await s.post(numUniqueRequest(demandeDocument()))).statusCode, 200, 'rule removed')
  t.same(await injected(s), { 'soap-fault': { getNumUnique: 1 } })
})

t.test('connection reset before the body is read', async (t) => {
  const s = await startSimulator(t, spec, { faults: [{ kind: 'reset-before-body', operation: 'getNumUnique', count: 1 }] }, { clock: time.clock })
  const err = await s.post(numUniqueRequest(demandeDocument())).then(() => undefined, (e: unknown) => e)
  t.ok(err !== undefined, `the call fails (${failure(err)})`)
  t.equal(await demandes(s), 0, 'nothing processed')
  t.same(await injected(s), { 'reset-before-body': { getNumUnique: 1 } }, 'the operation was known from the action header')
  t.equal((await s.post(numUniqueRequest(demandeDocument()))).statusCode, 200)
})

t.test('connection reset after the body is read', async (t) => {
  const s = await startSimulator(t, spec, { faults: [{ kind: 'reset-after-body', count: 1 }] }, { clock: time.clock })
  const err = await s.post(numUniqueRequest(demandeDocument())).then(() => undefined, (e: unknown) => e)
  t.ok(err !== undefined, `the call fails (${failure(err)})`)
  t.equal(await demandes(s), 0, 'nothing processed')
  t.same(await injected(s), { 'reset-after-body': { getNumUnique: 1 } })
})

t.test('a truncated answer: the write happened, the client cannot know', async (t) => {
  const s = await startSimulator(t, spec, { faults: [{ kind: 'truncate', count: 1 }] }, { clock: time.clock })
  const err = await s.post(numUniqueRequest(demandeDocument())).then(() => undefined, (e: unknown) => e)
  t.ok(err !== undefined, `the answer cannot be read whole (${failure(err)})`)
  t.equal(await demandes(s), 1, 'the demande was created')
  t.same(await injected(s), { truncate: { getNumUnique: 1 } })
})

t.test('added latency delays the answer; closing the simulator ends the wait', async (t) => {
  const s = await startSimulator(t, spec, {}, { clock: time.clock })
  await s.admin('POST', '/faults', { kind: 'latency', latencyMs: 60_000, operation: 'getNumUnique', count: 1 })
  let slowDone = false
  const slow = s.post(numUniqueRequest(demandeDocument())).then((res) => { slowDone = true; return res })
  // Wait until the slow call is being held (bounded polling), then make an unaffected call.
  for (let i = 0; i < 200 && Object.keys(await injected(s)).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10))
  const quick = await s.post(demandeLogementRequest('0750124000001G1226'))
  t.equal(quick.statusCode, 200)
  t.notOk(slowDone, 'the delayed call is still waiting when a later one was answered')
  await s.sim.close()
  const res = await slow
  t.equal(res.statusCode, 200, 'answered once the wait ends')
  t.equal(readAnswer(res.contentType, res.body).nu, '0750124000001G1226', 'processed before the delay')
})

t.test('the admin API validates rules, lists them and answers loopback clients only', async (t) => {
  const s = await startSimulator(t, spec, {}, { clock: time.clock })
  const bad = await s.admin('POST', '/faults', { kind: 'http-503' })
  t.equal(bad.statusCode, 400)
  t.match(bad.json, { code: 'GW_SIM_FAULT_RULE_INVALID', status: 400 })
  t.equal((await s.admin('DELETE', '/faults/42')).statusCode, 404)
  await s.admin('POST', '/faults', { kind: 'http-503', count: 3 })
  t.match((await s.admin('GET', '/faults')).json, { rules: [{ id: '1', kind: 'http-503', operation: '*', remaining: 3, injected: 0 }], total: 0 })
  t.equal((await s.admin('DELETE', '/faults')).statusCode, 204)
  t.same((await s.admin('GET', '/faults')).json, { rules: [], injected: {}, total: 0 })
  t.equal((await s.admin('GET', '/health')).statusCode, 200)
  const remote = await s.sim.admin.inject({ method: 'GET', url: '/faults', remoteAddress: '192.0.2.10' })
  t.equal(remote.statusCode, 403)
  t.match(remote.json(), { code: 'GW_SIM_ADMIN_FORBIDDEN' })
  t.equal((await s.sim.admin.inject({ method: 'GET', url: '/health', remoteAddress: '::ffff:127.0.0.1' })).statusCode, 200)
  t.equal((await s.sim.admin.inject({ method: 'GET', url: '/health', remoteAddress: '::1' })).statusCode, 200)
})

t.test('invalid options are refused with every problem named', async (t) => {
  const { cert, key, ca } = await tlsMaterial()
  await t.rejects(buildSimulator({ tls: { cert, key, ca }, faults: [{ kind: 'latency', count: 1 } as never], seed: -1 }, { spec }),
    { code: 'GW_SIM_OPTIONS_INVALID', message: /\/seed must be >= 0.*\/faults\/0 must have required property 'latencyMs'|\/faults\/0.*latencyMs.*\/seed/ })
  await t.rejects(buildSimulator({ tls: { cert, key, ca }, faults: [{ kind: 'http-503', count: 1, operation: 'nope' }] }, { spec }),
    { code: 'GW_SIM_FAULT_RULE_INVALID' })
})

t.test('a body over the limit is a 413 Fault', async (t) => {
  const s = await startSimulator(t, spec, { bodyLimit: 2048 }, { clock: time.clock })
  const res = await request(s.url, { dispatcher: s.agent, method: 'POST', headers: { 'content-type': 'application/soap+xml' }, body: Buffer.alloc(4096, 0x20) })
  t.equal(res.statusCode, 413)
  t.match(await res.body.text(), 'gw:GW_SIM_BODY_TOO_LARGE')
})
