/**
 * Latency at half load, A/B of the gateway's Node.js flags: what lengthens the gateway's p99?
 *
 * The canned upstream is started once; then, round after round, the direct upstream and one
 * gateway per variant (validation on, as `npm run bench` starts it, plus the variant's flags) are
 * each loaded at the same paced rate (wrk's `delay()`, as in the `halfload` section), after a
 * full-load warm-up. Each gateway run also reads the gateway's own process metrics before and
 * after the paced window (ops `/metrics`): its garbage collections by kind (count, total and
 * longest possible pause from the histogram's buckets) and prom-client's event-loop delay
 * percentiles over the window. Variants alternate within each round, so that the machine's drift
 * falls on all of them alike; the report gives each round and the median of the rounds.
 *
 * Needs the messages and recorded answers of an earlier `npm run bench` (bench/out/messages,
 * bench/out/answers): run `npm run bench -- --sections canned --no-append` once first.
 *
 * Run: `npm run build && node dist/bench/halfload-ab.js --rps 600 [--message cre] [--rounds 3]
 *       [--seconds 10] [--variant 'name=--flag --flag' ...]`
 * Without --variant: shipped (`--max-semi-space-size=8`), `--single-threaded-gc`, and semi-spaces
 * of 2 and 32 MB. Prints a Markdown section for bench/RESULTS.md.
 */
import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { ensureDevPki } from '../src/tls/dev-pki.js'
import { measure, type LoadMessage, type LoadSettings, type LoadTarget } from './harness/load.js'
import { clockTicks, loadAverage } from './harness/machine.js'
import { ProcessGroup } from './harness/processes.js'
import { repoRoot } from './harness/repo-root.js'
import type { LoadRun } from './harness/results.js'
import { gcBetween, parseProcessMetrics, type GcWindow, type ProcessMetrics } from './harness/process-metrics.js'
import { GATEWAY_NODE_FLAGS, startCanned, startGateway, type HarnessContext, type Running } from './harness/targets.js'
import { ensureTools } from './harness/tools.js'
import { runWrk, wrkLuaScript } from './harness/wrk.js'

interface Variant { name: string, flags: string[] }

const DEFAULT_VARIANTS: Variant[] = [
  { name: 'shipped', flags: [] },
  { name: 'single-threaded-gc', flags: ['--single-threaded-gc'] },
  { name: 'semi-space 2 MB', flags: ['--max-semi-space-size=2'] },
  { name: 'semi-space 32 MB', flags: ['--max-semi-space-size=32'] }
]

