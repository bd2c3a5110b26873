/**
 * REST against SOAP in one process, and optionally one build against another: the CPU of a REST
 * call and of the SOAP call it becomes, measured on the same gateway, interleaved, so that a change
 * of the REST path shows as a change of its ratio under the same machine load.
 *
 * Each build (this one's `dist/`, and another built `dist/` given on the command line, e.g. main's:
 * `git worktree add /tmp/base main && (cd /tmp/base && npm run build) && ln -s "$PWD/node_modules" /tmp/base/`)
 * gets its own gateway (buildGateway, Fastify's `inject()`, no socket; ops and census off; the
 * guichet G1226's certificate in the messages the REST API builds, as the `rest` section of
 * `npm run bench` configures; `validation.workers` from BENCH_WORKERS, 1 by default). Every
 * gateway's upstream is an undici Dispatcher replaying, by action, the answers the école simulator
 * gave once (recorded in this process before the runs): only the gateway is measured.
 *
 * Four calls: SOAP getNumUnique CRE and REST `POST /demandes` (a new Idempotency-Key each; the
 * idempotency store records nothing unless BENCH_STORE=memory), SOAP getDemandeLogement and REST
 * `GET /demandes/{numUnique}`. A round runs each call of each build in turn, BENCH_CALLS calls,
 * BENCH_CONCURRENCY callers; per call, the whole process's CPU (`process.cpuUsage`: main thread,
 * validation worker, libuv's threads) and the main thread's alone (`/proc/self/task/<pid>/stat`,
 * clock ticks). The figure of each (build, call) is its fastest round of BENCH_ROUNDS, after a
 * warm-up: on a shared machine, the least disturbed one.
 *
 * With BENCH_COUNT_ASYNC=1, after the rounds, each call runs BENCH_CALLS more times with an
 * `async_hooks` hook counting the asynchronous resources created, by type (PROMISE: a promise,
 * each `await` of one; Timeout, Immediate, TickObject…), per call: the promise hops and timers of
 * a REST call against its SOAP call's (`inject()`'s own are on both sides).
 *
 * Run: `npm run build && node dist/bench/rest-ab.js [BASE_DIST] [--swap]` (`--swap`: this build measured
 * first in each round). Prints a Markdown section.
 */
import { createHook } from 'node:async_hooks'
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { pino } from 'pino'
import { ensureDevPki } from '../src/tls/dev-pki.js'
import { noStore } from './harness/no-idempotency-store.js'
import { clockTicks } from './harness/machine.js'
import { buildBenchMessages, numUniqueOfAnswer, readMessageSources } from './harness/messages.js'
import { mainThreadCpuUs } from './harness/proc-stats.js'
import { repoRoot } from './harness/repo-root.js'
import { RecordByAction, ReplayByAction } from './harness/replay-dispatcher.js'
import { REST_API_PATH, REST_GUICHET, demandeLogementJson } from './harness/rest-messages.js'

const SOAP_PATH = '/ecole/services/DemandeLogementImplService/'
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6)
const CALLS = Number(process.env.BENCH_CALLS ?? 1000)
const WARMUP = Number(process.env.BENCH_WARMUP ?? 400)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50)
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1)
const STORE = process.env.BENCH_STORE === 'memory' ? 'memory' : 'none'

/* eslint-disable @typescript-eslint/consistent-type-imports -- the same modules, from another build */
type GatewayModule = typeof import('../src/gateway.js')
type ConfigModule = typeof import('../src/config/validate.js')
type ContractModule = typeof import('../src/contract/index.js')
type JsonContractModule = typeof import('../src/contract/json-contract.js')
type SimulatorModule = typeof import('../src/simulator/index.js')
type SqliteModule = typeof import('../src/idempotency/sqlite-store.js')
/* eslint-enable @typescript-eslint/consistent-type-imports */

interface Build {
  label: string
  gateway: Awaited<ReturnType<GatewayModule['buildGateway']>>
  close: () => Promise<void>
}

const root = repoRoot(import.meta.url)
const outDir = join(root, 'bench', 'out')
const pki = await ensureDevPki(join(outDir, 'pki'))
const clientPem = readFileSync(pki.client.cert)
const sources = await readMessageSources(join(root, 'examples'))
const logger = pino({ level: 'silent' })

async function modulesOf (dist: string): Promise<{ gw: GatewayModule, config: ConfigModule, contract: ContractModule, json: JsonContractModule, sim: SimulatorModule, sqlite: SqliteModule }> {
  const url = (path: string): string => pathToFileURL(join(dist, path)).href
  return {
    gw: await import(url('src/gateway.js')) as GatewayModule,
    config: await import(url('src/config/validate.js')) as ConfigModule,
    contract: await import(url('src/contract/index.js')) as ContractModule,
    json: await import(url('src/contract/json-contract.js')) as JsonContractModule,
    sim: await import(url('src/simulator/index.js')) as SimulatorModule,
    sqlite: await import(url('src/idempotency/sqlite-store.js')) as SqliteModule
  }
}

