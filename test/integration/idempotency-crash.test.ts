// kill -9 of a gateway process between "sent" and "done": the creation's record survives in the
// store, a second gateway process on the same store answers the retry 409 while the first attempt
// could still be running, then reconciles it with the SNE and answers its numéro unique — one
// demande in the simulator, never two. Run with the embedded store file (a restart on the same
// host) and with the shared PostgreSQL store (another instance taking over). The gateways run as
// child processes through the real CLI (`sne-gateway start --config FILE`); the simulator and the
// PostgreSQL cluster run from this process.
import t, { type Test } from 'tap'
import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { Agent, request } from 'undici'
import { buildSimulator } from '../../src/simulator/index.js'
import { openSqliteIdempotencyStore } from '../../src/idempotency/sqlite-store.js'
import type { IdempotencyStore } from '../../src/idempotency/store.js'
import { openSharedStore } from '../../src/store/postgres.js'
import { pino } from 'pino'
import pg from 'pg'
import { postgresTestSkip, startPostgres } from '../../bench/harness/postgres.js'
import { testPki } from '../helpers/pki.js'
import { freePort, REPO_ROOT, TS_LOADER } from '../helpers/child-process.js'
import { defaultSpecDir, loadSpec } from '../../src/contract/index.js'
import { exampleDemandes, type Json } from './helpers/rest-examples.js'

// Two gateway processes compile the sources at start: on a loaded machine this takes a while.
t.setTimeout(300_000)

const root = REPO_ROOT
const loader = TS_LOADER


interface Gateway { process: ChildProcess, url: string, exited: Promise<unknown> }

async function startGateway (t: Test, config: string, agent: Agent): Promise<Gateway> {
  const port = await freePort()
  const child = spawn(process.execPath, [...loader, join(root, 'src/cli.ts'), 'start', '--config', config], {
    cwd: root,
    env: { ...process.env, SNE_GATEWAY_DATA_PLANE_PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe']
  })
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => { resolve(signal ?? code) }))
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  const url = `https://127.0.0.1:${port}`
  for (let i = 0; i < 1200; i++) {
    if (child.exitCode !== null) throw new Error(`the gateway exited: ${stderr}`)
    const up = await request(`${url}/ecole/api/v1/openapi.json`, { dispatcher: agent }).then(async (r) => { await r.body.dump(); return r.statusCode === 200 }, () => false)
    if (up) return { process: child, url, exited }
    await sleep(100)
  }
  throw new Error(`the gateway did not start: ${stderr}`)
}

