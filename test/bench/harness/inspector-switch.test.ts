import t from 'tap'
import { disabledAt, findCensusSwitch } from '../../../bench/harness/inspector-switch.js'

t.test('findCensusSwitch looks for a boolean census.enabled where the configuration may put it', async (t) => {
  t.equal(findCensusSwitch({ properties: { dataPlane: { properties: {} } } }), undefined)
  t.same(findCensusSwitch({ properties: { census: { properties: { enabled: { type: 'boolean' } } } } }), ['census'])
  t.same(findCensusSwitch({ properties: { dataPlane: { properties: { tls: { properties: { census: { properties: { enabled: { type: 'boolean' } } } } } } } } }), ['dataPlane', 'tls', 'census'])
  t.equal(findCensusSwitch({ properties: { census: { properties: { enabled: { type: 'string' } } } } }), undefined, 'only a boolean switch')
})

t.test('disabledAt builds the nested option', async (t) => {
  t.same(disabledAt(['census']), { census: { enabled: false } })
  t.same(disabledAt(['dataPlane', 'census']), { dataPlane: { census: { enabled: false } } })
})
