/**
 * Where `validateMessage` spends its time on the 4.6 KB CRE (MTOM, the 1,300-byte certificate part
 * about a guichet's PEM certificate, in base64, as the canned section sends it): a loop of `BENCH_SECONDS`
 * (default 8) under `node --cpu-prof`, then self time per function and per area, summed from the
 * profile V8 writes (bench/harness/cpu-profile.ts).
 *
 * Run: `npm run build && node --cpu-prof --cpu-prof-dir=bench/out/profile dist/bench/validate-profile.js`
 * then `node dist/bench/validate-profile.js --summarise bench/out/profile/<file>.cpuprofile`.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { defaultSpecDir, loadSpec } from '../src/contract/index.js'
import { exampleDocument, exampleEnvelope, mtom } from '../test/fixtures/corpus-kit.js'
import { summariseCpuProfile, type CpuProfile } from './harness/cpu-profile.js'
import { repoRoot } from './harness/repo-root.js'

const { values } = parseArgs({ options: { summarise: { type: 'string' }, top: { type: 'string', default: '40' } } })
if (values.summarise !== undefined) {
  const profile = JSON.parse(readFileSync(values.summarise, 'utf8')) as CpuProfile
  const summary = summariseCpuProfile(profile, { root: repoRoot(import.meta.url), top: Number(values.top) })
  process.stdout.write(JSON.stringify(summary, null, 1) + '\n')
} else {
  const seconds = Number(process.env.BENCH_SECONDS ?? 8)
  const spec = await loadSpec({ dir: defaultSpecDir() })
  const certificate = randomBytes(1300)
  const built = mtom('getNumUnique', exampleEnvelope('getNumUnique'), { certificate, xml_id: Buffer.from(exampleDocument('cre')) })
  if (spec.validateMessage(built.message, built.contentType).violations.length > 0) throw new Error('the message is not valid')
  let n = 0
  const until = performance.now() + seconds * 1000
  while (performance.now() < until) {
    for (let i = 0; i < 100; i++) spec.validateMessage(built.message, built.contentType)
    n += 100
  }
  process.stdout.write(`${n} validations of ${built.message.length} bytes in ${seconds} s\n`)
  spec.dispose()
}
