// The legacy-TLS census in the real gateway, over real sockets: openssl s_client and Node clients
// offering TLS 1.0/1.1 are refused by node:tls and recorded with what they offered; TLS 1.2/1.3
// clients are served and recorded with what was negotiated and who they are; the ops plane's API,
// report, metrics and log show it; a client's migration; a restart loses nothing.
import t from 'tap'
import net from 'node:net'
import { join } from 'node:path'
import { request, Agent } from 'undici'
import { readFileSync } from 'node:fs'
import { guichetCredentials, nodeHandshake, sClient, startCensusStack, tempDir, waitForRows } from '../census/helpers/census-stack.js'
import { manualClock } from '../census/helpers/records.js'

const LEGACY = { ciphers: 'DEFAULT@SECLEVEL=0' }
const DAY = 86_400_000

t.test('TLS 1.0 and 1.1 refused and recorded; TLS 1.2 and 1.3 served and recorded', async (t) => {
  const stack = await startCensusStack()
  t.teardown(() => stack.close())
  const out10 = await sClient(stack.port, ['-tls1', '-cipher', 'DEFAULT@SECLEVEL=0', '-servername', 'legacy10.example'])
  const out11 = await sClient(stack.port, ['-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0', '-servername', 'legacy11.example'])
  t.match(out10, /alert protocol version|no protocols available|wrong version number|unsupported protocol/i, 'openssl -tls1 was refused')
  t.match(out11, /alert protocol version|no protocols available|wrong version number|unsupported protocol/i, 'openssl -tls1_1 was refused')
  t.equal(await nodeHandshake(stack.port, { ...LEGACY, minVersion: 'TLSv1', maxVersion: 'TLSv1', servername: 'node10.example' }), 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION')
  t.equal(await nodeHandshake(stack.port, { ...LEGACY, minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', servername: 'node11.example' }), 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION')
  const creds = guichetCredentials(stack.pki)
  t.equal(await nodeHandshake(stack.port, { ...creds, maxVersion: 'TLSv1.2' }), 'TLSv1.2')
  t.equal(await nodeHandshake(stack.port, { ...creds, minVersion: 'TLSv1.3' }), 'TLSv1.3')
  await waitForRows(stack.tlsCensus, 6)

  const res = await stack.ops('/ops/tls/clients')
  t.equal(res.status, 200)
  const clients = JSON.parse(res.body).clients as Array<Record<string, unknown>>
  const bySni = (sni: string): Record<string, unknown> | undefined => clients.find((c) => c.sni === sni)
  t.match(bySni('legacy10.example'), { ip: '127.0.0.1', maxVersionOffered: 'TLSv1', offered: { TLSv1: 1 }, outcomes: { failure: 1 }, lastFailureReason: 'unsupported-protocol', ja4: /^t10d/ })
  t.match(bySni('legacy11.example'), { maxVersionOffered: 'TLSv1.1', lastFailureReason: 'unsupported-protocol', ja4: /^t11d/ })
  t.match(bySni('node10.example'), { maxVersionOffered: 'TLSv1', lastFailureReason: 'unsupported-protocol' })
  t.match(bySni('node11.example'), { maxVersionOffered: 'TLSv1.1' })
  const modern = clients.filter((c) => c.sni === 'localhost')
  t.same(modern.map((c) => [c.maxVersionOffered, (c.outcomes as Record<string, number>).success, c.identity]).sort(), [['TLSv1.2', 1, 'G1226'], ['TLSv1.3', 1, 'G1226']])
  t.ok(clients.every((c) => c.status === 'migrating'), 'one address with legacy attempts and successes: migrating')
  t.equal(bySni('legacy10.example')!.identity, 'G1226', 'the legacy rows carry the identity the address later presented')

  const metrics = await request(`${stack.opsUrl!}/metrics`).then(async (r) => await r.body.text())
  t.match(metrics, /sne_gateway_tls_rejections_total\{offered_version="TLSv1",reason="unsupported-protocol"\} 2/)
  t.match(metrics, /sne_gateway_tls_rejections_total\{offered_version="TLSv1\.1",reason="unsupported-protocol"\} 2/)
  t.match(metrics, /sne_gateway_tls_census_handshakes_total\{version="TLSv1\.2",outcome="success"\} 1/)
  t.match(metrics, /sne_gateway_tls_census_handshakes_total\{version="TLSv1\.3",outcome="success"\} 1/)

  const lines = stack.censusLogs.lines().filter((l) => l.event === 'tls_rejected')
  t.equal(lines.length, 4, 'one log line per refusal')
  t.match(lines[0], { msg: 'legacy TLS handshake refused', remoteAddress: '127.0.0.1', offeredVersion: 'TLSv1', sni: 'legacy10.example', reason: 'unsupported-protocol' })

  const csv = await stack.ops('/ops/tls/report.csv?version=TLSv1')
  t.equal(csv.status, 200)
  const rows = csv.body.trim().split('\r\n')
  t.equal(rows.length, 3, 'header + the two TLS 1.0 rows')
  t.match(rows[1], /^G1226,127\.0\.0\.1,(legacy10|node10)\.example,t10d/)
})

t.test('plain HTTP on the TLS port is told why, recorded and closed; the gateway goes on', async (t) => {
  const stack = await startCensusStack()
  t.teardown(() => stack.close())
  const answer = await new Promise<string>((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port: stack.port }, () => socket.write('GET /ecole/services/DemandeLogementImplService/?wsdl HTTP/1.1\r\nHost: x\r\n\r\n'))
    let got = ''
    socket.on('data', (d) => { got += String(d) })
    socket.on('close', () => resolve(got))
    socket.on('error', () => {})
  })
  t.match(answer, /^HTTP\/1\.1 400 Bad Request/)
  await waitForRows(stack.tlsCensus, 1)
  t.match(stack.tlsCensus.census.clients()[0], { outcomes: { rejected: 1 }, lastFailureReason: 'plain-http', status: 'other' })
  const agent = new Agent({ connect: { ca: readFileSync(stack.pki.ca.cert), cert: readFileSync(stack.pki.client.cert), key: readFileSync(stack.pki.client.key) } })
  t.teardown(() => agent.close())
  const wsdl = await request(`${stack.gatewayUrl}/ecole/services/DemandeLogementImplService/?wsdl`, { dispatcher: agent })
  t.equal(wsdl.statusCode, 200, 'a real call is served through the inspector')
  await wsdl.body.dump()
})

t.test('a client moving from TLS 1.0 to 1.2: migrating, then ready once it stopped trying 1.0 for the period', async (t) => {
  const c = manualClock()
  const stack = await startCensusStack({ census: { census: { readyAfterMs: 7 * DAY } }, clock: c.clock })
  t.teardown(() => stack.close())
  const status = async (): Promise<string[]> => JSON.parse((await stack.ops('/ops/tls/clients')).body).clients.map((r: { status: string }) => r.status)
  await nodeHandshake(stack.port, { ...LEGACY, minVersion: 'TLSv1', maxVersion: 'TLSv1', servername: 'localhost' })
  await waitForRows(stack.tlsCensus, 1)
  t.same(await status(), ['legacy-only'])
  c.advance(DAY)
  t.equal(await nodeHandshake(stack.port, { ...guichetCredentials(stack.pki), maxVersion: 'TLSv1.2' }), 'TLSv1.2')
  await waitForRows(stack.tlsCensus, 2)
  t.same(await status(), ['migrating', 'migrating'])
  c.advance(6 * DAY - 1)
  t.same(await status(), ['migrating', 'migrating'], 'a millisecond short of seven days since the last TLS 1.0 attempt')
  c.advance(1)
  t.same(await status(), ['ready', 'ready'])
  t.same(JSON.parse((await stack.ops('/ops/tls/clients?status=ready&version=TLSv1')).body).clients.map((r: { identity: string }) => r.identity), ['G1226'])
})

t.test('persistence across a restart of the gateway', async (t) => {
  const file = join(tempDir(t), 'census.sqlite')
  const first = await startCensusStack({ census: { census: { file } } })
  await sClient(first.port, ['-tls1', '-cipher', 'DEFAULT@SECLEVEL=0', '-servername', 'restart.example'])
  await waitForRows(first.tlsCensus, 1)
  const before = JSON.parse((await first.ops('/ops/tls/clients')).body).clients
  await first.close()

  const second = await startCensusStack({ census: { census: { file } } })
  t.teardown(() => second.close())
  const after = JSON.parse((await second.ops('/ops/tls/clients')).body).clients
  t.same(after, before, 'the same rows, nothing lost')
  t.match(after[0], { sni: 'restart.example', maxVersionOffered: 'TLSv1', status: 'legacy-only' })
  await sClient(second.port, ['-tls1', '-cipher', 'DEFAULT@SECLEVEL=0', '-servername', 'restart.example'])
  await waitForRows(second.tlsCensus, 1, (r) => (r.offered.TLSv1 ?? 0) === 2)
  t.pass('counts go on from where they were')
})

t.test('a flood of new fingerprints from 127.0.0.1 over real sockets: its burst of rows, the rest counted; 127.0.0.2 keeps its rows and makes new ones', async (t) => {
  const stack = await startCensusStack({ census: { census: { maxRowsPerAddress: 32, newRowsPerAddress: { burst: 8, ratePerHour: 60 } } } })
  t.teardown(() => stack.close())
  const legacyFrom = async (localAddress: string, servername: string): Promise<string> => await nodeHandshake(stack.port, { ...LEGACY, minVersion: 'TLSv1', maxVersion: 'TLSv1', servername, localAddress })
  t.equal(await legacyFrom('127.0.0.2', 'before-1.example'), 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION')
  await legacyFrom('127.0.0.2', 'before-2.example')
  await waitForRows(stack.tlsCensus, 2)

  const FLOOD = 120
  for (let i = 0; i < FLOOD; i += 8) {
    await Promise.all(Array.from({ length: 8 }, async (_, j) => await legacyFrom('127.0.0.1', `flood-${i + j}.example`)))
  }
  const evictions = async (): Promise<string> => await request(`${stack.opsUrl!}/metrics`).then(async (r) => await r.body.text())
  for (let i = 0; i < 200 && !(await evictions()).includes(`reason="address_rate"} ${FLOOD - 8}`); i++) await new Promise((resolve) => setTimeout(resolve, 25))
  t.match(await evictions(), new RegExp(`sne_gateway_tls_census_evictions_total\\{reason="address_rate"\\} ${FLOOD - 8}\\b`), 'every hello beyond the burst counted')
  t.notMatch(await evictions(), /reason="(address_budget|capacity)"/, 'nothing evicted')
  t.match(await evictions(), new RegExp(`sne_gateway_tls_rejections_total\\{offered_version="TLSv1",reason="unsupported-protocol"\\} ${FLOOD + 2}\\b`), 'every refusal still counted by the metrics')

  await legacyFrom('127.0.0.2', 'after.example')
  await waitForRows(stack.tlsCensus, 3, (r) => r.ip === '127.0.0.2')
  const clients = JSON.parse((await stack.ops('/ops/tls/clients')).body).clients as Array<{ ip: string, sni: string }>
  t.equal(clients.filter((c) => c.ip === '127.0.0.1').length, 8, 'the flooding address: its burst of rows')
  t.same(clients.filter((c) => c.ip === '127.0.0.2').map((c) => c.sni).sort(), ['after.example', 'before-1.example', 'before-2.example'], 'the other address: its rows kept, and a new one made after the flood')
})
