// The validation worker pool: the same checks as inline validation, over the whole corpus; a
// worker that dies fails only its own checks and is replaced; a bad spec directory fails the start.
import t from 'tap'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { pino } from 'pino'
import { defaultSpecDir, loadSpec } from '../../src/contract/index.js'
import { checkOf, inlineChecker } from '../../src/contract/message-check.js'
import { startValidationPool, validationWorkers } from '../../src/contract/validation-pool.js'
import { edited, exampleDocument, exampleEnvelope, mtom, recipes } from '../fixtures/corpus-kit.js'

const corpus = fileURLToPath(new URL('../fixtures/', import.meta.url))
const names = readdirSync(corpus).filter((n) => existsSync(join(corpus, n, 'case.json'))).sort()

interface Input { message: Buffer, contentType: string | undefined, soapAction: string | undefined }

function input (name: string): Input {
  const c = JSON.parse(readFileSync(join(corpus, name, 'case.json'), 'utf8')) as { generate?: string, contentType?: string, soapAction?: string }
  if (c.generate !== undefined) {
    const built = recipes[c.generate]!()
    return { message: built.message, contentType: built.contentType, soapAction: built.soapAction }
  }
  return { message: readFileSync(join(corpus, name, 'message')), contentType: c.contentType, soapAction: c.soapAction }
}

// Both sides on the real clock: the workers have no other.
const spec = await loadSpec({ dir: defaultSpecDir() })
t.teardown(() => spec.dispose())
const silent = pino({ level: 'silent' })

t.test('auto: one worker per core beyond the first, between 1 and 4; a number is taken as is', async (t) => {
  t.same([1, 2, 3, 8, 64].map((cores) => validationWorkers('auto', cores)), [1, 1, 2, 4, 4])
  t.equal(validationWorkers(0, 8), 0)
  t.equal(validationWorkers(6, 2), 6)
})

t.test('every corpus case gets the same check from the pool as inline, messages checked concurrently', async (t) => {
  const pool = await startValidationPool({ size: 2, dir: spec.dir, xmlLimits: spec.xmlLimits, logger: silent })
  t.teardown(pool.close)
  t.equal(pool.workers, 2)
  const inline = inlineChecker(spec)
  const inputs = names.map(input)
  const pooled = await Promise.all(inputs.map(async (i) => await pool.check(i.message, i.contentType, i.soapAction)))
  let invalid = 0
  for (const [k, name] of names.entries()) {
    const i = inputs[k]!
    const expected = await inline.check(i.message, i.contentType, i.soapAction)
    t.same(pooled[k], expected, name)
    if (expected.violations.length > 0) invalid++
  }
  t.ok(invalid > 60, `${invalid} of ${names.length} cases have violations: the comparison covers refusals`)
  const cre = inputs[names.indexOf('valid-getNumUnique-cre-mtom')]!
  t.match(pooled[names.indexOf('valid-getNumUnique-cre-mtom')], { operation: 'getNumUnique', violations: [], fileName: /^DEM[A-Z0-9]+-/ })
  t.same(checkOf(spec.validateMessage(cre.message, cre.contentType)).fileName, pooled[names.indexOf('valid-getNumUnique-cre-mtom')]!.fileName)
  t.equal(cre.message.length > 0, true, 'the caller keeps its bytes (the pool sends a copy)')
})

t.test('identification alone (mode off) runs in the pool too, with the inline answer', async (t) => {
  const pool = await startValidationPool({ size: 1, dir: spec.dir, xmlLimits: spec.xmlLimits, logger: silent })
  t.teardown(pool.close)
  const inline = inlineChecker(spec)
  let differs = 0
  for (const name of names) {
    const i = input(name)
    const identified = await pool.check(i.message, i.contentType, i.soapAction, { identifyOnly: true })
    t.same(identified, await inline.check(i.message, i.contentType, i.soapAction, { identifyOnly: true }), name)
    const full = await inline.check(i.message, i.contentType, i.soapAction)
    if (identified.violations.length < full.violations.length) differs++
  }
  t.ok(differs > 30, `${differs} cases have fewer violations when only identified: no XSD, no rules`)
})

