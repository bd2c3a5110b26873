/**
 * The cost of the Idempotency-Key record of a REST creation, against the same creation without a
 * record, in one run and one process: three gateways (buildGateway, inline validation, Fastify's
 * `inject()`, no socket), identical but for their idempotency store —
 *   none:   a store that records nothing (begin always "created"): the baseline, the protocol's
 *           own code (key parsing, RFC 8785 fingerprint) still runs;
 *   memory: the SQLite store in memory: the statements' CPU, no disk;
 *   file:   the SQLite store on disk as shipped under bench/out/ (WAL; the `sent` and `done`
 *           commits fsynced on the thread pool, concurrent commits sharing one fsync);
 *   postgresql: the shared store (`store.url`) in a throw-away PostgreSQL cluster on this machine,
 *           durable (fsync, synchronous commits), when PostgreSQL's binaries are installed
 *           (BENCH_POSTGRES=0 leaves it out; BENCH_PG_DURABLE=0 turns fsync off, to see its cost).
 * The upstream is a dispatcher that replays the école simulator's answer to the first creation
 * (the simulator runs in-process once, then is closed), so that only the gateway is measured.
 *
 * Each variant runs in turn, ROUNDS times (A B C A B C …), BENCH_CREATIONS creations per turn after
 * a warm-up, each with a new key, BENCH_CONCURRENCY at a time (as many callers, each sending its
 * next creation once the previous one answered); per creation: wall µs (performance.now, the
 * turn's wall time ÷ its creations), CPU µs (process.cpuUsage, the whole process: event loop and
 * libuv's threads), the PostgreSQL server's CPU (its processes, read from /proc: the shared store's
 * statements cost the server too, which the gateway's process does not see) and, for the file,
 * fsyncs. Ratios are against `none` in the same run.
 *
 * Run: `npm run build && node dist/bench/idempotency.js`. Prints a Markdown section for bench/RESULTS.md.
 */
import { randomUUID } from 'node:crypto'
import { readFileSync, rmSync, mkdirSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'
import { Dispatcher } from 'undici'
import { pino } from 'pino'
import { createConfigValidator } from '../src/config/validate.js'
import { defaultSpecDir, loadSpec } from '../src/contract/index.js'
import { buildGateway, type Gateway } from '../src/gateway.js'
import { openSqliteIdempotencyStore, type SqliteIdempotencyStore } from '../src/idempotency/sqlite-store.js'
import type { IdempotencyStore } from '../src/idempotency/store.js'
import { noStore } from './harness/no-idempotency-store.js'
import { buildSimulator } from '../src/simulator/index.js'
import { ensureDevPki } from '../src/tls/dev-pki.js'
import { repoRoot } from './harness/repo-root.js'
import { ReplayUpstream } from './harness/replay-upstream.js'
import { postgresMissing, startPostgres, type PgCluster } from './harness/postgres.js'
import { openSharedStore, type SharedStore } from '../src/store/postgres.js'

const CREATIONS = Number(process.env.BENCH_CREATIONS ?? 1000)
const WARMUP = Number(process.env.BENCH_WARMUP ?? 200)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16)

const root = repoRoot(import.meta.url)
const outDir = join(root, 'bench', 'out')

function sourceState (): string {
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trimEnd()
  try {
    const dirty = git('status', '--porcelain', '--', 'src').split('\n').filter((l) => l !== '').map((l) => l.slice(3))
    return `commit ${git('rev-parse', '--short', 'HEAD')}${dirty.length > 0 ? ` plus uncommitted changes to ${dirty.join(', ')}` : ', src/ clean'}`
  } catch {
    return 'unknown (no git)'
  }
}


