// The REST API over real mutual TLS, in front of the école simulator: JSON in, JSON out, the SOAP
// message built by the gateway and sent down the SOAP path.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { request } from 'undici'
import { NOW, startStack, type Stack } from './helpers/gateway-stack.js'
import { exampleDemandes, type Json } from './helpers/rest-examples.js'

// The gateway dates the files it writes with its clock: the corpus clock, as the simulator's.
const stack: Stack = await startStack({ edit: (c) => { c.environments.ecole.guichets = { identities: { G1226: ['G1226'] } } }, deps: { clock: () => NOW } })
t.teardown(async () => { await stack.close() })
const example = exampleDemandes(stack.spec)

const API = '/ecole/api/v1'
async function call (method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number, headers: Record<string, unknown>, json: Json }> {
  const res = await request(stack.gatewayUrl + API + path, {
    method,
    dispatcher: stack.client,
    // Every write carries its own Idempotency-Key (a search takes none and ignores one).
    headers: body === undefined ? headers : { 'content-type': 'application/json', 'idempotency-key': randomUUID(), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  const text = await res.body.text()
  return { status: res.statusCode, headers: res.headers, json: text === '' ? {} : JSON.parse(text) as Json }
}

t.test('create a demande with JSON alone, then read it back', async (t) => {
  const cre = example('cre')
  const before = await stack.simulatorStats()
  const created = await call('POST', '/demandes', cre)
  t.equal(created.status, 201, `created (${String(created.json.code ?? '')})`)
  const nu = created.json.demandeLogement?.numUnique as string
  t.match(nu, /^\d{13}G1226$/)
  t.equal(created.headers.location, `${API}/demandes/${nu}`)
  t.equal(created.headers['sne-interface-version'], '02.01')
  t.equal(created.headers['content-type'], 'application/json; charset=utf-8')
  t.equal((await stack.simulatorStats()).total, before.total + 1, 'one SOAP call reached the simulator')
  const access = stack.logs.access().at(-1)
  t.match(access, { operation: 'getNumUnique', outcome: 'forwarded', status: 201, identity: 'G1226', guichets: ['G1226'] }, 'the access line of the SOAP path')

  const read = await call('GET', `/demandes/${nu}`)
  t.equal(read.status, 200)
  t.equal(read.json.demandeLogement.numUnique, nu)
  t.same(read.json.demandeLogement.personnePhysique.demandeur.nom, cre.personnePhysique.demandeur.nom)
})

t.test('problems: invalid JSON, contract errors with pointers, unknown numéro unique, bad parameters', async (t) => {
  const bad = await request(stack.gatewayUrl + API + '/demandes', { method: 'POST', dispatcher: stack.client, headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() }, body: '{' })
  t.equal(bad.statusCode, 400)
  t.equal(bad.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.match(await bad.body.json(), { code: 'GW_REST_INVALID_JSON', status: 400 })

  const cre = example('cre')
  delete cre.logementRecherche
  cre.dateCreationDemande = 'hier'
  const invalid = await call('POST', '/demandes', cre)
  t.equal(invalid.status, 400)
  t.equal(invalid.json.code, 'GW_REST_CONTRACT')
  t.same(invalid.json.errors.map((e: Json) => e.pointer).sort(), ['/dateCreationDemande', '/logementRecherche'])
  t.same(invalid.json.errors.map((e: Json) => e.path).sort(), ['/interfaceNuu/demande[1]/demandeLogement/dateCreationDemande', '/interfaceNuu/demande[1]/demandeLogement/logementRecherche'])
  t.ok(invalid.json.errors.every((e: Json) => typeof e.pointer === 'string' && typeof e.path === 'string'), 'each error has its pointer and XSD path')

  const unknown = await call('GET', '/demandes/0750124999999G1226')
  t.equal(unknown.status, 404)
  t.match(unknown.json, { code: 'GW_REST_DEMANDE_NOT_FOUND', anomalies: [{ code: 'CTRL_DEM_0001' }] })

  const since = await call('GET', '/dalo?depuis=2025-01-01T00:00:00+01:00')
  t.equal(since.status, 400)
  t.match(since.json.title, 'must be percent-encoded as %2B')
  t.equal((await call('GET', '/dalo?depuis=2025-01-01T00:00:00%2B01:00')).status, 200)

  const nowhere = await call('GET', '/nulle-part')
  t.equal(nowhere.status, 404)
  t.equal(nowhere.json.code, 'GW_ROUTE_NOT_FOUND', 'a route error under the API is problem+json too')
})

t.test('the guichets\' authorization applies to REST calls as to SOAP ones', async (t) => {
  const other = example('cre')
  other.numGuichet = 'G1104'
  const refused = await call('POST', '/demandes', other)
  t.equal(refused.status, 403)
  t.equal(refused.json.code, 'GW_GUICHET_FORBIDDEN')
  const forbidden = await call('GET', '/demandes/0750124000001G1226', undefined, { 'sne-guichet': 'G1104' })
  t.equal(forbidden.status, 403)
})

t.test('every route: modify, renew, radiate, reactivate, declare DALO, search doublons, list, delete', async (t) => {
  const cre = example('cre')
  const created = await call('POST', '/demandes', cre)
  const nu = created.json.demandeLogement.numUnique as string
  const current = created.json.demandeLogement as Json
  const { listeEvenement: _events, dateFinValidite: _end, ...editable } = current

  const mod = await call('PUT', `/demandes/${nu}`, { ...editable, listeMotifDemande: { motifDemande: ['07'] } })
  t.equal(mod.status, 200, `MOD ${String(mod.json.code ?? '')}`)
  t.same(mod.json.demandeLogement.listeMotifDemande, { motifDemande: ['07'] })
  t.equal((await call('PUT', `/demandes/${nu}`, { ...editable, numUnique: '0750125000999G1226' })).json.code, 'GW_REST_NUMUNIQUE_MISMATCH')

  const ren = await call('POST', `/demandes/${nu}/renouvellement`, editable)
  t.match(ren.status, /^(200|422)$/, `REN ${String(ren.json.code ?? '')}`)
  if (ren.status === 422) t.match(ren.json, { code: 'GW_REST_SNE_ANOMALY', anomalies: [{ code: /^CTRL_DEM_\d{4}$/ }] }, 'the SNE\'s anomalies, verbatim')

  t.equal((await call('POST', `/demandes/${nu}/radiation`, editable)).json.code, 'GW_REST_RADIATION_MOTIF', 'a radiation names its motif')
  const rad = await call('POST', `/demandes/${nu}/radiation`, { ...editable, radiation: { motif: 'RADCON' } })
  t.equal(rad.status, 200, `RAD ${String(rad.json.code ?? '')}`)
  t.equal(rad.json.demandeLogement.radiation?.motif, 'RADCON')
  const radiations = await call('GET', '/radiations?depuis=2025-01-01T00:00:00.000%2B01:00')
  t.equal(radiations.status, 200)
  t.ok(radiations.json.demandes.some((d: Json) => d.demandeLogement.numUnique === nu), 'the radiation is listed')
  const again = await call('PUT', `/demandes/${nu}`, editable)
  t.equal(again.status, 422)
  t.match(again.json, { code: 'GW_REST_SNE_ANOMALY', anomalies: [{ code: 'CTRL_DEM_0009' }] }, 'a radiated demande cannot be modified')

  const back = await call('POST', `/demandes/${nu}/reactivation`, editable)
  t.equal(back.status, 200, `réactivation ${String(back.json.code ?? '')}`)
  t.equal(back.json.demandeLogement.radiation, undefined)

  const dalo = await call('POST', `/demandes/${nu}/dalo`, { dateDecisionDalo: '2025-11-28', statutDalo: 'ACTIF', typologieLogementDalo: '23' })
  t.equal(dalo.status, 200, `DALO ${String(dalo.json.code ?? '')}`)
  t.equal((await call('POST', `/demandes/${nu}/dalo`, { dateDecisionDalo: '2025-11-28', statutDalo: 'ACTIF', autre: 1 })).json.code, 'GW_REST_CONTRACT')

  const doublons = await call('POST', '/doublons/recherche', example('doublons-partielle'))
  t.equal(doublons.status, 200, `doublons ${String(doublons.json.code ?? '')}`)
  t.ok(Array.isArray(doublons.json.doublons))
  t.ok(doublons.json.doublons.some((d: Json) => d.numUnique === nu), 'the demande just created is a possible doublon')

  const dalos = await call('GET', '/dalo?depuis=2025-01-01T00:00:00.000%2B01:00')
  t.equal(dalos.status, 200)
  t.ok(Array.isArray(dalos.json.demandes))

  const sup = await call('POST', `/demandes/${nu}/suppression`, editable)
  t.equal(sup.status, 200, `SUP ${String(sup.json.code ?? '')}`)
  const gone = await call('GET', `/demandes/${nu}`)
  t.match(gone.status, /^(404|422)$/, 'a deleted demande is no longer read')
})

t.test('limits on REST: RateLimit fields on every answer, a 429 problem with Retry-After', async (t) => {
  const limited = await startStack({
    edit: (c) => {
      c.environments.ecole.guichets = { identities: { G1226: ['G1226'] } }
      c.environments.ecole.limits = { identity: { ratePerSecond: 0.1, burst: 2 } }
    },
    deps: { clock: () => NOW }
  })
  t.teardown(limited.close)
  const get = async (): Promise<{ status: number, headers: Record<string, unknown>, json: Json }> => {
    const res = await request(limited.gatewayUrl + API + '/dalo?depuis=2025-01-01T00:00:00.000%2B01:00', { dispatcher: limited.client })
    return { status: res.statusCode, headers: res.headers, json: await res.body.json() as Json }
  }
  const first = await get()
  t.equal(first.status, 200)
  t.match(first.headers, { 'ratelimit-limit': '2', 'ratelimit-remaining': '1' })
  t.match((await get()).headers, { 'ratelimit-remaining': '0' })
  const refused = await get()
  t.equal(refused.status, 429)
  t.equal(refused.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.equal(refused.json.code, 'GW_LIMIT_RATE')
  t.equal(refused.headers['retry-after'], '10', 'a token every 10 s')
  t.match(refused.headers, { 'ratelimit-limit': '2', 'ratelimit-remaining': '0', 'ratelimit-reset': /^\d+$/ })
})

t.test('the OpenAPI document is published per environment, with the client certificate, cacheable', async (t) => {
  const res = await request(stack.gatewayUrl + API + '/openapi.json', { dispatcher: stack.client })
  t.equal(res.statusCode, 200)
  const doc = await res.body.json() as Json
  t.equal(doc.openapi, '3.1.0')
  t.match(doc.servers, [{ url: /\/ecole\/api\/v1$/ }])
  t.ok(doc.paths['/demandes/{numUnique}'].get, 'the routes')
  const etag = res.headers.etag as string
  t.match(res.headers['cache-control'], 'max-age=')
  const again = await request(stack.gatewayUrl + API + '/openapi.json', { dispatcher: stack.client, headers: { 'if-none-match': etag } })
  t.equal(again.statusCode, 304)
  await again.body.dump()
})