t.test('a worker that dies fails its pending checks with GW_SPEC_VALIDATOR_UNAVAILABLE, and is replaced', async (t) => {
  let restarts = 0
  const pool = await startValidationPool({
    size: 1,
    dir: spec.dir,
    xmlLimits: spec.xmlLimits,
    logger: silent,
    restartDelayMs: 10,
    onRestart: () => { restarts++ },
    workerUrl: new URL('./fixtures/crash-on-demand-worker.ts', import.meta.url)
  })
  t.teardown(pool.close)
  const valid = input('valid-getNumUnique-cre-mtom')
  t.same((await pool.check(valid.message, valid.contentType, valid.soapAction)).violations, [])
  // The crash and the next message are in the worker's hands, the two after wait in the pool's queue.
  const settled = await Promise.allSettled([
    pool.check(Buffer.from('x'), 'test/crash', undefined),
    ...[1, 2, 3].map(async () => await pool.check(valid.message, valid.contentType, valid.soapAction))
  ])
  t.same(settled.map((s) => s.status), ['rejected', 'rejected', 'rejected', 'rejected'], 'sent and queued checks fail: no other worker is ready')
  for (const s of settled) t.match((s as PromiseRejectedResult).reason, { code: 'GW_SPEC_VALIDATOR_UNAVAILABLE', statusCode: 503 })
  await t.rejects(pool.check(valid.message, valid.contentType, valid.soapAction), { code: 'GW_SPEC_VALIDATOR_UNAVAILABLE' }, 'none is ready while it is replaced')
  let after: Awaited<ReturnType<typeof pool.check>> | undefined
  // Bounded, generously: a replacement worker compiles the spec, which takes seconds on a loaded machine.
  for (let i = 0; i < 2400 && after === undefined; i++) {
    await new Promise((resolve) => setTimeout(resolve, 25))
    after = await pool.check(valid.message, valid.contentType, valid.soapAction).catch(() => undefined)
  }
  t.same(after?.violations, [], 'the replacement checks messages')
  t.equal(restarts, 1)
})

t.test('a checked message is let go while other messages still wait in the queue (no leak under steady load)', async (t) => {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  const pool = await startValidationPool({ size: 1, dir: spec.dir, xmlLimits: spec.xmlLimits, logger: silent })
  t.teardown(pool.close)
  const valid = input('valid-getNumUnique-cre-mtom')
  // Six callers keep the queue from ever emptying while the probe's check goes through it.
  const background = Promise.all(Array.from({ length: 6 }, async () => {
    for (let i = 0; i < 8; i++) await pool.check(Buffer.from(valid.message), valid.contentType, valid.soapAction)
  }))
  const probe = await (async () => {
    const bytes = Buffer.from(valid.message)
    const ref = new WeakRef(bytes)
    t.same((await pool.check(bytes, valid.contentType, valid.soapAction)).violations, [])
    return ref
  })()
  await new Promise((resolve) => setImmediate(resolve))
  gc()
  t.equal(probe.deref(), undefined, 'the probe\'s bytes were collected')
  await background
})

/** The CRE document (edited by `pairs`) in MTOM form with a certificate of `certificate` bytes. */
function cre (certificate: number, ...pairs: Array<[string, string]>): Input {
  const doc = Buffer.from(pairs.length === 0 ? exampleDocument('cre') : edited('cre', ...pairs))
  const built = mtom('getNumUnique', exampleEnvelope('getNumUnique'), { certificate: Buffer.alloc(certificate, 7), xml_id: doc })
  return { message: built.message, contentType: built.contentType, soapAction: undefined }
}

