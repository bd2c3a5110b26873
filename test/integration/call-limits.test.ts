// Call limits over real mutual TLS: the identity's rate and concurrency (a stalled upload holds its
// slot until its client goes away), a guichet's rate whoever sends for it, and the body bytes held
// by stalled uploads: one identity opening many connections that each declare ~10 MiB, send part
// of it and stall is refused past its share, the gateway's memory stays bounded, and another
// identity is still served. Loopback only; every socket is destroyed in teardown.
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect, type TLSSocket } from 'node:tls'
import { promisify } from 'node:util'
import t, { type Test } from 'tap'
import { Agent, request } from 'undici'
import { corpusCase, startStack, type Stack } from './helpers/gateway-stack.js'
import { startCapturingUpstream } from './helpers/capturing-upstream.js'
import { testPki } from '../helpers/pki.js'
import type { DevPki } from '../../src/tls/dev-pki.js'

const SERVICE = '/ecole/services/DemandeLogementImplService/'
const MiB = 1024 * 1024
const cre = corpusCase('valid-getNumUnique-cre-mtom')!
const subcode = (body: Buffer): string | undefined => /<env:Subcode><env:Value>gw:(\w+)</.exec(body.toString('utf8'))?.[1]
const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

async function stackWith (t: Test, limits: Record<string, unknown>, upstreamUrl?: string): Promise<Stack> {
  const stack = await startStack({
    ...(upstreamUrl === undefined ? {} : { upstreamUrl }),
    edit: (c) => { c.environments.ecole.limits = limits }
  })
  t.teardown(stack.close)
  return stack
}

interface Credential { cert: Buffer, key: Buffer }

