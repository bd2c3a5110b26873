import t from 'tap'
import { resolveOptions, DEFAULT_BODY_LIMIT, type SimulatorOptions } from '../../src/simulator/options.js'
import { resolveConfigFile } from '../../src/simulator/config-file.js'

const tls = { cert: 'CERT', key: 'KEY', ca: 'CA' }

t.test('defaults, frozen', async (t) => {
  const o = resolveOptions({ tls })
  t.same({ ...o, tls: { ...o.tls } }, { tls, dataFile: undefined, seed: 0, seedRandom: 1, bodyLimit: DEFAULT_BODY_LIMIT, faults: [], publicUrl: undefined })
  t.ok(Object.isFrozen(o) && Object.isFrozen(o.tls) && Object.isFrozen(o.faults))
  t.equal(resolveOptions({ tls, dataFile: ':memory:' }).dataFile, undefined, ':memory: means in memory')
})

t.test('one accepting and one rejecting case per rule', async (t) => {
  const cases: Array<[string, Partial<SimulatorOptions> | Record<string, unknown>, RegExp | undefined]> = [
    ['tls required', { tls: undefined }, /must have required property 'tls'/],
    ['tls.cert PEM', { tls: { ...tls, cert: '' } }, /\/tls\/cert must be PEM text or a Buffer/],
    ['tls.cert Buffer', { tls: { ...tls, cert: Buffer.from('C') } }, undefined],
    ['tls.key PEM', { tls: { ...tls, key: 42 } }, /\/tls\/key must be PEM text or a Buffer/],
    ['tls.ca list', { tls: { ...tls, ca: ['A', Buffer.from('B')] } }, undefined],
    ['tls.ca empty list', { tls: { ...tls, ca: [] } }, /\/tls\/ca must be PEM text/],
    ['tls extra key', { tls: { ...tls, passphrase: 'x' } }, /\/tls must NOT have additional properties \(passphrase\)/],
    ['seed range', { seed: 1_000_001 }, /\/seed must be <= 1000000/],
    ['seed ok', { seed: 10 }, undefined],
    ['seedRandom integer', { seedRandom: 1.5 }, /\/seedRandom must be integer/],
    ['bodyLimit minimum', { bodyLimit: 10 }, /\/bodyLimit must be >= 1024/],
    ['bodyLimit ok', { bodyLimit: 4096 }, undefined],
    ['faults items', { faults: [{ kind: 'latency', count: 1 }] }, /\/faults\/0 must have required property 'latencyMs'/],
    ['faults ok', { faults: [{ kind: 'latency', count: 1, latencyMs: 5 }] }, undefined],
    ['publicUrl pattern', { publicUrl: 'ftp://x' }, /\/publicUrl must match pattern/],
    ['publicUrl ok', { publicUrl: 'https://sne.example:8444' }, undefined],
    ['dataFile non-empty', { dataFile: '' }, /\/dataFile must NOT have fewer than 1 characters/],
    ['unknown option', { port: 1 }, /\(options\) has unknown key 'port'/]
  ]
  for (const [what, extra, error] of cases) {
    const run = (): unknown => resolveOptions({ tls, ...extra } as SimulatorOptions)
    if (error === undefined) t.doesNotThrow(run, what)
    else t.throws(run, { code: 'GW_SIM_OPTIONS_INVALID', message: error }, what)
  }
})

t.test('the CLI configuration file', async (t) => {
  const c = resolveConfigFile({ tls: { cert: 's.pem', key: 's.key', ca: '/abs/ca.pem' }, dataFile: 'data/sim.sqlite' }, '/etc/sim')
  t.same(c.tls, { cert: '/etc/sim/s.pem', key: '/etc/sim/s.key', ca: '/abs/ca.pem' }, 'paths relative to the file')
  t.equal(c.dataFile, '/etc/sim/data/sim.sqlite')
  t.equal(c.port, 8444)
  t.equal(c.adminPort, 8445)
  t.equal(c.host, '127.0.0.1')
  t.equal(c.logLevel, 'info')
  t.throws(() => resolveConfigFile({ adminHost: '0.0.0.0' }, '/'), { code: 'GW_SIM_OPTIONS_INVALID', message: /\(root\) has unknown key 'adminHost'/ }, 'the admin API has no host option: loopback only')
  t.throws(() => resolveConfigFile({ port: 70000, tls: { cert: 'a' } }, '/'), { message: /\/port must be <= 65535.*\/tls must have required property 'key'/ })
})
