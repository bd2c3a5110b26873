/**
 * CPU per operation of the JSON contract (src/contract/json-contract.ts) on one core, Node's main
 * thread only, for the CRE interfaceNuu documents `examples/documents/cre.xml` (02.01, 3.3 KB) and
 * `examples/documents/cre-v0200.xml` (02.00):
 *   (a) tree → JSON: `contract.toJson(root, bytes)` on a tree the hardened reader already parsed;
 *   (b) JSON → XML: `contract.toXml(json)`;
 *   (c) parse + convert: `parseXml(bytes)` then `toJson`;
 *   (d) parse alone (reference): `parseXml(bytes)`;
 *   (e) ajv validation of the JSON: `contract.validateDocument(json)`;
 *   (f) for comparison, libxml2 XSD validation (and the rules) of the bytes: `spec.validateDocument(bytes)`.
 * The issue's goals: (a) ≤ 30 µs and (b) ≤ 30 µs of CPU each.
 *
 * Each item: a warm-up (300 ms or 20,000 calls, whichever comes first), then calls in batches of
 * 50 for BENCH_SECONDS (default 3) or BENCH_MAX_ITERATIONS calls (default 5,000,000), whichever
 * comes first. CPU is process.cpuUsage() user + system over the measured loop: it includes V8's
 * helper threads (concurrent GC), so it can exceed the wall time. Every result is consumed (a
 * checksum is printed) so that nothing is optimised away. Before measuring, toXml(toJson(x)) must
 * be accepted by `spec.validateDocument` (the run throws otherwise).
 *
 * Run: `npm run build && node dist/bench/contract.js`. Prints a Markdown section for bench/RESULTS.md.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { defaultSpecDir, loadSpec } from '../src/contract/index.js'
import { buildJsonContract } from '../src/contract/json-contract.js'
import { parseXml } from '../src/soap/xml-reader.js'
import { repoRoot } from './harness/repo-root.js'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3)
const MAX_ITERATIONS = Number(process.env.BENCH_MAX_ITERATIONS ?? 5_000_000)
const GOAL_US = 30
const BATCH = 50


/** The commit measured, and the source files with uncommitted changes (others may be editing the work tree). */
function sourceState (): string {
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: repoRoot(import.meta.url), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trimEnd()
  try {
    const dirty = git('status', '--porcelain', '--', 'src').split('\n').filter((l) => l !== '').map((l) => l.slice(3))
    return `commit ${git('rev-parse', '--short', 'HEAD')}${dirty.length > 0 ? ` plus uncommitted changes to ${dirty.join(', ')}` : ', src/ clean'}`
  } catch {
    return 'unknown (no git)'
  }
}

interface Measure { iterations: number, cpuUs: number, wallUs: number }

/** Consumes every result: its checksum is printed at the end. */
let sink = 0

/** Runs `fn` (returning a number derived from its result) after a warm-up, for SECONDS or MAX_ITERATIONS calls. */
function measure (fn: () => number): Measure {
  const warmUntil = performance.now() + 300
  for (let i = 0; i < 20_000 && performance.now() < warmUntil; i++) sink += fn()
  let n = 0
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const until = t0 + SECONDS * 1000
  while (n < MAX_ITERATIONS && performance.now() < until) {
    for (let i = 0; i < BATCH; i++) sink += fn()
    n += BATCH
  }
  const wall = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  return { iterations: n, cpuUs: (cpu.user + cpu.system) / n, wallUs: (wall * 1000) / n }
}

const loadStart = loadavg()
const source = sourceState()
const startedAt = new Date()
const spec = await loadSpec({ dir: defaultSpecDir() })
const contract = buildJsonContract(spec)

interface Row { doc: string, item: string, what: string, m: Measure, goal: boolean }
const rows: Row[] = []