function configOf (m: ConfigModule): ReturnType<ReturnType<ConfigModule['createConfigValidator']>> {
  return m.createConfigValidator()({
    dataPlane: { port: 0, tls: { cert: pki.server.cert, key: pki.server.key, clientCertificates: 'none' } },
    ops: { enabled: false },
    validation: { workers: WORKERS },
    census: { enabled: false },
    idempotency: { file: ':memory:' },
    environments: { ecole: { upstream: { url: 'https://sne-ecole.test/services/DemandeLogementImplService/' }, messageCertificates: { [REST_GUICHET]: { cert: pki.client.cert } } } }
  })
}

// --- this build: record the simulator's answers (SOAP CRE, then the read of the numéro unique it made) ---
const here = await modulesOf(resolve(join(root, 'dist')))
const spec = await here.contract.loadSpec({ dir: join(root, 'wsdl') })
const sim = await here.sim.buildSimulator({ tls: { cert: readFileSync(pki.simulator.cert), key: readFileSync(pki.simulator.key), ca: readFileSync(pki.ca.cert) } }, { spec, logger })
const recorder = new RecordByAction(async (o) => await sim.app.inject(o))
const recording = await here.gw.buildGateway(configOf(here.config), { spec, logger, createDispatcher: () => recorder, idempotency: { store: noStore } })
const probe = buildBenchMessages({ sources, certificatePem: clientPem, numUnique: '0000000000000G1226' })[0]!
const created = await recording.app.inject({ method: 'POST', url: SOAP_PATH, payload: probe.body, headers: { 'content-type': probe.contentType } })
const numUnique = numUniqueOfAnswer(created.rawPayload, String(created.headers['content-type']))
if (created.statusCode !== 200 || numUnique === undefined) throw new Error(`the simulator's CRE answer (HTTP ${created.statusCode}) holds no numéro unique`)
const [soapCre, soapRead] = buildBenchMessages({ sources, certificatePem: clientPem, numUnique })
const read = await recording.app.inject({ method: 'POST', url: SOAP_PATH, payload: soapRead!.body, headers: { 'content-type': soapRead!.contentType } })
if (read.statusCode !== 200) throw new Error(`the simulator answered the read with HTTP ${read.statusCode}`)
await recording.close()
await sim.close()
const demande = Buffer.from(JSON.stringify(demandeLogementJson(spec, here.json.contractOf(spec), sources.cre)))
spec.dispose()

interface Call { name: string, rest: boolean, ok: number, run: (b: Build) => Promise<{ statusCode: number }> }
const calls: Call[] = [
  { name: 'SOAP CRE', rest: false, ok: 200, run: async (b) => await b.gateway.app.inject({ method: 'POST', url: SOAP_PATH, payload: soapCre!.body, headers: { 'content-type': soapCre!.contentType } }) },
  { name: 'REST creation', rest: true, ok: 201, run: async (b) => await b.gateway.app.inject({ method: 'POST', url: `${REST_API_PATH}/demandes`, payload: demande, headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() } }) },
  { name: 'SOAP read', rest: false, ok: 200, run: async (b) => await b.gateway.app.inject({ method: 'POST', url: SOAP_PATH, payload: soapRead!.body, headers: { 'content-type': soapRead!.contentType } }) },
  { name: 'REST read', rest: true, ok: 200, run: async (b) => await b.gateway.app.inject({ method: 'GET', url: `${REST_API_PATH}/demandes/${numUnique}`, headers: { 'sne-guichet': REST_GUICHET } }) }
]

async function buildOf (label: string, dist: string): Promise<Build> {
  const m = label === 'this build' ? here : await modulesOf(dist)
  const buildSpec = await m.contract.loadSpec({ dir: join(root, 'wsdl') })
  const store = STORE === 'memory' ? m.sqlite.openSqliteIdempotencyStore(':memory:') : noStore
  const gateway = await m.gw.buildGateway(configOf(m.config), { spec: buildSpec, logger, createDispatcher: () => new ReplayByAction(recorder.answers), idempotency: { store } })
  const b: Build = { label, gateway, close: async () => { await gateway.close(); await store.close(); buildSpec.dispose() } }
  for (const c of calls) {
    const res = await c.run(b)
    if (res.statusCode !== c.ok) throw new Error(`${label}: ${c.name} answered ${res.statusCode}`)
  }
  return b
}