t.test('a message under inline.below is validated on the calling thread, a bigger one by a worker, with the same violations', async (t) => {
  const pool = await startValidationPool({ size: 1, dir: spec.dir, xmlLimits: spec.xmlLimits, logger: silent, inline: { spec, below: 16384 } })
  t.teardown(pool.close)
  const reference = inlineChecker(spec)
  const date: [string, string] = ['<ns1:dateNaissance>1985-01-20<', '<ns1:dateNaissance>1985-13-45<']
  const small = cre(0, date)
  const big = cre(32768, date)
  t.ok(small.message.length < 16384 && big.message.length >= 16384, `${small.message.length} and ${big.message.length} bytes`)

  const fromLoop = await pool.check(small.message, small.contentType, small.soapAction)
  t.same(pool.checked, { inline: 1, worker: 0 }, 'the small message: no worker round trip')
  const fromWorker = await pool.check(big.message, big.contentType, big.soapAction)
  t.same(pool.checked, { inline: 1, worker: 1 }, 'the big one: a worker')

  t.same(fromLoop, await reference.check(small.message, small.contentType, small.soapAction))
  t.same(fromWorker, await reference.check(big.message, big.contentType, big.soapAction))
  t.match(fromLoop.violations, [{ code: 'GW_SCHEMA_TYPE', path: '/interfaceNuu/demande/demandeLogement/personnePhysique/demandeur/dateNaissance', line: 16 }])
  t.same(fromWorker.violations, fromLoop.violations, 'same codes, paths, lines and columns on either thread')
  for (const valid of [cre(0), cre(32768)]) t.same((await pool.check(valid.message, valid.contentType, valid.soapAction)).violations, [])
  t.same(pool.checked, { inline: 2, worker: 2 })
  const shown = await pool.check(small.message, small.contentType, small.soapAction, { showValues: true })
  t.match(shown.violations[0]?.message, '1985-13-45', 'validate-only\'s values, on the calling thread too')
})

t.test('without inline, every message goes to a worker; with inline, small messages are checked while no worker is ready', async (t) => {
  const valid = cre(0)
  const big = cre(32768)
  const plain = await startValidationPool({ size: 1, dir: spec.dir, xmlLimits: spec.xmlLimits, logger: silent })
  t.teardown(plain.close)
  t.same((await plain.check(valid.message, valid.contentType, valid.soapAction)).violations, [])
  t.same(plain.checked, { inline: 0, worker: 1 })

  const pool = await startValidationPool({
    size: 1,
    dir: spec.dir,
    xmlLimits: spec.xmlLimits,
    logger: silent,
    restartDelayMs: 60_000,
    inline: { spec, below: 16384 },
    workerUrl: new URL('./fixtures/crash-on-demand-worker.ts', import.meta.url)
  })
  t.teardown(pool.close)
  // A crash message at least `below` bytes long: it goes to the worker, which dies.
  await t.rejects(pool.check(Buffer.alloc(16384), 'test/crash', undefined), { code: 'GW_SPEC_VALIDATOR_UNAVAILABLE' })
  await t.rejects(pool.check(big.message, big.contentType, big.soapAction), { code: 'GW_SPEC_VALIDATOR_UNAVAILABLE' }, 'a big message: no worker is ready')
  t.same((await pool.check(valid.message, valid.contentType, valid.soapAction)).violations, [], 'a small one is still validated')
  await pool.close()
  await t.rejects(pool.check(valid.message, valid.contentType, valid.soapAction), { code: 'GW_SPEC_VALIDATOR_UNAVAILABLE' }, 'a closed pool refuses small messages too')
})

t.test('a spec directory the workers cannot load fails the start; so does a pool of no worker', async (t) => {
  await t.rejects(startValidationPool({ size: 2, dir: join(corpus, 'no-such-spec-dir'), xmlLimits: spec.xmlLimits, logger: silent }), { code: 'GW_SPEC_DIR_UNREADABLE' })
  await t.rejects(startValidationPool({ size: 0, dir: spec.dir, xmlLimits: spec.xmlLimits, logger: silent }), RangeError)
})

t.test('a closed pool refuses checks', async (t) => {
  const pool = await startValidationPool({ size: 1, dir: spec.dir, xmlLimits: spec.xmlLimits, logger: silent })
  await pool.close()
  await pool.close()
  await t.rejects(pool.check(Buffer.from('x'), 'application/soap+xml', undefined), { code: 'GW_SPEC_VALIDATOR_UNAVAILABLE' })
})
