import t from 'tap'
import { HALF_LOAD_GOAL_OVER_NGINX_MS, halfLoadPace, halfLoadRows, halfLoadVerdicts } from '../../../bench/harness/half-load.js'
import type { LoadRun } from '../../../bench/harness/results.js'
import type { WrkResult } from '../../../bench/harness/wrk.js'

const wrk = (rps: number, p50Ms: number, p99Ms: number, errors = 0): WrkResult => ({
  requests: rps * 10,
  durationUs: 10e6,
  bytes: 0,
  errors: { connect: 0, read: 0, write: 0, status: errors, timeout: 0 },
  latencyUs: { p50: p50Ms * 1000, p90: p99Ms * 500, p99: p99Ms * 1000, max: p99Ms * 2000, mean: p50Ms * 1000 },
  requestsPerSecond: rps
})
const keepAlive = (target: LoadRun['target'], message: string, rps: number): LoadRun => ({ upstream: 'canned', target, message, handshake: false, wrk: wrk(rps, 5, 20) })

t.test('the pace is half the gateway\'s keep-alive rate, the delay connections × 1000 / R', async (t) => {
  const runs: LoadRun[] = [
    keepAlive('direct', 'cre', 6000),
    keepAlive('nginx', 'cre', 4000),
    { upstream: 'canned', target: 'gateway', message: 'cre', handshake: true, wrk: wrk(90, 1, 1) },
    keepAlive('gateway (validation off)', 'cre', 900),
    { upstream: 'simulator', target: 'gateway', message: 'cre', handshake: false, wrk: wrk(300, 1, 1) },
    keepAlive('gateway', 'cre', 1000),
    { ...keepAlive('gateway', 'cre', 700), paced: { targetRps: 1, delayMs: 1 } }
  ]
  t.same(halfLoadPace(runs, 'cre', 50), { targetRps: 500, delayMs: 100 }, 'the canned gateway keep-alive run, with validation, not paced, not a handshake run')
  t.same(halfLoadPace([keepAlive('gateway', 'demande', 333)], 'demande', 50), { targetRps: 166.5, delayMs: 300 }, '50000 / 166.5 = 300.3, rounded')
  t.same(halfLoadPace([keepAlive('gateway', 'demande', 30000)], 'demande', 10), { targetRps: 15000, delayMs: 1 })
})

t.test('no pace without the gateway\'s measured rate', async (t) => {
  t.match(halfLoadPace([keepAlive('nginx', 'cre', 4000)], 'cre', 50), { skipped: /no keep-alive run of the gateway/ })
  t.match(halfLoadPace([{ upstream: 'canned', target: 'gateway', message: 'cre', handshake: false, skipped: 'time budget exhausted' }], 'cre', 50),
    { skipped: 'the gateway\'s keep-alive run was skipped (time budget exhausted)' })
  t.match(halfLoadPace([{ upstream: 'canned', target: 'gateway', message: 'cre', handshake: false, wrk: { ...wrk(0, 0, 0), requests: 0 } }], 'cre', 50),
    { skipped: /was skipped/ })
})

const pace = { targetRps: 500, delayMs: 100 }
const pacedRun = (target: LoadRun['target'], message: string, rps: number, p50Ms: number, p99Ms: number, errors = 0): LoadRun =>
  ({ upstream: 'canned', target, message, handshake: false, wrk: wrk(rps, p50Ms, p99Ms, errors), paced: pace })

t.test('rows: the paced runs only, latency added to the direct upstream\'s at the same pace', async (t) => {
  const runs: LoadRun[] = [
    keepAlive('direct', 'cre', 6000),
    keepAlive('gateway', 'cre', 1000),
    pacedRun('direct', 'cre', 495, 0.5, 1.25),
    pacedRun('nginx', 'cre', 494, 0.75, 1.5),
    pacedRun('gateway', 'cre', 480, 1.5, 3),
    { upstream: 'canned', target: 'direct', message: 'demande', handshake: false, skipped: 'time budget exhausted', paced: { targetRps: 300, delayMs: 167 } },
    pacedRun('gateway', 'demande', 290, 1, 2)
  ]
  const rows = halfLoadRows(runs)
  t.equal(rows.length, 5, 'keep-alive runs are left out')
  t.same(rows[0], { message: 'cre', target: 'direct', targetRps: 500, delayMs: 100, achievedRps: 495, p50Ms: 0.5, p99Ms: 1.25, errors: 0 }, 'nothing added to the reference')
  t.match(rows[1], { target: 'nginx', addedP50Ms: 0.25, addedP99Ms: 0.25 })
  t.match(rows[2], { target: 'gateway', achievedRps: 480, addedP50Ms: 1, addedP99Ms: 1.75 })
  t.same(rows[3], { message: 'demande', target: 'direct', targetRps: 300, delayMs: 167, skipped: 'time budget exhausted' })
  t.equal(rows[4]!.addedP99Ms, undefined, 'no reference at that pace: nothing added')
  t.equal(rows[4]!.p99Ms, 2)

  const verdicts = halfLoadVerdicts(rows)
  // nginx adds 0.25 ms: the goal is 1.25 ms, the gateway's 1.75 is over it
  t.same(verdicts, [{ message: 'cre', addedP99Ms: 1.75, nginxAddedP99Ms: 0.25, met: false, errors: 0 }, { message: 'demande' }])
  t.equal(HALF_LOAD_GOAL_OVER_NGINX_MS, 1)
})

t.test('verdict: over nginx\'s added p99 by more than the goal, or errors, is not met; the floor for reference', async (t) => {
  const verdict = (gateway: LoadRun, ...others: LoadRun[]): ReturnType<typeof halfLoadVerdicts> =>
    halfLoadVerdicts(halfLoadRows([pacedRun('direct', 'cre', 495, 0.5, 1), pacedRun('nginx', 'cre', 494, 0.6, 1.5), ...others, gateway]))
  t.match(verdict(pacedRun('gateway', 'cre', 480, 1, 2.5)), [{ met: true, addedP99Ms: 1.5, nginxAddedP99Ms: 0.5 }], 'exactly nginx\'s + 1 ms is met')
  t.match(verdict(pacedRun('gateway', 'cre', 480, 1, 2.51)), [{ met: false }])
  t.match(verdict(pacedRun('gateway', 'cre', 480, 1, 1.5, 4)), [{ met: false, errors: 4 }], 'fast refusals are no success')
  t.match(verdict(pacedRun('gateway', 'cre', 480, 1, 9), pacedRun('node floor', 'cre', 490, 0.7, 3)), [{ met: false, addedP99Ms: 8, floorAddedP99Ms: 2 }], 'the floor\'s added p99 is reported')
  t.notOk('floorAddedP99Ms' in verdict(pacedRun('gateway', 'cre', 480, 1, 2))[0]!, 'no floor run, no floor figure')
  t.same(halfLoadVerdicts(halfLoadRows([pacedRun('direct', 'cre', 495, 0.5, 1)])), [{ message: 'cre' }], 'no gateway row: not measured')
  t.same(halfLoadVerdicts(halfLoadRows([pacedRun('direct', 'cre', 495, 0.5, 1), pacedRun('gateway', 'cre', 480, 1, 2)])), [{ message: 'cre' }], 'no nginx row: not measured')
})
