/**
 * The identify-only check of validation mode `off` (`checkHere(…, { identifyOnly: true })`, what
 * the proxied route runs on the event loop), step by step on the getNumUnique CRE in MTOM, each
 * alone on Node's main thread: the content type, the MIME parts, the envelope's tree, the carried
 * document's tree, then the whole check; the identify-only scanner (`identify-scanner.ts`) that
 * answers the same check from the bytes. And the floor any byte scanner meant to replace them
 * pays: one pass over every byte of the message in JavaScript, each byte classified by a table
 * (what a scanner that checks well-formedness as it goes does at least), and `Buffer.indexOf` of
 * the few markers an identification needs (what a scanner that trusts the bytes would do).
 *
 * Each step: a warm-up, then BENCH_ROUNDS (15) rounds of BENCH_CALLS (2,000) calls; the fastest
 * round's CPU per call. Run: `npm run build && node dist/bench/identify-steps.js`.
 */
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { checkHere } from '../src/contract/message-check.js'
import { identifyScanner } from '../src/contract/identify-scanner.js'
import { defaultSpecDir, loadSpec } from '../src/contract/index.js'
import { parseContentType } from '../src/soap/content-type.js'
import { decodeSoapMessage } from '../src/soap/message.js'
import { parseMultipart } from '../src/soap/mime.js'
import { parseXml } from '../src/soap/xml-reader.js'
import { fastestRound } from './harness/fastest-round.js'
import { creMessage, readMessageSources } from './harness/messages.js'
import { repoRoot } from './harness/repo-root.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15)
const CALLS = Number(process.env.BENCH_CALLS ?? 2000)

const root = repoRoot(import.meta.url)
const spec = await loadSpec({ dir: defaultSpecDir() })
const sources = await readMessageSources(join(root, 'examples'))
const message = creMessage(sources, Buffer.alloc(0))
const ct = parseContentType(message.contentType)
const multipart = parseMultipart(message.body, ct)
const envelope = multipart.root.body
const document = sources.cre
const check = checkHere(spec, message.body, message.contentType, undefined, { identifyOnly: true })
if (check.operation !== 'getNumUnique' || check.violations.length > 0 || check.guichets?.complete !== true) {
  throw new Error(`the CRE does not identify cleanly: ${JSON.stringify(check)}`)
}

const scanner = identifyScanner(spec)
const scanned = scanner.scan(message.body, message.contentType, undefined)
if (JSON.stringify(scanned) !== JSON.stringify(check)) throw new Error('the scanner does not answer the CRE as checkHere does')

// A byte class table: what a well-formedness-checking scanner looks up for every byte at least.
const CLASS = new Uint8Array(256)
for (const c of '<>&/=?!"\'') CLASS[c.charCodeAt(0)] = 1
for (const c of ' \t\r\n') CLASS[c.charCodeAt(0)] = 2
for (let b = 0x80; b < 0x100; b++) CLASS[b] = 3
for (let b = 0; b < 0x20; b++) if (CLASS[b] === 0) CLASS[b] = 4
function classifyEveryByte (bytes: Buffer): number {
  let marks = 0
  for (let i = 0; i < bytes.length; i++) {
    const k = CLASS[bytes[i]!]!
    if (k === 1) marks++
    else if (k === 4) return -1
  }
  return marks
}
const MARKERS = ['getNumUnique', 'nomFichierDemande', 'xop:Include', 'numGuichet', 'numUnique'].map((m) => Buffer.from(m))
function indexOfMarkers (bytes: Buffer): number {
  let found = 0
  for (const m of MARKERS) found += bytes.indexOf(m) + 1
  return found
}

const { measure, checksum } = fastestRound(ROUNDS, CALLS)
const steps: Array<{ name: string, fn: () => number }> = [
  { name: `identify-only check, the whole (\`checkHere\`, CRE in MTOM, ${message.body.length} B)`, fn: () => checkHere(spec, message.body, message.contentType, undefined, { identifyOnly: true }).violations.length + 1 },
  { name: 'identify-only scanner, the whole (`identifyScanner(spec).scan`, same message)', fn: () => (scanner.scan(message.body, message.contentType, undefined)?.violations.length ?? -1) + 1 },
  { name: 'the message decoded (`decodeSoapMessage`: content type, MIME, envelope tree, includes)', fn: () => decodeSoapMessage(message.body, message.contentType).actions.length + 1 },
  { name: 'the content type parsed', fn: () => parseContentType(message.contentType).mediaType.length },
  { name: 'the MIME parts (`parseMultipart`)', fn: () => parseMultipart(message.body, ct).parts.length },
  { name: `the envelope's tree (\`parseXml\`, ${envelope.length} B)`, fn: () => parseXml(envelope).root.children.length },
  { name: `the carried document's tree (\`parseXml\`, ${document.length} B)`, fn: () => parseXml(document).root.children.length },
  { name: 'floor of a checking scanner: every byte of the message classified by a table', fn: () => classifyEveryByte(message.body) },
  { name: 'floor of a trusting scanner: `Buffer.indexOf` of five markers', fn: () => indexOfMarkers(message.body) }
]

const load0 = loadavg()
const rows = steps.map((s) => ({ ...s, us: measure(s.fn) }))
const load1 = loadavg()
console.log([
  `#### Identify-only check, steps, CPU per call (\`node dist/bench/identify-steps.js\`, ${new Date().toISOString()})`,
  '',
  `Fastest of ${ROUNDS} rounds of ${CALLS} calls per step, Node ${process.version}; load average ${load0.map((l) => l.toFixed(2)).join(' ')} at start, ${load1.map((l) => l.toFixed(2)).join(' ')} at end.`,
  '',
  '| step | µs/call |',
  '|---|---:|',
  ...rows.map((r) => `| ${r.name} | ${r.us.toFixed(1)} |`),
  '',
  `(checksum ${checksum()})`
].join('\n'))