function options (): { rps: number, message: string, rounds: number, seconds: number, warmup: number, connections: number, variants: Variant[] } {
  const { values } = parseArgs({
    options: {
      rps: { type: 'string' },
      message: { type: 'string', default: 'cre' },
      rounds: { type: 'string', default: '3' },
      seconds: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      connections: { type: 'string', default: '50' },
      variant: { type: 'string', multiple: true }
    }
  })
  const num = (name: string, v: string | undefined, min: number, max: number): number => {
    const n = Number(v)
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer in [${min}, ${max}], got ${String(v)}`)
    return n
  }
  const variants = (values.variant ?? []).map((v): Variant => {
    const eq = v.indexOf('=')
    if (eq <= 0) throw new Error(`--variant must be NAME=FLAGS, got ${v}`)
    return { name: v.slice(0, eq), flags: v.slice(eq + 1).split(/\s+/).filter((f) => f !== '') }
  })
  if (!/^[a-z0-9-]+$/.test(values.message)) throw new Error(`--message must be a bench message name, got ${values.message}`)
  return {
    rps: num('rps', values.rps, 1, 100_000),
    message: values.message,
    rounds: num('rounds', values.rounds, 1, 20),
    seconds: num('seconds', values.seconds, 1, 120),
    warmup: num('warmup', values.warmup, 0, 60),
    connections: num('connections', values.connections, 1, 1000),
    variants: variants.length > 0 ? variants : DEFAULT_VARIANTS
  }
}

async function scrape (opsPort: number): Promise<ProcessMetrics> {
  const res = await fetch(`http://127.0.0.1:${opsPort}/metrics`)
  if (!res.ok) throw new Error(`ops /metrics answered HTTP ${res.status}`)
  return parseProcessMetrics(await res.text())
}

interface Row { round: number, variant: string, rps: number, p50: number, p99: number, addedP50: number, addedP99: number, gc: GcWindow[], lag: Map<string, number> }

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

async function main (): Promise<void> {
  const opts = options()
  const log = (line: string): void => { process.stderr.write(`[halfload-ab ${new Date().toISOString().slice(11, 19)}] ${line}\n`) }
  const root = repoRoot(import.meta.url)
  const outDir = join(root, 'bench', 'out')
  const bodyFile = join(outDir, 'messages', `${opts.message}.bin`)
  const answersDir = join(outDir, 'answers')
  const unpacedScript = join(outDir, 'lua', `${opts.message}.lua`)
  if (!existsSync(bodyFile) || !existsSync(answersDir) || !existsSync(unpacedScript)) {
    throw new Error(`no bench message ${opts.message} or recorded answers under ${outDir}: run \`npm run bench -- --sections canned --no-append\` once first`)
  }
  // the unpaced script of the same message holds its content type, as a Lua string literal
  const type = /wrk\.headers\["Content-Type"\] = "((?:[^"\\]|\\.)*)"/.exec(await readFile(unpacedScript, 'utf8'))?.[1]?.replace(/\\(.)/g, '$1')
  if (type === undefined) throw new Error(`no content type in ${unpacedScript}`)
  const delayMs = Math.round((opts.connections * 1000) / opts.rps)
  await mkdir(join(outDir, 'lua'), { recursive: true })
  const pacedScript = join(outDir, 'lua', `${opts.message}-halfload-ab.lua`)
  await writeFile(pacedScript, wrkLuaScript({ bodyFile, contentType: type, delayMs }))

  const group = new ProcessGroup()
  const tools = await ensureTools(log)
  const pki = await ensureDevPki(join(outDir, 'pki'))
  const ctx: HarnessContext = { group, outDir, root, harnessDir: join(root, 'dist', 'bench', 'harness'), pki, nginxPath: tools.nginx, bodyLimitBytes: 10 * 1024 * 1024, log }
  const settings: LoadSettings = {
    connections: opts.connections, threads: 2, warmupSeconds: 0, durationSeconds: opts.seconds,
    clockTicks: await clockTicks(), wrkPath: tools.wrk, deadline: Number.MAX_SAFE_INTEGER, log
  }
  const ca = await readFile(pki.ca.cert)
  const paced: LoadMessage = { name: opts.message, contentType: type, body: await readFile(bodyFile), scriptFile: pacedScript }
  const load0 = await loadAverage()
  const rows: Row[] = []
  try {
    const canned = await startCanned(ctx, answersDir)
    const target = (kind: 'direct' | 'gateway', running: Running): LoadTarget => ({ kind, running, upstream: canned, upstreamKind: 'canned', tls: { ca } })
    for (let round = 1; round <= opts.rounds; round++) {
      const direct = await measure(target('direct', canned), paced, settings)
      if (direct.wrk === undefined) throw new Error(`the direct upstream's paced run failed: ${direct.skipped ?? '?'}`)
      for (const v of opts.variants) {
        const gw = await startGateway(ctx, canned, { name: 'halfload-ab', validation: 'enforce', upstreamConnections: opts.connections, nodeFlags: v.flags })
        let run: LoadRun
        let before: ProcessMetrics
        let after: ProcessMetrics
        try {
          const opsPort = (JSON.parse(await readFile(gw.detail, 'utf8')) as { ops: { port: number } }).ops.port
          if (opts.warmup > 0) await runWrk({ url: gw.url, scriptFile: unpacedScript, connections: opts.connections, threads: 2, durationSeconds: opts.warmup }, tools.wrk)
          before = await scrape(opsPort)
          run = await measure(target('gateway', gw), paced, settings)
          after = await scrape(opsPort)
        } finally {
          await gw.proc.stop()
        }
        if (run.wrk === undefined) throw new Error(`gateway ${v.name}: ${run.skipped ?? '?'}`)
        const us = run.wrk.latencyUs
        rows.push({
          round, variant: v.name, rps: run.wrk.requestsPerSecond, p50: us.p50 / 1000, p99: us.p99 / 1000,
          addedP50: (us.p50 - direct.wrk.latencyUs.p50) / 1000, addedP99: (us.p99 - direct.wrk.latencyUs.p99) / 1000,
          gc: gcBetween(before, after), lag: after.lag
        })
        log(`round ${round} ${v.name}: ${run.wrk.requestsPerSecond.toFixed(0)} req/s, added p50 ${rows.at(-1)!.addedP50.toFixed(2)} ms, p99 ${rows.at(-1)!.addedP99.toFixed(2)} ms`)
      }
    }
  } finally {
    await group.stopAll()
  }
  const load1 = await loadAverage()
  const f = (n: number): string => n.toFixed(2)
  const gcCell = (gc: GcWindow[]): string => gc.map((g) => `${g.kind} ${g.count}× ${f(g.totalMs)} ms (each ≤ ${Number.isFinite(g.maxBoundMs) ? f(g.maxBoundMs) : '∞'})`).join('; ')
  const lines = [
    `## Half load, the gateway's Node.js flags (${new Date().toISOString()}, \`node dist/bench/halfload-ab.js\`)`,
    '',
    `Message ${opts.message}, paced at ${opts.rps} req/s (${opts.connections} connections, delay ${delayMs} ms each), ${opts.seconds} s per run after a ${opts.warmup} s full-load warm-up; ` +
      `${opts.rounds} rounds, variants alternating; every gateway: validation on, flags ${GATEWAY_NODE_FLAGS.join(' ')} then the variant's. Load average ${load0} at start, ${load1} at end.`,
    '',
    '| variant | added p50 ms (median of rounds) | added p99 ms (median) | added p99 each round | GC in the window (last round) | event-loop delay p50 / p99 / max ms (last round) |',
    '|---|---:|---:|---|---|---|'
  ]
  for (const v of opts.variants) {
    const mine = rows.filter((r) => r.variant === v.name)
    const last = mine.at(-1)!
    const lag = (k: string): string => { const s = last.lag.get(k); return s === undefined || Number.isNaN(s) ? '?' : f(s * 1000) }
    lines.push(`| ${v.name}${v.flags.length > 0 ? ` (\`${v.flags.join(' ')}\`)` : ''} | ${f(median(mine.map((r) => r.addedP50)))} | ${f(median(mine.map((r) => r.addedP99)))} | ${mine.map((r) => f(r.addedP99)).join(', ')} | ${gcCell(last.gc)} | ${lag('p50')} / ${lag('p99')} / ${lag('max')} |`)
  }
  process.stdout.write(lines.join('\n') + '\n')
}

main().catch((err: unknown) => { process.stderr.write(`${(err as Error).stack ?? String(err)}\n`); process.exit(1) })
