/**
 * The upstream answer's path alone, one process: the getNumUnique answer (canned, no socket:
 * `harness/replay-upstream.ts`) through the gateway's composed interceptors (request-phase,
 * retry-connect, as `src/proxy/upstreams.ts` composes them), taken two ways, alternating rounds:
 * - `request()` then the body stream read whole (how `forward()` took every answer before);
 * - `forward()` (`src/proxy/forward.ts`): a dispatch handler that collects an answer up to the
 *   gateway's buffered-answer maximum, no stream.
 * Each: BENCH_ROUNDS (15) rounds of BENCH_CALLS (5,000) calls one after the other, after a warm-up;
 * the fastest round's CPU (`process.cpuUsage`) per call. Run: `npm run build && node dist/bench/forward-ab.js`.
 */
import { loadavg } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { forward } from '../src/proxy/forward.js'
import { requestPhase } from '../src/proxy/interceptors/request-phase.js'
import { retryConnect } from '../src/proxy/interceptors/retry-connect.js'
import type { UpstreamRoute } from '../src/proxy/upstreams.js'
import { BUFFERED_ANSWER_MAX, readWhole } from '../src/routes/soap-call.js'
import { readMessageSources } from './harness/messages.js'
import { repoRoot } from './harness/repo-root.js'
import { ReplayUpstream } from './harness/replay-upstream.js'
import { getNumUniqueAnswer } from './harness/rest-messages.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15)
const CALLS = Number(process.env.BENCH_CALLS ?? 5000)

const sources = await readMessageSources(join(repoRoot(import.meta.url), 'examples'))
const answer = getNumUniqueAnswer(sources.cre)
const base = new ReplayUpstream({ status: 200, headers: { 'content-type': answer.contentType, 'content-length': String(answer.body.length) }, body: answer.body })
const dispatcher = base.compose(requestPhase(), retryConnect())
const route = { dispatcher, origin: 'http://upstream.invalid', path: '/services/DemandeLogementImplService/' } as unknown as UpstreamRoute
const body = Buffer.from('<call/>')
const headers = { 'content-type': 'application/soap+xml' }

const variants: Array<{ name: string, call: () => Promise<number> }> = [
  {
    name: '`request()` + the body stream read whole (before)',
    call: async () => {
      const res = await dispatcher.request({ origin: route.origin, path: route.path, method: 'POST', headers, body, idempotent: false })
      return (await readWhole(res.body as unknown as Readable)).length
    }
  },
  {
    name: '`forward()`: a dispatch handler collecting the answer (this build)',
    call: async () => (await forward(route, { body, headers, idempotent: false, collectMax: BUFFERED_ANSWER_MAX })).whole?.length ?? -1
  }
]

let sink = 0
async function round (call: () => Promise<number>): Promise<number> {
  const t = process.cpuUsage()
  for (let i = 0; i < CALLS; i++) sink += await call()
  const u = process.cpuUsage(t)
  return (u.user + u.system) / CALLS
}

for (const v of variants) {
  if (await v.call() !== answer.body.length) throw new Error(`${v.name}: not the whole answer`)
  await round(v.call)
}
const load0 = loadavg()
const best = variants.map(() => Infinity)
for (let r = 0; r < ROUNDS; r++) {
  for (const [i, v] of variants.entries()) best[i] = Math.min(best[i]!, await round(v.call))
}
const load1 = loadavg()
console.log([
  `#### The upstream answer's path, request() against a dispatch handler (\`node dist/bench/forward-ab.js\`, ${new Date().toISOString()})`,
  '',
  `The getNumUnique answer (${answer.body.length} B, canned) through the composed interceptors; fastest of ${ROUNDS} alternating rounds of ${CALLS} calls, Node ${process.version}; load average ${load0.map((l) => l.toFixed(2)).join(' ')} at start, ${load1.map((l) => l.toFixed(2)).join(' ')} at end.`,
  '',
  '| way | CPU µs/call | × request() |',
  '|---|---:|---:|',
  ...variants.map((v, i) => `| ${v.name} | ${best[i]!.toFixed(2)} | ${(best[i]! / best[0]!).toFixed(3)} |`),
  '',
  `(checksum ${sink})`
].join('\n'))
