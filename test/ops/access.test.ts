// The ops plane's access checks with inject(): the bearer token on every route but the probes, the
// Host header (loopback names by default on loopback), and the start-time exposure warning; then
// through buildGateway (not listening) with a real token file, the warning in the log, and the
// token file read again by a reload.
import t, { type Test } from 'tap'
import { writeFileSync, chmodSync } from 'node:fs'
import { join } from 'node:path'
import Fastify from 'fastify'
import { defaultAllowedHosts, installOpsAccess, opsBearer, opsExposureWarning, readOpsToken, type OpsAccessOptions } from '../../src/ops/access.js'
import { LogCapture, sharedSpec } from '../integration/helpers/gateway-stack.js'
import { createConfigValidator } from '../../src/config/validate.js'
import { buildGateway, type Gateway } from '../../src/gateway.js'
import type { GatewayConfig } from '../../src/config/schema.js'
import { createLogger } from '../../src/observability/logger.js'
import { testPki } from '../helpers/pki.js'

const TOKEN = '0123456789abcdef0123456789abcdef'

async function app (t: Test, options: OpsAccessOptions): Promise<ReturnType<typeof Fastify>> {
  const a = Fastify()
  installOpsAccess(a, options)
  for (const path of ['/health/live', '/health/ready', '/metrics', '/ops/tls/clients', '/']) a.get(path, async () => 'ok')
  t.teardown(async () => { await a.close() })
  return a
}

t.test('with a token: every route but the probes needs it', async (t) => {
  const a = await app(t, { token: opsBearer(TOKEN), allowedHosts: undefined })
  for (const url of ['/metrics', '/ops/tls/clients?status=ready', '/']) {
    const bare = await a.inject(url)
    t.equal(bare.statusCode, 401, `${url} without the token`)
    t.equal(bare.headers['www-authenticate'], 'Bearer realm="sne-gateway ops"')
    t.match(bare.headers['content-type'], /^application\/problem\+json/)
    t.match(bare.json(), { status: 401, code: 'GW_OPS_UNAUTHORIZED' })
    t.equal((await a.inject({ url, headers: { authorization: `Bearer ${TOKEN}x` } })).statusCode, 401, `${url} with another token`)
    t.equal((await a.inject({ url, headers: { authorization: TOKEN } })).statusCode, 401, `${url} without the Bearer scheme`)
    t.equal((await a.inject({ url, headers: { authorization: `Bearer ${TOKEN}` } })).statusCode, 200, `${url} with the token`)
  }
  for (const url of ['/health/live', '/health/ready']) t.equal((await a.inject(url)).statusCode, 200, `${url} stays open to probes`)
})

t.test('the Host header must be one of the allowed names', async (t) => {
  const a = await app(t, { token: undefined, allowedHosts: defaultAllowedHosts('127.0.0.1', undefined) })
  for (const host of ['localhost:9090', '127.0.0.1:9090', '[::1]:9090', 'LOCALHOST']) {
    t.equal((await a.inject({ url: '/metrics', headers: { host } })).statusCode, 200, host)
  }
  const rebound = await a.inject({ url: '/', headers: { host: 'attacker.example:9090' } })
  t.equal(rebound.statusCode, 421)
  t.match(rebound.json(), { code: 'GW_OPS_HOST_NOT_ALLOWED', detail: /host "attacker\.example"/ })
  t.equal((await a.inject({ url: '/health/ready', headers: { host: 'attacker.example' } })).statusCode, 421, 'probes too: they come by a known name')
})

t.test('default hosts: loopback names on loopback, no check elsewhere unless configured', async (t) => {
  t.same(defaultAllowedHosts('127.0.0.1', undefined), ['localhost', '127.0.0.1', '[::1]', '::1'])
  t.same(defaultAllowedHosts('::1', undefined), ['localhost', '127.0.0.1', '[::1]', '::1'])
  t.equal(defaultAllowedHosts('0.0.0.0', undefined), undefined)
  t.same(defaultAllowedHosts('0.0.0.0', ['sne-gateway-ops']), ['sne-gateway-ops'])
})

t.test('the exposure warning: beyond loopback without a token only', async (t) => {
  t.match(opsExposureWarning('0.0.0.0', undefined), /listens on 0\.0\.0\.0 without a token/)
  t.equal(opsExposureWarning('0.0.0.0', TOKEN), undefined)
  t.equal(opsExposureWarning('127.0.0.1', undefined), undefined)
  t.equal(opsExposureWarning('localhost', undefined), undefined)
})

/** A gateway (never listening) with these ops options, its log captured, closed at teardown. */
async function buildWithOps (t: Test, dir: string, ops: Record<string, unknown>): Promise<{ gateway: Gateway, logs: LogCapture, config: GatewayConfig }> {
  const pki = await testPki()
  const config = createConfigValidator()({
    dataPlane: { host: '127.0.0.1', port: 0, tls: { cert: pki.server.cert, key: pki.server.key, clientCa: pki.ca.cert } },
    ops: { port: 0, probeIntervalMs: 600000, ...ops },
    census: { enabled: false },
    idempotency: { file: join(dir, 'idempotency.sqlite') },
    validation: { workers: 0 },
    environments: { ecole: { upstream: { url: 'https://127.0.0.1:1/services/DemandeLogementImplService/', ca: pki.ca.cert } } }
  })
  const logs = new LogCapture()
  const gateway = await buildGateway(config, { spec: await sharedSpec(), logger: createLogger({ level: 'info', destination: logs }) })
  t.teardown(async () => { await gateway.close() })
  return { gateway, logs, config }
}