try {
  for (const name of ['cre.xml', 'cre-v0200.xml']) {
    const bytes = readFileSync(join(repoRoot(import.meta.url), 'examples', 'documents', name))
    const tree = parseXml(bytes, spec.xmlLimits)
    const converted = contract.toJson(tree.root, bytes)
    const json = converted.value

    // Checks, once, before measuring.
    const original = spec.validateDocument(bytes)
    if (original.violations.length > 0) throw new Error(`${name} is not valid: ${JSON.stringify(original.violations)}`)
    const xml = contract.toXml(json)
    const back = spec.validateDocument(Buffer.from(xml))
    if (back.violations.length > 0) throw new Error(`toXml(toJson(${name})) is not valid: ${JSON.stringify(back.violations)}\n${xml}`)
    const again = contract.toJson(parseXml(Buffer.from(xml), spec.xmlLimits).root, Buffer.from(xml)).value
    if (JSON.stringify(again) !== JSON.stringify(json)) throw new Error(`toJson(toXml(toJson(${name}))) differs from toJson(${name})`)
    const jsonViolations = contract.validateDocument(json)
    if (jsonViolations.length > 0) throw new Error(`the JSON of ${name} is not valid: ${JSON.stringify(jsonViolations)}`)

    const doc = `${name} (${converted.version}, ${bytes.length} B)`
    const add = (item: string, what: string, fn: () => number, goal = false): void => {
      rows.push({ doc, item, what, m: measure(fn), goal })
    }
    add('a', 'tree → JSON (`contract.toJson`, tree already parsed)', () => {
      const r = contract.toJson(tree.root, bytes)
      return r.unknown + r.version.length + (r.value === json ? 1 : 0)
    }, true)
    add('b', 'JSON → XML (`contract.toXml`)', () => contract.toXml(json).length, true)
    add('c', 'parse + convert (`parseXml` then `toJson`)', () => {
      const d = parseXml(bytes, spec.xmlLimits)
      const r = contract.toJson(d.root, bytes)
      return r.unknown + r.version.length
    })
    add('d', 'parse alone (`parseXml`, reference)', () => parseXml(bytes, spec.xmlLimits).root.children.length)
    add('e', 'ajv validation of the JSON (`contract.validateDocument`)', () => contract.validateDocument(json).length)
    add('f', 'libxml2 XSD validation + rules (`spec.validateDocument(bytes)`, comparison)', () => spec.validateDocument(bytes).violations.length)
  }
} finally {
  spec.dispose()
}

const f1 = (x: number): string => x.toFixed(1)
const f0 = (x: number): string => Math.round(x).toLocaleString('en-US')
const loadEnd = loadavg()
const goalOf = (r: Row): string => r.goal ? `≤ ${GOAL_US} µs: ${r.m.cpuUs <= GOAL_US ? '**met**' : '**not met**'} (${f1(r.m.cpuUs)} µs)` : '—'
const lines = [
  `## Run ${startedAt.toISOString()} (\`npm run build && node dist/bench/contract.js\`): JSON contract conversion`,
  '',
  `- command: \`npm run build && node dist/bench/contract.js\` (BENCH_SECONDS=${SECONDS}, at most ${f0(MAX_ITERATIONS)} calls per item, after a warm-up of 300 ms or 20,000 calls)`,
  `- machine: ${cpus().length} CPU, ${cpus()[0]?.model ?? 'unknown'}, Node ${process.version}; one thread (the main thread) does the work`,
  `- source: ${source} (the work tree when the run started; dist/ is what the build compiled from it)`,
  `- load average (1, 5, 15 min) at start: ${loadStart.map((l) => l.toFixed(2)).join(' ')}; at the end: ${loadEnd.map((l) => l.toFixed(2)).join(' ')}`,
  '- µs CPU/op: process.cpuUsage() user + system over the measured loop divided by the calls (includes V8 helper threads, e.g. concurrent GC); µs wall/op for comparison',
  `- checks before measuring: both documents valid; toXml(toJson(x)) accepted by \`spec.validateDocument\` and converts back to the same JSON; the JSON passes \`contract.validateDocument\` (checksum of the consumed results: ${sink})`,
  '',
  '| document | item | operation | calls | µs CPU/op | µs wall/op | ops per CPU-second | goal |',
  '|---|---|---|---:|---:|---:|---:|---|',
  ...rows.map((r) => `| ${r.doc} | ${r.item} | ${r.what} | ${f0(r.m.iterations)} | ${f1(r.m.cpuUs)} | ${f1(r.m.wallUs)} | ${f0(1e6 / r.m.cpuUs)} | ${goalOf(r)} |`),
  ''
]
process.stdout.write(lines.join('\n') + '\n')
