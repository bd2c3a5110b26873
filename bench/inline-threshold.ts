/**
 * Where validating on the event loop costs the main thread less than a worker's round trip: for
 * getNumUnique messages from the 4.6 KB CRE up to 1 MiB (a certificate attachment of growing size,
 * MTOM and inline base64), in one process,
 *   - inline: the main thread's CPU per `spec.validateMessage`;
 *   - worker: the main thread's CPU per `pool.check` with one validation worker (the copy,
 *     `postMessage`, the answer's structured clone, the loop's wake-ups, GC), `CALLERS` checks
 *     outstanding at a time as under load, the validation itself on the worker's thread.
 * The main thread's CPU is read from `/proc/self/task/<pid>/stat` (Linux only; 10 ms ticks, hence
 * rounds of about a second), the fastest of ROUNDS alternating rounds kept.
 *
 * Run: `npm run build && node dist/bench/inline-threshold.js`. `BENCH_SECONDS` sets the time per
 * round (default 1). Prints a Markdown table for bench/RESULTS.md.
 */
import { randomBytes } from 'node:crypto'
import { loadavg } from 'node:os'
import { pino } from 'pino'
import { defaultSpecDir, loadSpec } from '../src/contract/index.js'
import { mainThreadCpuUs } from './harness/proc-stats.js'
import { startValidationPool } from '../src/contract/validation-pool.js'
import { exampleDocument, exampleEnvelope, inline, mtom, type Built } from '../test/fixtures/corpus-kit.js'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1)
const ROUNDS = 3
const CALLERS = 4

async function perCall (run: () => Promise<number>): Promise<number> {
  const cpu0 = mainThreadCpuUs()
  const n = await run()
  return (mainThreadCpuUs() - cpu0) / n
}

const spec = await loadSpec({ dir: defaultSpecDir() })
const pool = await startValidationPool({ size: 1, dir: spec.dir, xmlLimits: spec.xmlLimits, logger: pino({ level: 'silent' }) })
const doc = Buffer.from(exampleDocument('cre'))
const messages: Array<{ name: string, built: Built }> = []
for (const size of [0, 4096, 16384, 65536, 262144, 1048576]) {
  const contents = { certificate: randomBytes(size), xml_id: doc }
  messages.push({ name: `MTOM, ${size} B certificate`, built: mtom('getNumUnique', exampleEnvelope('getNumUnique'), contents) })
  if (size > 0) messages.push({ name: `inline base64, ${size} B certificate`, built: inline('getNumUnique', exampleEnvelope('getNumUnique'), contents) })
}

const rows: string[] = []
for (const { name, built } of messages) {
  const check = spec.validateMessage(built.message, built.contentType)
  if (check.violations.length > 0) throw new Error(`${name} is not valid: ${JSON.stringify(check.violations)}`)
  const inlineRun = async (): Promise<number> => {
    let n = 0
    const until = performance.now() + SECONDS * 1000
    while (performance.now() < until) { spec.validateMessage(built.message, built.contentType); n++ }
    return n
  }
  const workerRun = async (): Promise<number> => {
    let n = 0
    const until = performance.now() + SECONDS * 1000
    await Promise.all(Array.from({ length: CALLERS }, async () => {
      while (performance.now() < until) { await pool.check(built.message, built.contentType, undefined); n++ }
    }))
    return n
  }
  await inlineRun()
  await workerRun()
  let bestInline = Infinity
  let bestWorker = Infinity
  for (let r = 0; r < ROUNDS; r++) {
    bestInline = Math.min(bestInline, await perCall(inlineRun))
    bestWorker = Math.min(bestWorker, await perCall(workerRun))
  }
  rows.push(`| ${name} | ${built.message.length} | ${bestInline.toFixed(0)} | ${bestWorker.toFixed(0)} | ${(bestInline / bestWorker).toFixed(2)} |`)
  process.stderr.write(rows.at(-1)! + '\n')
}
await pool.close()
spec.dispose()

process.stdout.write([
  `### inline threshold (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC)`,
  '',
  `- command: \`npm run build && node dist/bench/inline-threshold.js\` (BENCH_SECONDS=${SECONDS}, ${ROUNDS} rounds, ${CALLERS} checks outstanding on the worker)`,
  `- load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
  '',
  '| message | bytes | inline: main thread µs/check | one worker: main thread µs/check | inline / worker |',
  '|---|---:|---:|---:|---:|',
  ...rows,
  ''
].join('\n') + '\n')
