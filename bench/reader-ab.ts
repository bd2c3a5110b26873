/**
 * In-process A/B of the XML reader and the REST answer's conversion: this build against another
 * build of the project (a copy of another commit's `dist/`, with a `node_modules` beside it), both
 * loaded in one process, measured in alternating rounds; the figure is each one's fastest round,
 * wall time per call. On a machine shared with other work, only such same-process figures resolve
 * a change of a few percent; run it in both orders (`--swap`), the build measured second in each
 * round tends to measure a few percent slower when both are equal.
 *
 * Run: `npm run build && node dist/bench/reader-ab.js /tmp/base/dist [--swap]`, with
 * `git worktree add /tmp/base <commit> && (cd /tmp/base && npm run build) && ln -s "$PWD/node_modules" /tmp/base/`
 * or any copy of a built `dist/`. Inputs: examples/documents/cre.xml, the same with accented
 * names and address (every real demande has some), the same with CRLF line ends (as MTOM parts
 * often carry them), the getNumUnique envelope, a getNumUnique
 * answer carrying the CRE in an MTOM part (as the simulator writes it), a base64 MIME part's strict
 * check and decode (a certificate's size, and 64 KiB), and `validateMessage` on the getNumUnique CRE
 * of bench/validate.ts, without and with a certificate part and with its 1 MiB attachment (a hundredth
 * of the calls per round), and the compiled XSD check alone on
 * cre.xml's tree. `BENCH_STEPS=validate` runs only the steps whose name holds that text.
 */
import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { exampleEnvelope, getNumUnique, mtom } from '../test/fixtures/corpus-kit.js'
import { getNumUniqueAnswer } from './harness/rest-messages.js'
import { repoRoot } from './harness/repo-root.js'
import type { MessageValidatorContext } from '../src/contract/message-validator.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 60)
const CALLS = Number(process.env.BENCH_CALLS ?? 300)

interface Build {
  label: string
  steps: Record<string, () => number>
}

const root = repoRoot(import.meta.url)
const cre = readFileSync(join(root, 'examples/documents/cre.xml'))
const accented = Buffer.from(cre.toString('utf8').replaceAll('FICTIF-ALPHA', 'FICTIF-ÉLÈVE').replaceAll('Exemple', 'Élysée'))
const crlf = Buffer.from(cre.toString('utf8').replaceAll('\n', '\r\n'))
const envelope = readFileSync(join(root, 'examples/envelopes/getNumUnique.xml'))
// the same answer bytes for both builds
const answer = getNumUniqueAnswer(cre)
// the getNumUnique CRE of bench/validate.ts (empty certificate part), and the same with a 1,300-byte
// certificate part in base64 (about what a guichet's PEM certificate is)
const creMessage = getNumUnique(cre, 'mtom')
const certificate = Buffer.from(Array.from({ length: 1300 }, (_, i) => (i * 31 + (i >> 7)) & 0xff))
/** base64 in 76-character lines, as an MTOM part carries it */
const base64Part = (bytes: Buffer): Buffer => Buffer.from(bytes.toString('base64').replace(/(.{76})/g, '$1\r\n'), 'latin1')
const certificateBase64 = base64Part(certificate)
const attachmentBase64 = base64Part(Buffer.concat(Array.from({ length: 50 }, () => certificate)))
const withCertificate = mtom('getNumUnique', exampleEnvelope('getNumUnique'), { certificate, xml_id: cre })
// bench/validate.ts's large message: the CRE with a 1 MiB attachment (base64 transfer encoding)
const withMebibyte = mtom('getNumUnique', exampleEnvelope('getNumUnique'), { certificate: Buffer.concat(Array.from({ length: 807 }, () => certificate)).subarray(0, 1024 * 1024), xml_id: cre })
/** steps on a large message run this many times fewer calls per round */
const LARGE = 100