const base = process.argv.slice(2).find((a) => !a.startsWith('--'))
const swap = process.argv.includes('--swap')
const builds = [await buildOf('this build', join(root, 'dist'))]
if (base !== undefined) builds.unshift(await buildOf(`base (${base})`, resolve(base)))
// Each round measures the builds in this order; `--swap` measures this build first.
if (swap) builds.reverse()

const ticks = await clockTicks()

async function many (b: Build, c: Call, count: number): Promise<void> {
  let left = count
  const caller = async (): Promise<void> => {
    while (left-- > 0) {
      const res = await c.run(b)
      if (res.statusCode !== c.ok) throw new Error(`${b.label}: ${c.name} answered ${res.statusCode}`)
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, caller))
}

/** The asynchronous resources each call of this build creates, by type, per call. */
async function countAsync (): Promise<Map<string, Map<string, number>>> {
  const out = new Map<string, Map<string, number>>()
  const b = builds.find((x) => x.label === 'this build')!
  for (const c of calls) {
    const counts = new Map<string, number>()
    const hook = createHook({ init (_id, type) { counts.set(type, (counts.get(type) ?? 0) + 1) } })
    hook.enable()
    try {
      await many(b, c, CALLS)
    } finally {
      hook.disable()
    }
    out.set(c.name, new Map([...counts].map(([k, v]) => [k, v / CALLS])))
  }
  return out
}
let asyncCounts: Map<string, Map<string, number>> | undefined

const best = new Map<string, { all: number, main: number }>()
const key = (b: Build, c: Call): string => `${b.label}\u0000${c.name}`
const load0 = loadavg()
const startedAt = new Date()
try {
  for (const b of builds) for (const c of calls) await many(b, c, WARMUP)
  for (let r = 0; r < ROUNDS; r++) {
    for (const c of calls) {
      for (const b of builds) {
        const main0 = mainThreadCpuUs(ticks)
        const cpu0 = process.cpuUsage()
        await many(b, c, CALLS)
        const cpu = process.cpuUsage(cpu0)
        const figure = { all: (cpu.user + cpu.system) / CALLS, main: (mainThreadCpuUs(ticks) - main0) / CALLS }
        const k = key(b, c)
        const prev = best.get(k)
        if (prev === undefined || figure.all < prev.all) best.set(k, figure)
      }
    }
  }
  if (process.env.BENCH_COUNT_ASYNC === '1') asyncCounts = await countAsync()
} finally {
  for (const b of builds) await b.close()
}
const load1 = loadavg()

const f0 = (x: number): string => x.toFixed(0)
const fig = (b: Build, name: string): { all: number, main: number } => best.get(`${b.label}\u0000${name}`)!
console.log([
  `#### REST against SOAP in one process (\`node dist/bench/rest-ab.js${base === undefined ? '' : ` ${base}`}${swap ? ' --swap' : ''}\`, ${startedAt.toISOString()})`,
  '',
  `${cpus().length} CPU, Node ${process.version}; validation workers ${WORKERS}, idempotency store ${STORE}; fastest of ${ROUNDS} rounds of ${CALLS} calls, ${CONCURRENCY} callers, after ${WARMUP} per call; load average ${load0.map((l) => l.toFixed(2)).join(' ')} at start, ${load1.map((l) => l.toFixed(2)).join(' ')} at end.`,
  '',
  '| build | SOAP CRE µs | REST creation µs | SOAP read µs | REST read µs | creation ratio | read ratio | main thread: SOAP CRE / REST creation / SOAP read / REST read µs |',
  '|---|---:|---:|---:|---:|---:|---:|---|',
  ...builds.map((b) => {
    const [cre, rc, rd, rr] = calls.map((c) => fig(b, c.name))
    return `| ${b.label} | ${f0(cre!.all)} | ${f0(rc!.all)} | ${f0(rd!.all)} | ${f0(rr!.all)} | ${(rc!.all / cre!.all).toFixed(2)} | ${(rr!.all / rd!.all).toFixed(2)} | ${[cre, rc, rd, rr].map((x) => f0(x!.main)).join(' / ')} |`
  }),
  ...(asyncCounts === undefined ? [] : asyncTable(asyncCounts))
].join('\n'))

function asyncTable (counts: Map<string, Map<string, number>>): string[] {
  const types = [...new Set([...counts.values()].flatMap((m) => [...m.keys()]))].sort()
  return [
    '',
    `Asynchronous resources created per call (this build, \`async_hooks\` init, ${CALLS} calls each, \`inject()\`'s own included on both sides):`,
    '',
    `| call | ${types.join(' | ')} |`,
    `|---|${types.map(() => '---:').join('|')}|`,
    ...calls.map((c) => `| ${c.name} | ${types.map((t) => (counts.get(c.name)?.get(t) ?? 0).toFixed(1)).join(' | ')} |`)
  ]
}
