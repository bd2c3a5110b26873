// Two gateway instances sharing one PostgreSQL store (a throw-away cluster), the école simulator
// behind both, over real mutual TLS: a key retried on the other instance while its call is in
// flight, then done; a store outage under traffic; each creation counted in the simulator.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { request } from 'undici'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { corpusCase, NOW, startStack, type Stack } from './helpers/gateway-stack.js'
import { exampleDemandes, type Json } from './helpers/rest-examples.js'
import { postgresTestSkip, startPostgres } from '../../bench/harness/postgres.js'

const skip = postgresTestSkip()
if (skip !== false) {
  t.plan(0, `shared store: ${skip}`)
} else {
  const cluster = await startPostgres()
  t.teardown(() => { cluster.destroy() })
  const auditDir = mkdtempSync(join(tmpdir(), 'sne-audit-'))
  t.teardown(() => { rmSync(auditDir, { recursive: true, force: true }) })
  let instances = 0
  const shared = (c: Record<string, any>): void => { // eslint-disable-line @typescript-eslint/no-explicit-any
    c.store = { url: cluster.url, connectTimeoutMs: 500, statementTimeoutMs: 1000, retryAfterSeconds: 3 }
    c.audit = { file: join(auditDir, `audit-${++instances}.jsonl`) }
    c.environments.ecole.guichets = { identities: { G1226: ['G1226'] } }
  }
  const a: Stack = await startStack({ edit: shared, deps: { clock: () => NOW } })
  const b: Stack = await startStack({ edit: shared, upstreamUrl: a.simulatorUrl, deps: { clock: () => NOW } })
  t.teardown(async () => { await b.close(); await a.close() })
  const example = exampleDemandes(a.spec)
  const API = '/ecole/api/v1'

  const call = async (stack: Stack, method: 'POST' | 'GET', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number, headers: Record<string, unknown>, json: Json }> => {
    const res = await request(stack.gatewayUrl + API + path, {
      method,
      dispatcher: stack.client,
      headers: body === undefined ? { 'sne-guichet': 'G1226', ...headers } : { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    const text = await res.body.text()
    return { status: res.statusCode, headers: res.headers, json: text === '' ? {} : JSON.parse(text) as Json }
  }
  const numUniqueCalls = async (): Promise<number> => Object.values((await a.simulatorStats()).calls.getNumUnique ?? {}).reduce((x, y) => x + y, 0)
  let people = 0
  const demandeOf = (): Json => {
    const cre = example('cre')
    cre.personnePhysique.demandeur.nom = `FICTIF-PARTAGE-${String.fromCharCode(65 + people++)}`
    delete cre.personnePhysique.listeCotitulaire
    return cre
  }

  t.test('the same key on instance B while A sends it: 409 on B, then the stored answer; one creation', async (t) => {
    const cre = demandeOf()
    const key = randomUUID()
    await a.sim!.admin.inject({ method: 'POST', url: '/faults', payload: { kind: 'latency', operation: 'getNumUnique', latencyMs: 1000, count: 1 } })
    t.teardown(async () => { await a.sim!.admin.inject({ method: 'DELETE', url: '/faults' }) })
    const calls = await numUniqueCalls()
    const onA = call(a, 'POST', '/demandes', cre, { 'idempotency-key': key })
    await new Promise((resolve) => setTimeout(resolve, 300))
    const onB = await call(b, 'POST', '/demandes', cre, { 'idempotency-key': key })
    t.match(onB, { status: 409, json: { code: 'GW_IDEMPOTENCY_IN_FLIGHT' } })
    t.match(onB.headers['retry-after'], /^[1-9]\d*$/)
    const first = await onA
    t.equal(first.status, 201, String(first.json.code ?? ''))
    const nu = first.json.demandeLogement.numUnique as string
    const replay = await call(b, 'POST', '/demandes', cre, { 'idempotency-key': key })
    t.equal(replay.status, 201)
    t.equal(replay.headers['idempotency-replayed'], 'true')
    t.equal(replay.json.demandeLogement.numUnique, nu, 'B answers A\'s numéro unique')
    t.equal(await numUniqueCalls(), calls + 1, 'one getNumUnique reached the simulator')
  })

  t.test('the store down: reads go on, writes get 503 GW_STORE_UNAVAILABLE with Retry-After and are not sent; back up, writes resume', async (t) => {
    const created = await call(a, 'POST', '/demandes', demandeOf(), { 'idempotency-key': randomUUID() })
    t.equal(created.status, 201)
    const nu = created.json.demandeLogement.numUnique as string
    const calls = await numUniqueCalls()
    cluster.stop()
    try {
      t.equal((await call(b, 'GET', `/demandes/${nu}`)).status, 200, 'a read does not need the store')
      for (const stack of [a, b]) {
        const refused = await call(stack, 'POST', '/demandes', demandeOf(), { 'idempotency-key': randomUUID() })
        t.match(refused, { status: 503, json: { code: 'GW_STORE_UNAVAILABLE' } })
        t.equal(refused.headers['retry-after'], '3')
      }
      t.equal(await numUniqueCalls(), calls, 'nothing sent without its record')
      const health = await request(`${a.opsUrl!}/health/ready`)
      const report = await health.body.json() as Json
      t.match(report.stores, { idempotency: { backend: 'postgresql', ok: false, error: /^[A-Z0-9_]+$/ } }, 'the ops plane says which store fails')
      t.equal(health.statusCode, report.upstreams.ecole.ok === true ? 200 : 503, 'a store outage alone does not make the gateway unready')
      const metrics = await (await request(`${a.opsUrl!}/metrics`)).body.text()
      t.match(metrics, /sne_gateway_store_up\{store="idempotency",backend="postgresql"\} 0/)
      // A write's first store operation is its key's lookup.
      t.match(metrics, /sne_gateway_store_errors_total\{store="idempotency",backend="postgresql",operation="get"\} [1-9]/)
    } finally {
      cluster.start()
    }
    const again = await call(b, 'POST', '/demandes', demandeOf(), { 'idempotency-key': randomUUID() })
    t.equal(again.status, 201, 'writes resume without a restart')
    t.match((await (await request(`${b.opsUrl!}/health/ready`)).body.json() as Json).stores, { idempotency: { ok: true } })
    t.equal(await numUniqueCalls(), calls + 1)
  })

  t.test('audit records: written to the file during an outage, then shipped; every instance lists every instance\'s', async (t) => {
    t.teardown(async () => { await a.sim!.admin.inject({ method: 'DELETE', url: '/faults' }) })
    // The stacks' clock is NOW: the records are dated by it.
    const since = new Date(NOW.getTime() - 60_000).toISOString()
    const cre = corpusCase('valid-getNumUnique-cre-mtom')!
    const audited = async (stack: Stack): Promise<Json[]> => {
      const res = await request(`${stack.opsUrl!}/ops/audit?since=${encodeURIComponent(since)}`)
      const json = await res.body.json() as Json
      if (res.statusCode !== 200) throw new Error(`ops/audit: ${res.statusCode} ${JSON.stringify(json)}`)
      return json.records as Json[]
    }
    cluster.stop()
    let reqId: string
    try {
      // A SOAP creation reset after its body: its outcome is unknown, audited; the SOAP path needs no store.
      await a.sim!.admin.inject({ method: 'POST', url: '/faults', payload: { kind: 'reset-after-body', operation: 'getNumUnique', count: 1 } })
      const res = await a.post('/ecole/services/DemandeLogementImplService/', cre.message, cre.contentType)
      t.equal(/GW_[A-Z_]+/.exec(res.body.toString('utf8'))?.[0], 'GW_PROXY_OUTCOME_UNKNOWN')
      const line = a.logs.lines().filter((l) => l.audit === true && l.event === 'outcome_unknown').at(-1)
      reqId = String(line?.reqId)
      t.match(reqId, /\S/)
    } finally {
      cluster.start()
    }
    // A's shipper retries on its timer (5 s): bounded wait for the record to reach the shared table.
    let records: Json[] = []
    for (let i = 0; i < 100 && !records.some((r) => r.reqId === reqId); i++) {
      records = await audited(b)
      if (!records.some((r) => r.reqId === reqId)) await new Promise((resolve) => setTimeout(resolve, 200))
    }
    const record = records.find((r) => r.reqId === reqId)
    t.match(record, { event: 'outcome_unknown', env: 'ecole', operation: 'getNumUnique', instance: /:\d+$/ }, 'instance B lists the record instance A wrote while the store was down')
    t.notMatch(JSON.stringify(records), /FICTIF|demandeur/, 'no personal data')
    t.equal((await request(`${b.opsUrl!}/ops/audit?since=yesterday`)).statusCode, 400)
  })
}
