/**
 * The REST path's own steps, CPU per call: what a REST call does on top of the SOAP call it
 * becomes (src/rest/rest-routes.ts, src/idempotency/), each step alone on Node's main thread, so
 * that the gap `npm run bench` measures between a REST call and its SOAP call can be read step by
 * step (harness/rest-own-work.ts says what each step is and how it is measured).
 *
 * Creation: the body's JSON parse, the Idempotency-Key fingerprint, the JSON contract check (ajv),
 * building the getNumUnique CRE message (JSON → XML, file names, MTOM with the guichet's
 * certificate), reading the SNE's answer (MIME, envelope, the carried document parsed and
 * converted to JSON), the answer written as JSON, the Idempotency-Key record (SQLite file as
 * shipped). Read: building the getDemandeLogement message, then the same answer steps. The answer
 * is a getNumUnique response carrying examples/documents/cre.xml in an MTOM part, as the simulator
 * writes its answers.
 *
 * Run: `npm run build && node dist/bench/rest-steps.js` (BENCH_ROUNDS, BENCH_CALLS).
 */
import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { defaultSpecDir, loadSpec } from '../src/contract/index.js'
import { contractOf } from '../src/contract/json-contract.js'
import { repoRoot } from './harness/repo-root.js'
import { measureOwnWork, ownWorkOf } from './harness/rest-own-work.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15)
const CALLS = Number(process.env.BENCH_CALLS ?? 2000)

const root = repoRoot(import.meta.url)
const spec = await loadSpec({ dir: defaultSpecDir() })
const load0 = loadavg()
const work = await measureOwnWork({ spec, contract: contractOf(spec), creDocument: readFileSync(join(root, 'examples/documents/cre.xml')), rounds: ROUNDS, calls: CALLS })
const load1 = loadavg()
spec.dispose()
console.log([
  `#### REST path steps, CPU per call (\`node dist/bench/rest-steps.js\`, ${new Date().toISOString()})`,
  '',
  `Fastest of ${ROUNDS} rounds of ${CALLS} calls per step, Node ${process.version}; load average ${load0.map((l) => l.toFixed(2)).join(' ')} at start, ${load1.map((l) => l.toFixed(2)).join(' ')} at end.`,
  '',
  '| step | in | µs/call |',
  '|---|---|---:|',
  ...work.steps.map((s) => `| ${s.name} | ${s.of.join(', ')} | ${s.us.toFixed(1)} |`),
  `| **creation, sum** | | ${ownWorkOf(work, 'creation').toFixed(1)} |`,
  `| **read, sum** | | ${ownWorkOf(work, 'read').toFixed(1)} |`,
  '',
  `(checksum ${work.checksum})`
].join('\n'))
