// The census section of the configuration as the census's options: the new-row rate per address
// with its defaults, bounds and mapping (the other options are exercised where they act).
import t from 'tap'
import { createConfigValidator } from '../../src/config/validate.js'
import { tlsCensusOptions } from '../../src/census/census-config.js'
import { minimalConfig } from '../config/helpers/minimal-config.js'

const validate = createConfigValidator()

t.test('census.newRowsPerAddress: a burst of 32 then 60 an hour by default, passed to the census', async (t) => {
  t.same(tlsCensusOptions(validate(minimalConfig()).census).census?.newRowsPerAddress, { burst: 32, ratePerHour: 60 })
  const set = validate({ ...minimalConfig(), census: { newRowsPerAddress: { burst: 4, ratePerHour: 0.5 } } })
  t.same(tlsCensusOptions(set.census).census?.newRowsPerAddress, { burst: 4, ratePerHour: 0.5 })
})

t.test('census.newRowsPerAddress: a burst of at least one, a rate of at least zero, no other key', async (t) => {
  t.throws(() => validate({ ...minimalConfig(), census: { newRowsPerAddress: { burst: 0 } } }), { code: 'GW_CONFIG_INVALID', message: /\/census\/newRowsPerAddress\/burst/ })
  t.throws(() => validate({ ...minimalConfig(), census: { newRowsPerAddress: { ratePerHour: -1 } } }), { code: 'GW_CONFIG_INVALID', message: /\/census\/newRowsPerAddress\/ratePerHour/ })
  t.throws(() => validate({ ...minimalConfig(), census: { newRowsPerAddress: { ratePerSecond: 1 } } }), { code: 'GW_CONFIG_INVALID', message: /ratePerSecond/ })
  t.same(validate({ ...minimalConfig(), census: { newRowsPerAddress: { ratePerHour: 0 } } }).census.newRowsPerAddress, { burst: 32, ratePerHour: 0 }, 'zero: the burst only')
})
