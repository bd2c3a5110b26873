/**
 * What validating on the event loop saves against a worker's round trip, in the gateway, in one
 * process: three gateways (buildGateway, `inject()`, no socket, an upstream replaying one answer)
 * identical but for validation —
 *   off:    validation mode off (the message is only decoded and identified, on the event loop);
 *   worker: mode enforce, every message validated by one worker thread (`inlineBelow: 0`);
 *   inline: mode enforce, one worker thread, every message validated on the event loop.
 * For each message (the 4.6 KB CRE in MTOM form, then bigger ones), each gateway in turn, ROUNDS
 * times, BENCH_CALLS calls a turn, BENCH_CONCURRENCY at a time; per call, the CPU of the whole
 * process (`process.cpuUsage()`: event loop, worker, libuv's threads) and of the main thread alone
 * (`/proc/self/task/<pid>/stat`, 10 ms ticks), the fastest turn of each kept.
 *
 * Run: `npm run build && node dist/bench/validation-inline-ab.js`. Prints a Markdown table.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { createConfigValidator } from '../src/config/validate.js'
import { defaultSpecDir, loadSpec } from '../src/contract/index.js'
import { buildGateway, type Gateway } from '../src/gateway.js'
import { ensureDevPki } from '../src/tls/dev-pki.js'
import { mainThreadCpuUs } from './harness/proc-stats.js'
import { repoRoot } from './harness/repo-root.js'
import { ReplayUpstream } from './harness/replay-upstream.js'
import { exampleDocument, exampleEnvelope, inline, mtom, type Built } from '../test/fixtures/corpus-kit.js'

const CALLS = Number(process.env.BENCH_CALLS ?? 1000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16)
const SERVICE = '/ecole/services/DemandeLogementImplService/'


const outDir = join(repoRoot(import.meta.url), 'bench', 'out')
mkdirSync(outDir, { recursive: true })
const pki = await ensureDevPki(join(outDir, 'pki'))
const spec = await loadSpec({ dir: defaultSpecDir() })
const logger = pino({ level: 'silent' })
const answer = {
  status: 200,
  headers: { 'content-type': 'multipart/related; type="application/xop+xml"; boundary="MIME_BOUNDARY"' },
  body: Buffer.from('--MIME_BOUNDARY\r\nContent-Type: application/xop+xml\r\n\r\n<answer/>\r\n--MIME_BOUNDARY--\r\n')
}
const validate = createConfigValidator()
const variants = [
  { name: 'off', validation: { mode: 'off', workers: 1 } },
  { name: 'worker', validation: { mode: 'enforce', workers: 1, inlineBelow: 0 } },
  { name: 'inline', validation: { mode: 'enforce', workers: 1, inlineBelow: 64 * 1024 * 1024 } }
] as const
const gateways = new Map<string, Gateway>()
for (const v of variants) {
  const config = validate({
    dataPlane: { port: 0, tls: { cert: pki.server.cert, key: pki.server.key, clientCertificates: 'none' } },
    ops: { enabled: false },
    validation: v.validation,
    census: { enabled: false },
    idempotency: { file: ':memory:' },
    environments: { ecole: { upstream: { url: 'https://sne-ecole.test/services/DemandeLogementImplService/' } } }
  })
  gateways.set(v.name, await buildGateway(config, { spec, logger, createDispatcher: () => new ReplayUpstream(answer) }))
}

const doc = Buffer.from(exampleDocument('cre'))
const messages: Array<{ name: string, built: Built }> = [
  { name: 'CRE, MTOM', built: mtom('getNumUnique', exampleEnvelope('getNumUnique'), { certificate: Buffer.alloc(0), xml_id: doc }) },
  { name: 'CRE + 8 KiB certificate, inline base64', built: inline('getNumUnique', exampleEnvelope('getNumUnique'), { certificate: randomBytes(8192), xml_id: doc }) },
  { name: 'CRE + 64 KiB certificate, MTOM', built: mtom('getNumUnique', exampleEnvelope('getNumUnique'), { certificate: randomBytes(65536), xml_id: doc }) }
]

async function calls (gateway: Gateway, built: Built, count: number): Promise<void> {
  let left = count
  const caller = async (): Promise<void> => {
    while (left-- > 0) {
      const res = await gateway.app.inject({ method: 'POST', url: SERVICE, payload: built.message, headers: { 'content-type': built.contentType } })
      if (res.statusCode !== 200) throw new Error(`answered ${res.statusCode}: ${res.body.slice(0, 300)}`)
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, caller))
}

const rows: string[] = []
try {
  for (const { name, built } of messages) {
    const best = new Map(variants.map((v) => [v.name, { cpu: Infinity, main: Infinity }]))
    for (const v of variants) await calls(gateways.get(v.name)!, built, Math.ceil(CALLS / 4))
    for (let r = 0; r < ROUNDS; r++) {
      for (const v of variants) {
        const cpu0 = process.cpuUsage()
        const main0 = mainThreadCpuUs()
        await calls(gateways.get(v.name)!, built, CALLS)
        const cpu = process.cpuUsage(cpu0)
        const b = best.get(v.name)!
        b.cpu = Math.min(b.cpu, (cpu.user + cpu.system) / CALLS)
        b.main = Math.min(b.main, (mainThreadCpuUs() - main0) / CALLS)
      }
    }
    const [off, worker, inl] = variants.map((v) => best.get(v.name)!) as [{ cpu: number, main: number }, { cpu: number, main: number }, { cpu: number, main: number }]
    const f = (x: number): string => x.toFixed(0)
    rows.push(`| ${name} | ${built.message.length} | ${f(off.cpu)} / ${f(off.main)} | ${f(worker.cpu)} / ${f(worker.main)} | ${f(inl.cpu)} / ${f(inl.main)} | ${(worker.cpu / off.cpu).toFixed(2)} | ${(inl.cpu / off.cpu).toFixed(2)} |`)
    process.stderr.write(rows.at(-1)! + '\n')
  }
} finally {
  for (const g of gateways.values()) await g.close()
  spec.dispose()
}
process.stdout.write([
  `### validation inline vs worker, in the gateway (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC)`,
  '',
  `- command: \`npm run build && node dist/bench/validation-inline-ab.js\` (${ROUNDS} rounds of ${CALLS} calls, ${CONCURRENCY} at a time, fastest kept)`,
  `- load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
  '',
  '| message | bytes | off: µs/call process / main thread | worker | inline | worker / off (process) | inline / off (process) |',
  '|---|---:|---:|---:|---:|---:|---:|',
  ...rows,
  ''
].join('\n') + '\n')