/** Loads one build's modules (the paths every build of the project has) and prepares its steps. */
async function load (label: string, dist: string): Promise<Build> {
  const url = (path: string): string => pathToFileURL(join(dist, path)).href
  /* eslint-disable @typescript-eslint/consistent-type-imports -- the same modules, from another build */
  const { loadSpec } = await import(url('src/contract/index.js')) as typeof import('../src/contract/index.js')
  const { contractOf } = await import(url('src/contract/json-contract.js')) as typeof import('../src/contract/json-contract.js')
  const { readAnswer } = await import(url('src/rest/answers.js')) as typeof import('../src/rest/answers.js')
  const { parseXml } = await import(url('src/soap/xml-reader.js')) as typeof import('../src/soap/xml-reader.js')
  const { decodeBase64Strict } = await import(url('src/soap/mime.js')) as typeof import('../src/soap/mime.js')
  const { kContext } = await import(url('src/contract/symbols.js')) as typeof import('../src/contract/symbols.js')
  /* eslint-enable @typescript-eslint/consistent-type-imports */
  const spec = await loadSpec({ dir: join(root, 'wsdl') })
  const contract = contractOf(spec)
  if (readAnswer(spec, contract, answer.body, answer.contentType, 'demande').kind !== 'ok') throw new Error(`${label}: the answer does not read as a demande`)
  const tree = parseXml(cre, spec.xmlLimits)
  const compiled = (spec as unknown as Record<symbol, MessageValidatorContext>)[kContext]!.compiled.get('02.01')
  if (compiled === undefined || compiled.validate(tree.root, 'fichierDemande')?.length !== 0) throw new Error(`${label}: the CRE does not pass the compiled 02.01 XSD`)
  for (const m of [creMessage, withCertificate, withMebibyte]) {
    const found = spec.validateMessage(m.message, m.contentType).violations
    if (found.length > 0) throw new Error(`${label}: the getNumUnique CRE is not valid: ${found[0]!.code}`)
  }
  return {
    label,
    steps: {
      [`parse cre.xml (${cre.length} B)`]: () => parseXml(cre, spec.xmlLimits).root.children.length,
      [`parse cre.xml with accents (${accented.length} B)`]: () => parseXml(accented, spec.xmlLimits).root.children.length,
      [`parse cre.xml with CRLF line ends (${crlf.length} B)`]: () => parseXml(crlf, spec.xmlLimits).root.children.length,
      [`parse the getNumUnique envelope (${envelope.length} B)`]: () => parseXml(envelope, spec.xmlLimits).root.children.length,
      'compiled XSD check of the parsed cre.xml (02.01)': () => compiled.validate(tree.root, 'fichierDemande')!.length + 1,
      'CRE tree → JSON': () => Object.keys(contract.toJson(tree.root, cre).value).length,
      'read the REST answer (MIME, envelope, document → JSON)': () => readAnswer(spec, contract, answer.body, answer.contentType, 'demande').kind.length,
      [`MIME base64 part, strict check and decode (${certificateBase64.length} B)`]: () => decodeBase64Strict(certificateBase64, {}).length,
      [`MIME base64 part, strict check and decode (${attachmentBase64.length} B)`]: () => decodeBase64Strict(attachmentBase64, {}).length,
      [`validateMessage, getNumUnique CRE in MTOM (${creMessage.message.length} B, empty certificate part)`]: () => spec.validateMessage(creMessage.message, creMessage.contentType).violations.length + 1,
      [`validateMessage, the same with a 1,300-byte base64 certificate part (${withCertificate.message.length} B)`]: () => spec.validateMessage(withCertificate.message, withCertificate.contentType).violations.length + 1,
      [`validateMessage, the same with a 1 MiB attachment (${withMebibyte.message.length} B; ${CALLS / LARGE} calls a round)`]: () => spec.validateMessage(withMebibyte.message, withMebibyte.contentType).violations.length + 1
    }
  }
}

const base = process.argv[2]
if (base === undefined) {
  console.error('usage: node dist/bench/reader-ab.js BASE_DIST [--swap]')
  process.exit(2)
}
const here = resolve(join(root, 'dist'))
const builds = [await load('base', resolve(base)), await load('this build', here)]
if (process.argv.includes('--swap')) builds.reverse()

let sink = 0
function round (fn: () => number, calls: number): number {
  const t = process.hrtime.bigint()
  for (let i = 0; i < calls; i++) sink += fn()
  return Number(process.hrtime.bigint() - t) / calls / 1000
}

const load0 = loadavg()
const rows: string[] = []
// BENCH_STEPS: only the steps whose name contains it
const only = process.env.BENCH_STEPS
for (const step of Object.keys(builds[0]!.steps).filter((s) => only === undefined || s.includes(only))) {
  const fns = builds.map((b) => b.steps[step]!)
  const best = fns.map(() => Infinity)
  const calls = step.includes('1 MiB') ? Math.max(1, Math.round(CALLS / LARGE)) : CALLS
  for (let i = 0; i < 3; i++) for (const fn of fns) round(fn, calls)
  for (let r = 0; r < ROUNDS; r++) fns.forEach((fn, k) => { best[k] = Math.min(best[k]!, round(fn, calls)) })
  const byLabel = new Map(builds.map((b, k) => [b.label, best[k]!]))
  const a = byLabel.get('base')!
  const b = byLabel.get('this build')!
  rows.push(`| ${step} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${(b / a).toFixed(2)} |`)
}
const load1 = loadavg()
console.log([
  `#### XML reader and REST answer A/B (\`node dist/bench/reader-ab.js ${base}${process.argv.includes('--swap') ? ' --swap' : ''}\`, ${new Date().toISOString()})`,
  '',
  `Fastest of ${ROUNDS} alternating rounds of ${CALLS} calls, wall µs per call, measured first: ${builds[0]!.label}; Node ${process.version}; load average ${load0.map((l) => l.toFixed(2)).join(' ')} at start, ${load1.map((l) => l.toFixed(2)).join(' ')} at end.`,
  '',
  '| step | base µs | this build µs | this ÷ base |',
  '|---|---:|---:|---:|',
  ...rows,
  '',
  `(checksum ${sink})`
].join('\n'))