/** Forwards each call to the in-process simulator (inject), keeping its first answer. */
class RecordingUpstream extends Dispatcher {
  recorded: { status: number, headers: Record<string, string>, body: Buffer } | undefined
  constructor (private readonly inject: (o: { method: string, url: string, headers: Record<string, string>, payload: Buffer }) => Promise<{ statusCode: number, headers: Record<string, unknown>, rawPayload: Buffer }>) { super() }
  override dispatch (opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const controller = { abort () {}, pause () {}, resume () {}, aborted: false, paused: false, reason: null, rawHeaders: [], rawTrailers: [] } as unknown as Dispatcher.DispatchController
    const headers: Record<string, string> = {}
    const raw = opts.headers as Record<string, string | string[] | undefined> | string[] | undefined
    if (Array.isArray(raw)) for (let i = 0; i + 1 < raw.length; i += 2) headers[raw[i]!.toLowerCase()] = raw[i + 1]!
    else for (const [k, v] of Object.entries(raw ?? {})) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v
    this.inject({ method: opts.method, url: opts.path, headers, payload: Buffer.from(opts.body as Buffer) }).then((res) => {
      const answerHeaders = { 'content-type': String(res.headers['content-type']) }
      this.recorded ??= { status: res.statusCode, headers: answerHeaders, body: res.rawPayload }
      handler.onRequestStart?.(controller, {})
      handler.onResponseStart?.(controller, res.statusCode, answerHeaders, 'OK')
      handler.onResponseData?.(controller, res.rawPayload)
      handler.onResponseEnd?.(controller, {})
    }, (err: Error) => { handler.onResponseError?.(controller, err) })
    return true
  }

  override async close (): Promise<void> {}
  override async destroy (): Promise<void> {}
}

const loadStart = loadavg()
const startedAt = new Date()
const source = sourceState()
mkdirSync(outDir, { recursive: true })
const pki = await ensureDevPki(join(outDir, 'pki'))
const spec = await loadSpec({ dir: defaultSpecDir() })
const cre = readFileSync(join(root, 'examples', 'rest', 'demande-cre.json'))
const logger = pino({ level: 'silent' })
const clock = (): Date => new Date('2026-01-01T00:00:00Z')
const config = createConfigValidator()({
  dataPlane: { port: 0, tls: { cert: pki.server.cert, key: pki.server.key, clientCertificates: 'none' } },
  ops: { enabled: false },
  validation: { workers: 0 },
  census: { enabled: false },
  idempotency: { file: ':memory:' },
  environments: { ecole: { upstream: { url: 'https://sne-ecole.test/services/DemandeLogementImplService/' } } }
})

async function create (gateway: Gateway): Promise<void> {
  const res = await gateway.app.inject({ method: 'POST', url: '/ecole/api/v1/demandes', payload: cre, headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() } })
  if (res.statusCode !== 201) throw new Error(`creation answered ${res.statusCode}: ${res.body.slice(0, 300)}`)
}

// One creation through the simulator, to record its answer.
const [simCert, simKey, ca] = [readFileSync(pki.simulator.cert), readFileSync(pki.simulator.key), readFileSync(pki.ca.cert)]
const sim = await buildSimulator({ tls: { cert: simCert, key: simKey, ca } }, { spec, clock, logger })
const recording = new RecordingUpstream(async (o) => await sim.app.inject(o))
const first = await buildGateway(config, { spec, logger, clock, createDispatcher: () => recording, idempotency: { store: noStore } })
await create(first)
await first.close()
await sim.close()
const answer = recording.recorded
if (answer === undefined) throw new Error('no answer recorded')

const file = join(outDir, 'idempotency-bench.sqlite')
for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true })
const variants: Array<{ name: string, what: string, store: IdempotencyStore | SqliteIdempotencyStore }> = [
  { name: 'none', what: 'no record (baseline)', store: noStore },
  { name: 'memory', what: 'SQLite in memory', store: openSqliteIdempotencyStore(':memory:') },
  { name: 'file', what: 'SQLite file, WAL, fsynced off the event loop (as shipped)', store: openSqliteIdempotencyStore(file) }
]
let cluster: PgCluster | undefined
let shared: SharedStore | undefined
if (process.env.BENCH_POSTGRES !== '0' && postgresMissing() === false) {
  // BENCH_PG_DURABLE=0: fsync and synchronous commits off, to see what the durability costs.
  cluster = await startPostgres({ durable: process.env.BENCH_PG_DURABLE !== '0' })
  shared = await openSharedStore({ url: cluster.url, poolSize: 10, connectTimeoutMs: 2000, statementTimeoutMs: 5000, retryAfterSeconds: 5 }, logger)
  variants.push({ name: 'postgresql', what: `PostgreSQL on this machine, ${process.env.BENCH_PG_DURABLE === '0' ? 'NOT durable (fsync off)' : 'durable'} (shared store)`, store: shared.idempotency })
}
const syncsOf = (store: IdempotencyStore | SqliteIdempotencyStore): number | undefined => 'wal' in store ? store.wal?.syncs : undefined

