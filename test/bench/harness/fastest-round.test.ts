import t from 'tap'
import { fastestRound } from '../../../bench/harness/fastest-round.js'

t.test('fastestRound: a warm-up and every round call the function, results go to the checksum', async (t) => {
  let calls = 0
  const { measure, checksum } = fastestRound(3, 10)
  const us = measure(() => { calls++; return 2 })
  t.equal(calls, 40, 'warm-up 10 + 3 rounds of 10')
  t.equal(checksum(), 80)
  t.ok(Number.isFinite(us) && us >= 0, 'a CPU time per call')
})
