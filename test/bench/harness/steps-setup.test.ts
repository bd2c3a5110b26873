import t from 'tap'
import { boundedOption, loadOptions } from '../../../bench/harness/steps-setup.js'

t.test('loadOptions: the step benches\' load options, each an integer in its range', async (t) => {
  t.same(loadOptions({ rounds: '3', seconds: '4', warmup: '0', connections: '50' }), { ROUNDS: 3, SECONDS: 4, WARMUP: 0, CONNECTIONS: 50 })
  t.throws(() => loadOptions({ rounds: '0', seconds: '4', warmup: '0', connections: '50' }), /--rounds: an integer from 1 to 50/)
  t.throws(() => loadOptions({ rounds: '3', seconds: '1.5', warmup: '0', connections: '50' }), /--seconds/)
  t.throws(() => loadOptions({ rounds: '3', seconds: '4', warmup: '0', connections: '513' }), /--connections: an integer from 1 to 512/)
  t.throws(() => boundedOption('perf-runs', undefined, 1, 10), /--perf-runs/)
  t.equal(boundedOption('perf-runs', '10', 1, 10), 10)
})
