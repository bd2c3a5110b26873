/**
 * The REST path's own steps, CPU per call: what a REST call does on top of the SOAP call it
 * becomes (src/rest/rest-routes.ts), each step alone on Node's main thread, so that the gap
 * `npm run bench` measures between a REST call and its SOAP call can be read step by step.
 *
 * Creation: the body's JSON parse, its check against the JSON contract (ajv), building the
 * getNumUnique CRE message (JSON → XML, file names, MTOM with the guichet's certificate), reading
 * the SNE's answer (MIME, envelope, the carried document parsed and converted to JSON), the answer
 * written as JSON. Read: building the getDemandeLogement message, then the same answer steps.
 * The answer is a getNumUnique response carrying examples/documents/cre.xml in an MTOM part, as
 * the simulator writes its answers.
 *
 * Each step: a warm-up, then ROUNDS rounds of CALLS calls; the figure is the fastest round's CPU
 * (`process.cpuUsage`) per call: on a machine shared with other work, the fastest round is the
 * one least disturbed. Run: `npm run build && node dist/bench/rest-steps.js`.
 */
import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { defaultSpecDir, loadSpec } from '../src/contract/index.js'
import { contractOf } from '../src/contract/json-contract.js'
import { readAnswer } from '../src/rest/answers.js'
import { createMessageBuilder } from '../src/rest/message-builder.js'
import { API_INTERFACE_VERSION } from '../src/rest/route-table.js'
import { demandeLogementJson, getNumUniqueAnswer } from './harness/rest-messages.js'
import { fastestRound } from './harness/fastest-round.js'
import { repoRoot } from './harness/repo-root.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15)
const CALLS = Number(process.env.BENCH_CALLS ?? 2000)


const root = repoRoot(import.meta.url)
const spec = await loadSpec({ dir: defaultSpecDir() })
const contract = contractOf(spec)
const creDocument = readFileSync(join(root, 'examples/documents/cre.xml'))
const demande = demandeLogementJson(spec, contract, creDocument)
const bodyBytes = Buffer.from(JSON.stringify(demande))
// a certificate part of the size a configured guichet sends (its content is never read)
const pemBody = Buffer.alloc(880, 0x5a).toString('base64').replace(/.{64}/g, '$&\n')
const certificate = { pem: Buffer.from(`-----BEGIN CERTIFICATE-----\n${pemBody}\n-----END CERTIFICATE-----\n`), name: undefined }
const builder = createMessageBuilder({ contract, clock: () => new Date() })
const answer = getNumUniqueAnswer(creDocument)
const answerJson = readAnswer(spec, contract, answer.body, answer.contentType, 'demande')
if (answerJson.kind !== 'ok') throw new Error(`the answer does not read as a demande (${answerJson.kind})`)
const document = { versionInterface: API_INTERFACE_VERSION, entete: { typeFichier: 'CRE', dateFichier: '2000-01-01T00:00:00.000+00:00' }, demande: [{ demandeLogement: demande }] }
if (contract.validateDocument(document, 'request').length > 0) throw new Error('the example demande does not pass the JSON contract')

const { measure, checksum } = fastestRound(ROUNDS, CALLS)

const steps: Array<{ name: string, of: Array<'creation' | 'read'>, fn: () => number }> = [
  { name: 'JSON body parse', of: ['creation'], fn: () => Object.keys(JSON.parse(bodyBytes.toString('utf8')) as object).length },
  { name: 'JSON contract check (ajv)', of: ['creation'], fn: () => contract.validateDocument(document, 'request').length + 1 },
  { name: 'build the getNumUnique CRE message', of: ['creation'], fn: () => builder.build({ operation: 'getNumUnique', typeFichier: 'CRE', guichet: 'G1226', demandeLogement: demande }, certificate).body.length },
  { name: 'build the getDemandeLogement message', of: ['read'], fn: () => builder.build({ operation: 'getDemandeLogement', guichet: 'G1226', numUnique: '0750125000001G1226' }, certificate).body.length },
  { name: 'read the answer (MIME, envelope, document → JSON)', of: ['creation', 'read'], fn: () => readAnswer(spec, contract, answer.body, answer.contentType, 'demande').kind.length },
  { name: 'write the answer as JSON', of: ['creation', 'read'], fn: () => JSON.stringify(answerJson.body).length }
]

const load0 = loadavg()
const rows = steps.map((s) => ({ ...s, us: measure(s.fn) }))
const load1 = loadavg()
const total = (call: 'creation' | 'read'): number => rows.filter((r) => r.of.includes(call)).reduce((sum, r) => sum + r.us, 0)
const lines = [
  `#### REST path steps, CPU per call (\`node dist/bench/rest-steps.js\`, ${new Date().toISOString()})`,
  '',
  `Fastest of ${ROUNDS} rounds of ${CALLS} calls per step, Node ${process.version}; load average ${load0.map((l) => l.toFixed(2)).join(' ')} at start, ${load1.map((l) => l.toFixed(2)).join(' ')} at end.`,
  '',
  '| step | in | µs/call |',
  '|---|---|---:|',
  ...rows.map((r) => `| ${r.name} | ${r.of.join(', ')} | ${r.us.toFixed(1)} |`),
  `| **creation, sum** | | ${total('creation').toFixed(1)} |`,
  `| **read, sum** | | ${total('read').toFixed(1)} |`,
  '',
  `(checksum ${checksum()})`
]
console.log(lines.join('\n'))
