// The REST path's own work as rest-steps and rest-perf measure it: every step runs on the example
// demande (the answer reads as a demande, the demande passes the JSON contract), each figure is a
// CPU time, and each call's sum takes exactly its own steps: the record and the creation's
// conversions in the creation only, the answer's steps in both.
import { readFileSync } from 'node:fs'
import t from 'tap'
import { defaultSpecDir, loadSpec } from '../../../src/contract/index.js'
import { contractOf } from '../../../src/contract/json-contract.js'
import { measureOwnWork, ownWorkOf } from '../../../bench/harness/rest-own-work.js'

t.test('each step measured, each sum of its own call', async (t) => {
  const spec = await loadSpec({ dir: defaultSpecDir() })
  t.teardown(() => { spec.dispose() })
  const creDocument = readFileSync(new URL('../../../examples/documents/cre.xml', import.meta.url))
  const work = await measureOwnWork({ spec, contract: contractOf(spec), creDocument, rounds: 2, calls: 20 })
  t.same(work.steps.map((s) => [s.name.split(' (')[0], s.of.join('+')]), [
    ['JSON body parse', 'creation'],
    ['Idempotency-Key fingerprint', 'creation'],
    ['JSON contract check', 'creation'],
    ['build the getNumUnique CRE message', 'creation'],
    ['build the getDemandeLogement message', 'read'],
    ['read the answer', 'creation+read'],
    ['write the answer as JSON', 'creation+read'],
    ['Idempotency-Key record', 'creation']
  ])
  for (const s of work.steps) t.ok(Number.isFinite(s.us) && s.us > 0, `${s.name}: ${s.us} µs`)
  const us = (name: string): number => work.steps.find((s) => s.name.startsWith(name))!.us
  const answer = us('read the answer') + us('write the answer as JSON')
  const near = (a: number, b: number): boolean => Math.abs(a - b) < 1e-9
  t.ok(near(ownWorkOf(work, 'read'), us('build the getDemandeLogement message') + answer), 'the read: its build and the answer')
  t.ok(near(ownWorkOf(work, 'creation'), us('JSON body parse') + us('Idempotency-Key fingerprint') + us('JSON contract check') +
    us('build the getNumUnique CRE message') + answer + us('Idempotency-Key record')), 'the creation: its steps, the answer and the record')
  t.ok(work.checksum > 0)

  const withoutRecord = await measureOwnWork({ spec, contract: contractOf(spec), creDocument, rounds: 1, calls: 5, record: false })
  t.notOk(withoutRecord.steps.some((s) => s.name.startsWith('Idempotency-Key record')), 'record: false leaves the store out')
})
