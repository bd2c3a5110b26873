/**
 * The JSON codec alone, this build against another in one process: CPU per conversion of the
 * contract's `toJson` (an answer's document read as JSON, tolerant as answers are read) and
 * `toXml` (a demande's JSON written as the document a creation sends), on
 * examples/documents/cre.xml, the document the REST benches send and read back.
 *
 * Each build (this one's `dist/`, and another built `dist/` given on the command line, e.g. main's:
 * `git -C <repo> archive HEAD | tar -x -C /tmp/base && ln -s "$PWD/node_modules" /tmp/base/ &&
 * (cd /tmp/base && npx tsc -p tsconfig.build.json)`) loads its own spec, contract and XML reader.
 * Two REST steps where the codec runs, as bench/rest-steps.ts measures them: reading the SNE's
 * answer (a getNumUnique answer carrying cre.xml in an MTOM part) and building the getNumUnique
 * CRE message of a creation (its demande's JSON written as XML, file names, MTOM).
 * A round runs BENCH_CALLS conversions of each step for each build, the builds' order swapped
 * every round; per (build, step): the fastest round, the median and the spread (slowest ÷
 * fastest) of BENCH_ROUNDS rounds of `process.cpuUsage()` per call, after a warm-up.
 *
 * Run: `npm run build && node dist/bench/json-codec-ab.js BASE_DIST`. Prints a Markdown section.
 */
import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { repoRoot } from './harness/repo-root.js'
import { demandeLogementJson, getNumUniqueAnswer } from './harness/rest-messages.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 12)
const CALLS = Number(process.env.BENCH_CALLS ?? 2000)

/* eslint-disable @typescript-eslint/consistent-type-imports -- the same modules, from another build */
type ContractModule = typeof import('../src/contract/index.js')
type JsonContractModule = typeof import('../src/contract/json-contract.js')
type ReaderModule = typeof import('../src/soap/xml-reader.js')
type AnswersModule = typeof import('../src/rest/answers.js')
type BuilderModule = typeof import('../src/rest/message-builder.js')
/* eslint-enable @typescript-eslint/consistent-type-imports */

interface Build {
  name: string
  steps: Array<() => number>
}

const root = repoRoot(import.meta.url)
const document = readFileSync(join(root, 'examples/documents/cre.xml'))
const answer = getNumUniqueAnswer(document)
// a certificate part of the size a configured guichet sends (its content is never read), as rest-steps.ts
const pemBody = Buffer.alloc(880, 0x5a).toString('base64').replace(/.{64}/g, '$&\n')
const certificate = { pem: Buffer.from(`-----BEGIN CERTIFICATE-----\n${pemBody}\n-----END CERTIFICATE-----\n`), name: undefined }
const STEPS = ['toJson (tolerant) of cre.xml', 'toXml of its JSON', 'REST: read the answer (readAnswer: MIME, envelope, document → JSON)', 'REST: build the getNumUnique CRE message']

async function load (name: string, dist: string): Promise<Build> {
  const url = (path: string): string => pathToFileURL(join(dist, path)).href
  const contractModule = await import(url('src/contract/index.js')) as ContractModule
  const json = await import(url('src/contract/json-contract.js')) as JsonContractModule
  const reader = await import(url('src/soap/xml-reader.js')) as ReaderModule
  const answers = await import(url('src/rest/answers.js')) as AnswersModule
  const builders = await import(url('src/rest/message-builder.js')) as BuilderModule
  const spec = await contractModule.loadSpec({ dir: join(root, 'wsdl') })
  const contract = json.contractOf(spec)
  const tree = reader.parseXml(document).root
  const value = contract.toJson(tree, document, { tolerant: true }).value
  const demande = demandeLogementJson(spec, contract, document)
  const builder = builders.createMessageBuilder({ contract, clock: () => new Date(0) })
  return {
    name,
    steps: [
      () => Object.keys(contract.toJson(tree, document, { tolerant: true }).value).length,
      () => contract.toXml(value).length,
      () => answers.readAnswer(spec, contract, answer.body, answer.contentType, 'demande').kind.length,
      () => builder.build({ operation: 'getNumUnique', typeFichier: 'CRE', guichet: 'G1226', demandeLogement: demande }, certificate).body.length
    ]
  }
}

const baseDist = process.argv.slice(2).find((a) => !a.startsWith('--'))
if (baseDist === undefined) throw new Error('usage: node dist/bench/json-codec-ab.js BASE_DIST')
const builds = [await load('this build', join(root, 'dist')), await load('base', resolve(baseDist))]
const [a, b] = builds
for (const [i] of STEPS.entries()) {
  if (a!.steps[i]!() !== b!.steps[i]!()) throw new Error(`the builds disagree on ${STEPS[i]!}`)
}

let sink = 0
const round = (fn: () => number): number => {
  const t = process.cpuUsage()
  for (let i = 0; i < CALLS; i++) sink += fn()
  const u = process.cpuUsage(t)
  return (u.user + u.system) / CALLS
}
const times = builds.map(() => STEPS.map((): number[] => []))
for (const build of builds) for (const fn of build.steps) round(fn) // warm-up
const load0 = loadavg()
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 === 0 ? [0, 1] : [1, 0]
  for (const [s] of STEPS.entries()) for (const bi of order) times[bi]![s]!.push(round(builds[bi]!.steps[s]!))
}
const load1 = loadavg()

const median = (xs: number[]): number => {
  const s = [...xs].sort((x, y) => x - y)
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}
const lines = [
  `#### JSON codec alone and in the REST steps it runs in, this build ÷ base (\`node dist/bench/json-codec-ab.js ${baseDist}\`, ${new Date().toISOString()})`,
  '',
  `${ROUNDS} rounds of ${CALLS} calls per step and build, builds alternated; Node ${process.version}; load average ${load0.map((l) => l.toFixed(2)).join(' ')} at start, ${load1.map((l) => l.toFixed(2)).join(' ')} at end.`,
  '',
  '| step | build | fastest µs/call | median | spread (slowest ÷ fastest) |',
  '|---|---|---:|---:|---:|'
]
for (const [s, step] of STEPS.entries()) {
  for (const [bi, build] of builds.entries()) {
    const xs = times[bi]![s]!
    lines.push(`| ${step} | ${build.name} | ${Math.min(...xs).toFixed(1)} | ${median(xs).toFixed(1)} | ${(Math.max(...xs) / Math.min(...xs)).toFixed(2)} |`)
  }
  const [mine, base] = [times[0]![s]!, times[1]![s]!]
  lines.push(`| ${step} | **this ÷ base** | **${(Math.min(...mine) / Math.min(...base)).toFixed(2)}** | **${(median(mine) / median(base)).toFixed(2)}** | |`)
}
lines.push('', `(checksum ${sink})`)
console.log(lines.join('\n'))