/** A second client certificate (CN = identity), signed by the test PKI's CA with the openssl CLI. */
async function clientCertificate (pki: DevPki, identity: string): Promise<Credential> {
  const dir = await mkdtemp(join(tmpdir(), 'sne-gateway-client-'))
  try {
    const run = promisify(execFile)
    await writeFile(join(dir, 'ext'), 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n')
    await run('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', `/O=sne-gateway test/CN=${identity}`], { cwd: dir })
    await run('openssl', ['x509', '-req', '-in', 'client.csr', '-CA', pki.ca.cert, '-CAkey', pki.ca.key, '-CAcreateserial', '-CAserial', join(dir, 'ca.srl'), '-days', '2', '-sha256', '-extfile', 'ext', '-out', 'client.pem'], { cwd: dir })
    return { cert: await readFile(join(dir, 'client.pem')), key: await readFile(join(dir, 'client.key')) }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

async function demoCredential (pki: DevPki): Promise<Credential> {
  return { cert: await readFile(pki.client.cert), key: await readFile(pki.client.key) }
}

/** A call whose body is sent in part, then stalls: it stays in progress until its socket is destroyed. */
async function stalledUpload (t: Test, stack: Stack, credential: Credential, declared: number, part: Buffer): Promise<TLSSocket> {
  const ca = await readFile(stack.pki.ca.cert)
  const port = Number(new URL(stack.gatewayUrl).port)
  const socket = connect({ host: '127.0.0.1', port, ca, ...credential })
  t.teardown(() => { socket.destroy() })
  // A refused upload's connection is closed under it: its writes may fail.
  socket.on('error', () => {})
  await new Promise<void>((resolve, reject) => { socket.once('secureConnect', resolve); socket.once('error', reject) })
  socket.write(`POST ${SERVICE} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${cre.contentType}\r\nContent-Length: ${declared}\r\n\r\n`)
  if (part.length > 0) socket.write(part)
  return socket
}

async function metric (stack: Stack, line: RegExp): Promise<number> {
  const text = await stack.gateway.metrics.registry.metrics()
  const m = new RegExp(line.source + ' (\\d+(?:\\.\\d+)?)').exec(text)
  return m === null ? 0 : Number(m[1])
}

t.test('identity rate: a burst beyond the bucket is refused with 429, Retry-After and the Fault code; only the admitted calls reach the upstream', async (t) => {
  const stack = await stackWith(t, { identity: { ratePerSecond: 0.1, burst: 3 } })
  const before = (await stack.simulatorStats()).total
  const statuses: number[] = []
  for (let i = 0; i < 6; i++) {
    const res = await stack.post(SERVICE, cre.message, cre.contentType)
    statuses.push(res.status)
    if (res.status === 429) {
      t.equal(subcode(res.body), 'GW_LIMIT_RATE')
      t.match(res.headers['retry-after'], /^([1-9]|10)$/, 'whole seconds, at most one token\'s time')
      t.match(res.body.toString('utf8'), 'client G1226 is over its rate of 0.1 calls per second')
    }
  }
  t.same(statuses, [200, 200, 200, 429, 429, 429])
  t.equal((await stack.simulatorStats()).total - before, 3, 'the simulator saw the admitted calls only')
  t.equal(await metric(stack, /sne_gateway_limit_refusals_total\{env="ecole",limit="rate",scope="identity"\}/), 3)
})

t.test('identity concurrency: calls held open take the slots, the next is 429; once they end (their clients went away) a new one is admitted', async (t) => {
  const stack = await stackWith(t, { identity: { concurrent: 2 } })
  const credential = await demoCredential(stack.pki)
  const held = [
    await stalledUpload(t, stack, credential, cre.message.length, cre.message.subarray(0, 100)),
    await stalledUpload(t, stack, credential, cre.message.length, cre.message.subarray(0, 100))
  ]
  for (let i = 0; i < 4000 && await metric(stack, /sne_gateway_inflight_requests/) < 2; i++) await sleep(5)
  const refused = await stack.post(SERVICE, cre.message, cre.contentType)
  t.equal(refused.status, 429)
  t.equal(subcode(refused.body), 'GW_LIMIT_CONCURRENCY')
  t.equal(refused.headers['retry-after'], '1')
  t.match(refused.body.toString('utf8'), 'client G1226 already has 2 calls in progress')
  for (const socket of held) socket.destroy()
  for (let i = 0; i < 4000 && await metric(stack, /sne_gateway_inflight_requests/) > 0; i++) await sleep(5)
  const admitted = await stack.post(SERVICE, cre.message, cre.contentType)
  t.equal(admitted.status, 200, 'the aborted calls released their slots')
})

t.test('guichet rate: one identity acting for two guichets is refused for the one over its limit only', async (t) => {
  const upstream = await startCapturingUpstream(await testPki())
  t.teardown(upstream.close)
  const stack = await stackWith(t, { guichet: { ratePerSecond: 0.1, burst: 1 } }, upstream.url)
  const g1104 = Buffer.from(cre.message.toString('latin1').replace(/<ns1:numGuichet>G1226</g, '<ns1:numGuichet>G1104<').replace(/(DEM|CER)G1226-/g, '$1G1104-'), 'latin1')
  t.equal((await stack.post(SERVICE, cre.message, cre.contentType)).status, 200, 'G1226')
  const refused = await stack.post(SERVICE, cre.message, cre.contentType)
  t.equal(refused.status, 429)
  t.equal(subcode(refused.body), 'GW_LIMIT_RATE')
  t.match(refused.body.toString('utf8'), 'guichet G1226 is over its rate')
  t.equal((await stack.post(SERVICE, g1104, cre.contentType)).status, 200, 'G1104, same identity')
  t.equal(upstream.received.filter((r) => r.method === 'POST').length, 2, 'the refused call was not forwarded')
  t.equal(await metric(stack, /sne_gateway_limit_refusals_total\{env="ecole",limit="rate",scope="guichet"\}/), 1)
})

t.test('stalled uploads: one identity\'s many ~10 MiB uploads are refused past its share, the gateway\'s memory stays bounded, another identity is served', async (t) => {
  const CONNECTIONS = 60
  const PART = 4 * MiB
  const stack = await stackWith(t, {})
  const perIdentity = stack.config.dataPlane.bodyMemory.perIdentityBytes
  const [demo, other] = await Promise.all([demoCredential(stack.pki), clientCertificate(stack.pki, 'G7777')])
  // One buffer for every upload: the client side holds no copy per connection.
  const part = Buffer.alloc(PART, 0x20)
  const baseline = process.memoryUsage()

  const sockets: TLSSocket[] = []
  for (let i = 0; i < CONNECTIONS; i++) sockets.push(await stalledUpload(t, stack, demo, 10 * MiB - 1024, part))
  // Every upload ends either held whole (its 4 MiB received, then stalled) or refused.
  const refusedCount = async (): Promise<number> => await metric(stack, /sne_gateway_limit_refusals_total\{env="ecole",limit="body_memory",scope="identity"\}/)
  const held = (): number => stack.gateway.metrics.bodyBytesSource()
  let peakArrayBuffers = 0
  let peakRss = 0
  for (let i = 0; i < 1200; i++) {
    const usage = process.memoryUsage()
    peakArrayBuffers = Math.max(peakArrayBuffers, usage.arrayBuffers)
    peakRss = Math.max(peakRss, usage.rss)
    if (await refusedCount() + held() / PART === CONNECTIONS) break
    await sleep(50)
  }
  const refused = await refusedCount()
  const inFlight = await metric(stack, /sne_gateway_body_bytes_in_flight/)
  t.comment(`uploads refused ${refused}/${CONNECTIONS}, body bytes in flight ${(inFlight / MiB).toFixed(1)} MiB, arrayBuffers peak +${((peakArrayBuffers - baseline.arrayBuffers) / MiB).toFixed(1)} MiB, RSS peak +${((peakRss - baseline.rss) / MiB).toFixed(1)} MiB`)
  t.ok(refused >= CONNECTIONS - perIdentity / PART, `the uploads beyond the identity's share are refused (${refused})`)
  t.ok(inFlight <= perIdentity, 'the gauge shows at most the identity\'s share held')
  t.equal(inFlight, held())
  // Without the budget the 60 bodies (240 MiB) would be held; the share is 32 MiB. Generous: the
  // shared client buffer, TLS and socket buffers, the refused uploads' chunks not yet collected.
  t.ok(peakArrayBuffers - baseline.arrayBuffers < perIdentity + 96 * MiB, 'the process\'s buffers stay bounded')
  t.match(stack.logs.access().filter((l) => l.code === 'GW_LIMIT_BODY_MEMORY_IDENTITY').length, refused, 'each refusal has its access line')

  // The stalled identity's next call is refused while its share is held, even a small one.
  const mine = await stack.post(SERVICE, cre.message, cre.contentType)
  t.equal(mine.status, 429)
  t.equal(subcode(mine.body), 'GW_LIMIT_BODY_MEMORY_IDENTITY')
  t.equal(mine.headers['retry-after'], '5')

  // Another identity is served meanwhile.
  const client = new Agent({ connect: { ca: await readFile(stack.pki.ca.cert), ...other } })
  t.teardown(async () => { await client.close() })
  const res = await request(stack.gatewayUrl + SERVICE, { method: 'POST', body: cre.message, headers: { 'content-type': cre.contentType }, dispatcher: client })
  await res.body.arrayBuffer()
  t.equal(res.statusCode, 200, 'a legitimate client of another identity is served')

  for (const socket of sockets) socket.destroy()
  for (let i = 0; i < 2000 && held() > 0; i++) await sleep(10)
  t.equal(held(), 0, 'the stalled uploads\' bytes are given back when their clients go away')
})
