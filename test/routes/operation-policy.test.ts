import t from 'tap'
import { buildOperationPolicy } from '../../src/routes/operation-policy.js'
import type { GatewayConfig } from '../../src/config/schema.js'
import type { InterfaceSpec } from '../../src/contract/types.js'

const NS = 'http://ws.metier.nuu.application.i2/'
const spec = {
  operations: new Map([
    ['getNumUnique', { name: 'getNumUnique', action: NS + 'getNumUnique' }],
    ['getDemandeLogement', { name: 'getDemandeLogement', action: NS + 'getDemandeLogement' }]
  ])
} as unknown as InterfaceSpec
const config = { environments: {}, validation: { mode: 'enforce', responses: 'off' } } as unknown as GatewayConfig

t.test('identifyOnly: only where every operation of the environment is in mode off', async (t) => {
  const envs = {
    off: { validation: { mode: 'off', operations: {}, responses: 'off' } },
    offButOne: { validation: { mode: 'off', operations: { getNumUnique: 'enforce' }, responses: 'off' } },
    offByOperations: { validation: { mode: 'enforce', operations: { getNumUnique: 'off', getDemandeLogement: 'off' }, responses: 'off' } },
    inherits: { validation: { operations: {}, responses: 'off' } }
  }
  const policy = buildOperationPolicy({ ...config, environments: envs } as unknown as GatewayConfig, spec)
  t.equal(policy.identifyOnly('off'), true)
  t.equal(policy.identifyOnly('offButOne'), false, 'one operation enforced: every call is validated, its mode then read from its Body')
  t.equal(policy.identifyOnly('offByOperations'), false, 'an unidentified message falls back to the environment mode, enforce')
  t.equal(policy.identifyOnly('inherits'), false, 'the global mode is enforce')
  t.equal(policy.mode('offButOne', 'getNumUnique'), 'enforce')
  t.equal(policy.mode('offButOne', 'getDemandeLogement'), 'off')
  t.equal(policy.mode('offButOne', undefined), 'off')
})

t.test('reads and writes', async (t) => {
  const policy = buildOperationPolicy(config, spec)
  t.equal(policy.isRead('getDemandeLogement'), true)
  t.equal(policy.isRead('getNumUnique'), false)
  t.equal(policy.isRead(undefined), false)
})