/** `count` creations, `CONCURRENCY` callers at a time. */
async function createMany (gateway: Gateway, count: number): Promise<void> {
  let left = count
  const caller = async (): Promise<void> => { while (left-- > 0) await create(gateway) }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, caller))
}
const gateways = new Map<string, Gateway>()
for (const v of variants) gateways.set(v.name, await buildGateway(config, { spec, logger, clock, createDispatcher: () => new ReplayUpstream(answer), idempotency: { store: v.store } }))

const totals = new Map<string, { n: number, wallUs: number, cpuUs: number, serverUs: number, syncs: number }>(variants.map((v) => [v.name, { n: 0, wallUs: 0, cpuUs: 0, serverUs: 0, syncs: 0 }]))
/** The PostgreSQL server's CPU so far (0 without it: the embedded stores run in the process). */
const serverCpu = (): number => cluster?.cpuUs() ?? 0
const serverMeasured = cluster?.cpuUs() !== undefined
try {
  for (const v of variants) await createMany(gateways.get(v.name)!, WARMUP)
  for (let round = 0; round < ROUNDS; round++) {
    for (const v of variants) {
      const gateway = gateways.get(v.name)!
      const syncs0 = syncsOf(v.store) ?? 0
      const server0 = serverCpu()
      const cpu0 = process.cpuUsage()
      const t0 = performance.now()
      await createMany(gateway, CREATIONS)
      const wall = performance.now() - t0
      const cpu = process.cpuUsage(cpu0)
      // Every variant's turn: the server's background work (checkpoints, WAL writer) counts where it falls.
      const server = serverCpu() - server0
      const total = totals.get(v.name)!
      total.n += CREATIONS
      total.wallUs += wall * 1000
      total.cpuUs += cpu.user + cpu.system
      total.serverUs += server
      total.syncs += (syncsOf(v.store) ?? 0) - syncs0
    }
  }
} finally {
  for (const g of gateways.values()) await g.close()
  for (const v of variants) await v.store.close()
  await shared?.close()
  cluster?.destroy()
  spec.dispose()
}

const loadEnd = loadavg()
const base = totals.get('none')!
const f1 = (x: number): string => x.toFixed(1)
const lines = [
  `## Run ${startedAt.toISOString()} (\`npm run build && node dist/bench/idempotency.js\`): the Idempotency-Key record of a REST creation`,
  '',
  '- command: `npm run build && node dist/bench/idempotency.js`' + ` (BENCH_CREATIONS=${CREATIONS} per turn, BENCH_CONCURRENCY=${CONCURRENCY} callers, ${ROUNDS} rounds of the ${variants.length} variants in turn, after ${WARMUP} creations each)`,
  `- machine: ${cpus().length} CPU, ${cpus()[0]?.model ?? 'unknown'}, Node ${process.version}; one process, Fastify \`inject()\` (no socket), inline validation, the simulator's CRE answer replayed`,
  `- source: ${source}`,
  `- load average (1, 5, 15 min) at start: ${loadStart.map((l) => l.toFixed(2)).join(' ')}; at the end: ${loadEnd.map((l) => l.toFixed(2)).join(' ')}`,
  '- per creation: `POST /ecole/api/v1/demandes` with a new key, 201; CPU is the whole process (event loop, libuv threads, GC)',
  '',
  `- server CPU: the PostgreSQL cluster's processes (/proc), during each turn of every variant${serverMeasured ? '' : ' (not measured: no /proc or no cluster)'}; "CPU, all" is the gateway's process plus the server`,
  '',
  '| store | creations | creations/s | µs wall/creation | µs CPU/creation | server µs/creation | µs CPU, all | wall vs none | CPU, all vs none | fsyncs/creation |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...variants.map((v) => {
    const t = totals.get(v.name)!
    const syncs = syncsOf(v.store) === undefined ? '–' : (t.syncs / t.n).toFixed(2)
    const all = (x: typeof t): number => (x.cpuUs + x.serverUs) / x.n
    return `| ${v.name}: ${v.what} | ${t.n} | ${(t.n / (t.wallUs / 1e6)).toFixed(0)} | ${f1(t.wallUs / t.n)} | ${f1(t.cpuUs / t.n)} | ${f1(t.serverUs / t.n)} | ${f1(all(t))} | ${(t.wallUs / base.wallUs).toFixed(2)}× | ${(all(t) / all(base)).toFixed(2)}× | ${syncs} |`
  }),
  ''
]
process.stdout.write(lines.join('\n') + '\n')
