import t from 'tap'
import { createConfigValidator } from '../../../src/config/validate.js'
import { deepMerge, gatewayBenchConfig } from '../../../bench/harness/gateway-config.js'

const base = {
  port: 18443,
  opsPort: 19090,
  cert: '/p/server.pem',
  key: '/p/server.key',
  upstream: { url: 'https://127.0.0.1:19443/services/DemandeLogementImplService/', ca: '/p/ca.pem', cert: '/p/uc.pem', key: '/p/uc.key', connections: 50 },
  validation: 'enforce' as const,
  bodyLimitBytes: 10 * 1024 * 1024
}

t.test('the gateway accepts the bench configuration, as generated', async (t) => {
  const config = createConfigValidator()(gatewayBenchConfig(base))
  t.equal(config.dataPlane.port, 18443)
  t.equal(config.dataPlane.tls.clientCertificates, 'none', 'wrk cannot present a client certificate')
  t.equal(config.validation.mode, 'enforce')
  t.equal(config.environments.ecole!.upstream.url, base.upstream.url)
  t.equal(config.environments.ecole!.upstream.connections, 50)
  t.equal(config.environments.ecole!.upstream.probe, false)
  t.equal(config.ops.port, 19090)
  t.equal(config.dataPlane.connections.perAddress, 1024, 'the load generator is one address: the per-address cap must not refuse it')
  t.equal(config.dataPlane.bodyMemory.perIdentityBytes, config.dataPlane.bodyMemory.totalBytes, 'nor its body share refuse the concurrent 1 MiB uploads')
  t.equal(createConfigValidator()(gatewayBenchConfig({ ...base, validation: 'off' })).validation.mode, 'off')
})

t.test('extra options are merged deeply', async (t) => {
  t.same(deepMerge({ a: { b: 1, c: 2 }, d: [1] }, { a: { c: 3 }, d: [2], e: 'x' }), { a: { b: 1, c: 3 }, d: [2], e: 'x' })
  const config = gatewayBenchConfig({ ...base, extra: { dataPlane: { maxConnections: 7 } } }) as { dataPlane: Record<string, unknown> }
  t.equal(config.dataPlane.maxConnections, 7)
  t.equal(config.dataPlane.port, 18443, 'siblings kept')
})
