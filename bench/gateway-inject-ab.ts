/**
 * The gateway's own cost per call with validation off, without TLS or HTTP sockets, for several
 * builds in one process: each build's `buildGateway` (its `dist/`), the same configuration, spec
 * files and messages, an upstream replaced by a canned undici Dispatcher answering every call with
 * the same getNumUnique answer (one macrotask later, as a socket would), the access log written
 * to /dev/null through the production logger (pino, asynchronous sonic-boom). Each round runs
 * CALLS calls through `app.inject()` (Fastify's routing, hooks, body reader, decode and
 * identification, guichets' authorization, limits, forwarding through the composed interceptors,
 * the answer read and sent, access line and metrics) on each build in turn; the figure is the
 * fastest round's process CPU per call (`process.cpuUsage`). The same work for every build, so
 * the difference between builds is the change's; light-my-request's own cost is in every figure.
 *
 * Run: `npm run build && node dist/bench/gateway-inject-ab.js [BASE_DIR…]` where each BASE_DIR
 * is a checkout with a built `dist/` (e.g. `git archive <commit> | tar -x -C /tmp/base`,
 * `node_modules` linked, `npm run build`). BENCH_ROUNDS (20) and BENCH_CALLS (2000).
 */
import { loadavg } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Dispatcher } from 'undici'
import { ensureDevPki } from '../src/tls/dev-pki.js'
import type * as GatewayModule from '../src/gateway.js'
import type * as ConfigValidateModule from '../src/config/validate.js'
import type * as ContractModule from '../src/contract/index.js'
import type * as LoggerModule from '../src/observability/logger.js'
import { creMessage, readMessageSources } from './harness/messages.js'
import { repoRoot } from './harness/repo-root.js'
import { getNumUniqueAnswer } from './harness/rest-messages.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20)
const CALLS = Number(process.env.BENCH_CALLS ?? 2000)
const ORIGIN = 'https://sne-ecole.test'
const UPSTREAM_PATH = '/services/DemandeLogementImplService/'
const SERVICE = '/ecole/services/DemandeLogementImplService/'

/** Answers every call with `answer`, in the handler API undici's composed interceptors speak. */
class CannedDispatcher extends Dispatcher {
  constructor (private readonly answer: { contentType: string, body: Buffer }) { super() }
  override dispatch (_opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const controller = { abort () {}, pause () {}, resume () {}, aborted: false, paused: false, reason: null } as unknown as Dispatcher.DispatchController
    setImmediate(() => {
      handler.onRequestStart?.(controller, {})
      handler.onResponseStart?.(controller, 200, { 'content-type': this.answer.contentType, 'content-length': String(this.answer.body.length) }, 'OK')
      handler.onResponseData?.(controller, this.answer.body)
      handler.onResponseEnd?.(controller, {})
    })
    return true
  }

  override async close (): Promise<void> {}
  override async destroy (): Promise<void> {}
}

interface Build { name: string, inject: () => Promise<number>, close: () => Promise<void> }

const root = repoRoot(import.meta.url)
const pki = await ensureDevPki(join(root, 'bench', 'out', 'pki'))
const sources = await readMessageSources(join(root, 'examples'))
const message = creMessage(sources, Buffer.alloc(0))
const answer = getNumUniqueAnswer(sources.cre)

async function load (dir: string, name: string): Promise<Build> {
  const at = (p: string): string => pathToFileURL(join(dir, 'dist', 'src', p)).href
  const { buildGateway } = await import(at('gateway.js')) as typeof GatewayModule
  const { createConfigValidator } = await import(at('config/validate.js')) as typeof ConfigValidateModule
  const { loadSpec, defaultSpecDir } = await import(at('contract/index.js')) as typeof ContractModule
  const { createLogger } = await import(at('observability/logger.js')) as typeof LoggerModule
  const { pino } = await import('pino')
  const config = createConfigValidator()({
    dataPlane: { port: 0, tls: { cert: pki.server.cert, key: pki.server.key, clientCertificates: 'none' } },
    ops: { enabled: false },
    validation: { mode: 'off', workers: 0 },
    idempotency: { file: ':memory:' },
    environments: { ecole: { upstream: { url: ORIGIN + UPSTREAM_PATH } } }
  })
  const spec = await loadSpec({ dir: defaultSpecDir() })
  const logger = createLogger({ level: 'info', destination: pino.destination({ dest: '/dev/null', sync: false }) })
  const gateway = await buildGateway(config, { spec, logger, createDispatcher: () => new CannedDispatcher(answer) })
  await gateway.app.ready()
  const request = { method: 'POST' as const, url: SERVICE, headers: { 'content-type': message.contentType }, payload: message.body }
  const first = await gateway.app.inject(request)
  if (first.statusCode !== 200 || first.rawPayload.length !== answer.body.length) throw new Error(`${name}: HTTP ${first.statusCode} to the CRE (${first.body.slice(0, 200)})`)
  return {
    name,
    inject: async () => (await gateway.app.inject(request)).statusCode,
    close: async () => { await gateway.close(); spec.dispose?.() }
  }
}

const builds = [await load(root, 'this build')]
for (const dir of process.argv.slice(2)) builds.push(await load(resolve(dir), dir))

const best = new Map<string, number>(builds.map((b) => [b.name, Infinity]))
const all = new Map<string, number[]>(builds.map((b) => [b.name, []]))
for (const b of builds) for (let i = 0; i < CALLS; i++) await b.inject()
const load0 = loadavg()
for (let r = 0; r < ROUNDS; r++) {
  // the order alternates: the build measured second in a round is not always the same
  for (const b of r % 2 === 0 ? builds : [...builds].reverse()) {
    const t = process.cpuUsage()
    for (let i = 0; i < CALLS; i++) await b.inject()
    const u = process.cpuUsage(t)
    const us = (u.user + u.system) / CALLS
    all.get(b.name)!.push(us)
    best.set(b.name, Math.min(best.get(b.name)!, us))
  }
}
const load1 = loadavg()
for (const b of builds) await b.close()
const base = best.get(builds[0]!.name)!
console.log([
  `#### The gateway's own cost per call, validation off, in one process (\`node dist/bench/gateway-inject-ab.js\`, ${new Date().toISOString()})`,
  '',
  `getNumUnique CRE (MTOM) through \`app.inject()\`, canned upstream Dispatcher; fastest of ${ROUNDS} rounds of ${CALLS} calls per build, alternating. Node ${process.version}; load average ${load0.map((l) => l.toFixed(2)).join(' ')} at start, ${load1.map((l) => l.toFixed(2)).join(' ')} at end.`,
  '',
  '| build | CPU µs/call (fastest) | × this build | median round |',
  '|---|---:|---:|---:|',
  ...builds.map((b) => {
    const sorted = [...all.get(b.name)!].sort((x, y) => x - y)
    return `| ${b.name} | ${best.get(b.name)!.toFixed(1)} | ${(best.get(b.name)! / base).toFixed(3)} | ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} |`
  })
].join('\n'))