async function crashAndRetry (t: Test, kind: 'sqlite' | 'postgresql'): Promise<void> {
  const pki = await testPki()
  // The system clock: the gateway processes date their files now, and the simulator checks them.
  const spec = await loadSpec({ dir: defaultSpecDir() })
  t.teardown(() => { spec.dispose() })
  const dir = t.testdir({})
  const [cert, key, ca] = [readFileSync(pki.simulator.cert), readFileSync(pki.simulator.key), readFileSync(pki.ca.cert)]
  const sim = await buildSimulator({ tls: { cert, key, ca } }, { spec })
  await sim.app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(async () => { await sim.close() })
  const simPort = (sim.app.server.address() as { port: number }).port

  const store = join(dir, 'idempotency.sqlite')
  let storeUrl: string | undefined
  if (kind === 'postgresql') {
    const cluster = await startPostgres()
    t.teardown(() => { cluster.destroy() })
    storeUrl = cluster.url
  }
  const config = join(dir, 'gateway.json')
  const censusFile = join(dir, 'census.sqlite')
  writeFileSync(config, JSON.stringify({
    dataPlane: { host: '127.0.0.1', tls: { cert: pki.server.cert, key: pki.server.key, clientCertificates: 'optional', clientCa: pki.ca.cert } },
    ops: { enabled: false },
    // With the shared store, the census goes to PostgreSQL: the file is never made.
    census: storeUrl === undefined ? { enabled: false } : { enabled: true, file: censusFile, flushIntervalMs: 200 },
    log: { level: 'warn' },
    validation: { workers: 0 },
    // An attempt may last 1 + 2 + 1 s; a record stays in flight 4.5 s after it was sent.
    idempotency: { file: store, settlingDelayMs: 500 },
    ...(storeUrl === undefined ? {} : { store: { url: storeUrl } }),
    environments: {
      ecole: {
        upstream: {
          url: `https://127.0.0.1:${simPort}/services/DemandeLogementImplService/`,
          ca: pki.ca.cert,
          cert: pki.upstreamClient.cert,
          key: pki.upstreamClient.key,
          timeouts: { connectMs: 1000, headersMs: 2000, bodyMs: 1000 }
        }
      }
    }
  }))
  const agent = new Agent({ connect: { ca, cert: readFileSync(pki.client.cert), key: readFileSync(pki.client.key) } })
  t.teardown(async () => { await agent.close() })

  const cre = exampleDemandes(spec)('cre')
  cre.personnePhysique.demandeur.nom = 'FICTIF-CRASH'
  delete cre.personnePhysique.listeCotitulaire
  const idempotencyKey = randomUUID()
  const create = async (gateway: Gateway): Promise<{ status: number, json: Json }> => {
    const res = await request(`${gateway.url}/ecole/api/v1/demandes`, { dispatcher: agent, method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey }, body: JSON.stringify(cre) })
    const text = await res.body.text()
    return { status: res.statusCode, json: JSON.parse(text) as Json }
  }
  const demandes = async (gateway: Gateway): Promise<string[]> => {
    const search = { numGuichet: 'G1226', dateCreationDemande: cre.dateCreationDemande, personnePhysique: { demandeur: cre.personnePhysique.demandeur }, logementRecherche: cre.logementRecherche }
    const res = await request(`${gateway.url}/ecole/api/v1/doublons/recherche`, { dispatcher: agent, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(search) })
    const json = await res.body.json() as Json
    if (res.statusCode !== 200) throw new Error(`search: ${res.statusCode} ${JSON.stringify(json)}`)
    return (json.doublons as Json[]).map((d) => d.numUnique as string)
  }

  const first = await startGateway(t, config, agent)
  // The simulator registers the creation, then holds its answer: the gateway is killed meanwhile.
  await sim.admin.inject({ method: 'POST', url: '/faults', payload: { kind: 'latency', operation: 'getNumUnique', latencyMs: 1500, count: 1 } })
  const active = async (): Promise<number> => ((await sim.admin.inject({ method: 'GET', url: '/stats' })).json() as { demandes: { ACTIVE: number } }).demandes.ACTIVE
  const numUniqueCalls = async (): Promise<number> => Object.values(((await sim.admin.inject({ method: 'GET', url: '/stats' })).json() as { calls: Record<string, Record<string, number>> }).calls.getNumUnique ?? {}).reduce((a, b) => a + b, 0)
  const before = await active()
  const pending = create(first).then(() => 'answered', () => 'cut')
  let reader: IdempotencyStore
  if (storeUrl === undefined) {
    reader = openSqliteIdempotencyStore(store)
  } else {
    // the first process migrated the database before it listened
    const shared = await openSharedStore({ url: storeUrl, poolSize: 2, connectTimeoutMs: 2000, statementTimeoutMs: 5000, retryAfterSeconds: 1 }, pino({ level: 'silent' }))
    reader = { ...shared.idempotency, close: shared.close }
  }
  t.teardown(() => reader.close())
  const scope = { identity: 'G1226', env: 'ecole', key: idempotencyKey }
  let state: string | undefined
  for (let i = 0; i < 200 && state !== 'sent'; i++) {
    state = (await reader.get(scope))?.state
    if (state !== 'sent') await sleep(20)
  }
  t.equal(state, 'sent', 'recorded as sent before the answer')
  for (let i = 0; i < 200 && await active() === before; i++) await sleep(20)
  t.equal(await active(), before + 1, 'the SNE registered the creation, its answer held back')
  first.process.kill('SIGKILL')
  await first.exited
  t.equal(await pending, 'cut', 'the client lost its answer')
  t.match(await reader.get(scope), { state: 'sent', attempts: 1 }, 'the record survived the kill')

  const second = await startGateway(t, config, agent)
  const record = await reader.get(scope)
  // Only while the lease lasts (the second process may take longer than it to start on a loaded
  // machine; test/integration/idempotency.test.ts checks the 409 in flight in every run).
  if (record !== undefined && record.leaseUntil > Date.now() + 500) {
    const early = await create(second)
    t.match(early, { status: 409, json: { code: 'GW_IDEMPOTENCY_IN_FLIGHT' } }, 'while the first attempt could still be running')
  }
  await sleep(Math.max(0, (record?.leaseUntil ?? 0) - Date.now() + 200))
  const retry = await create(second)
  t.equal(retry.status, 201, String(retry.json.code ?? ''))
  const registered = await demandes(second)
  t.same(registered, [retry.json.demandeLogement.numUnique], 'the retry answers the registered demande, and only one exists')
  t.match(await reader.get(scope), { state: 'done', numUnique: registered[0], attempts: 1, reconciliation: undefined }, 'found, not sent again')
  await sleep(1600)
  t.equal(await numUniqueCalls(), 1, 'one getNumUnique ever reached the simulator (its count includes the held answer once released)')
  const again = await create(second)
  t.match(again, { status: 201, json: { demandeLogement: { numUnique: registered[0] } } })
  second.process.kill('SIGTERM')
  await second.exited
  if (storeUrl !== undefined) {
    t.notOk(existsSync(censusFile), 'no census file beside the shared store')
    const client = new pg.Client({ connectionString: storeUrl })
    await client.connect()
    const served = (await client.query<{ n: number }>('SELECT coalesce(sum((outcomes->>\'success\')::int), 0)::int AS n FROM sne_census_clients')).rows[0]!.n
    await client.end()
    t.ok(served >= 1, `the processes' census rows are in the shared store (${served} handshakes served)`)
  }
}

t.test('kill -9 between sent and done: the retry on a new process finds the creation, one demande', async (t) => {
  await crashAndRetry(t, 'sqlite')
})

t.test('the same with the shared PostgreSQL store: another instance takes the retry over', { skip: postgresTestSkip() }, async (t) => {
  await crashAndRetry(t, 'postgresql')
})