t.test('through buildGateway (never listening): the token file, and the warning at start', async (t) => {
  const dir = t.testdir({})
  const tokenFile = join(dir, 'ops.token')
  writeFileSync(tokenFile, `${TOKEN}\n`)
  chmodSync(tokenFile, 0o600)
  const guarded = await buildWithOps(t, dir, { host: '0.0.0.0', tokenFile })
  t.equal((await guarded.gateway.ops!.inject('/metrics')).statusCode, 401)
  const authorized = await guarded.gateway.ops!.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } })
  t.equal(authorized.statusCode, 200)
  t.match(authorized.body, /sne_gateway_inflight_requests/)
  t.notOk(guarded.logs.lines().some((l) => /without a token/.test(String(l.msg))), 'no warning: a token is set')

  const open = await buildWithOps(t, dir, { host: '0.0.0.0' })
  t.ok(open.logs.lines().some((l) => l.level === 40 && /ops plane listens on 0\.0\.0\.0 without a token/.test(String(l.msg))), 'warned')
  t.equal((await open.gateway.ops!.inject({ url: '/metrics', headers: { host: 'anything.example' } })).statusCode, 200, 'beyond loopback, no Host check unless configured')

  const local = await buildWithOps(t, dir, { host: '127.0.0.1' })
  t.notOk(local.logs.lines().some((l) => /without a token/.test(String(l.msg))), 'loopback: no warning')
  t.equal((await local.gateway.ops!.inject({ url: '/metrics', headers: { host: 'rebound.example' } })).statusCode, 421, 'loopback: Host checked by default')
})

t.test('a reload (SIGHUP) reads the token file again; one that fails keeps the token in force', async (t) => {
  const dir = t.testdir({})
  const tokenFile = join(dir, 'ops.token')
  writeFileSync(tokenFile, `${TOKEN}\n`)
  chmodSync(tokenFile, 0o600)
  const { gateway, logs, config } = await buildWithOps(t, dir, { host: '127.0.0.1', tokenFile })
  const status = async (token: string): Promise<number> => (await gateway.ops!.inject({ url: '/metrics', headers: { authorization: `Bearer ${token}` } })).statusCode
  t.equal(await status(TOKEN), 200, 'the token read at start')

  const rotated = 'fedcba9876543210fedcba9876543210'
  writeFileSync(tokenFile, `${rotated}\n`)
  t.equal(await status(TOKEN), 200, 'the file alone changes nothing until the reload')
  t.match(await gateway.reload(config), { applied: true })
  t.equal(await status(TOKEN), 401, 'the old token is refused after the reload')
  t.equal(await status(rotated), 200, 'the new one is accepted')

  for (const [why, content, mode, code] of [
    ['a token too short', 'short\n', 0o600, 'GW_CONFIG_FILE_UNREADABLE'],
    ['a file every user may read', `${TOKEN}\n`, 0o644, 'GW_CONFIG_SECRET_WORLD_READABLE']
  ] as const) {
    writeFileSync(tokenFile, content)
    chmodSync(tokenFile, mode)
    const before = logs.raw.length
    t.match(await gateway.reload(config), { applied: false }, `${why}: refused`)
    const lines = logs.lines().slice(before)
    t.equal(lines.length, 1, `${why}: one log line`)
    t.match(lines[0], { level: 50, reload: 'sighup', code, reason: /^\/ops\/tokenFile: / }, `${why}: its code`)
    t.ok(String(lines[0]?.reason).includes(tokenFile), `${why}: the file named`)
    t.equal(await status(rotated), 200, `${why}: the token in force stays`)
    t.equal(await status(TOKEN), 401, `${why}: the file's token is not taken`)
  }
  const metrics = await gateway.ops!.inject({ url: '/metrics', headers: { authorization: `Bearer ${rotated}` } })
  t.match(metrics.body, /sne_gateway_config_reloads_total\{trigger="sighup",result="refused"\} 2/)
})

t.test('a token file readable by everyone, or too short, stops the start', async (t) => {
  const dir = t.testdir({})
  const tokenFile = join(dir, 'ops.token')
  writeFileSync(tokenFile, 'short\n')
  chmodSync(tokenFile, 0o644)
  await t.rejects(readOpsToken(tokenFile), { code: 'GW_CONFIG_SECRET_WORLD_READABLE' })
  chmodSync(tokenFile, 0o600)
  await t.rejects(readOpsToken(tokenFile), { code: 'GW_CONFIG_FILE_UNREADABLE', message: /\/ops\/tokenFile: .*at least 16 characters/ })
  writeFileSync(tokenFile, `${TOKEN}\n`)
  t.equal(await readOpsToken(tokenFile), TOKEN, 'the first line, without its line break')
  t.equal(await readOpsToken(undefined), undefined)
})
