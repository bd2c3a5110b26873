// Two guichets over real mutual TLS, each with its own client certificate issued by the test CA
// (CN=G1226, the dev PKI's demo guichet, and CN=G1104), in front of the école simulator. G1104
// cannot act for G1226; its calls reach the SNE with its own upstream credential, which the
// simulator records per call; a revoked certificate fails the handshake; a reload swaps G1104's
// upstream certificate while one of its calls is in flight, and both calls succeed, each with
// the certificate it started with; a new CRL is picked up without a signal.
import t from 'tap'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { copyFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect } from 'node:tls'
import { Agent, request, type Dispatcher } from 'undici'
import { createConfigValidator } from '../../src/config/validate.js'
import { issueCertificate, writeCrl, type KeyPair } from '../../src/tls/dev-pki.js'
import { actingAs, corpusCase, startStack, type Stack } from './helpers/gateway-stack.js'
import { testPki } from '../helpers/pki.js'

const SERVICE = '/ecole/services/DemandeLogementImplService/'
const dir = mkdtempSync(join(tmpdir(), 'sne-gateway-two-guichets-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))

const pki = await testPki()
const g1104 = await issueCertificate(pki.ca, dir, { name: 'g1104', subject: '/O=test/OU=guichet/CN=G1104' })
const revoked = await issueCertificate(pki.ca, dir, { name: 'g1105', subject: '/O=test/OU=guichet/CN=G1105' })
const upstreamV1 = await issueCertificate(pki.ca, dir, { name: 'upstream-g1104-v1', subject: '/O=test/CN=sne-gateway G1104 v1' })
const upstreamV2 = await issueCertificate(pki.ca, dir, { name: 'upstream-g1104-v2', subject: '/O=test/CN=sne-gateway G1104 v2' })
const crl = join(dir, 'crl.pem')
await writeCrl(pki.ca, [revoked.cert], crl)
// The credential file the configuration names; the reload test copies v2 over another path.
const credential = { cert: join(dir, 'credential.pem'), key: join(dir, 'credential.key') }
await copyFile(upstreamV1.cert, credential.cert)
await copyFile(upstreamV1.key, credential.key)

type Raw = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

function configure (c: Raw, upstream: KeyPair = credential): void {
  c.dataPlane.tls.clientCertificates = 'required'
  c.dataPlane.tls.clientCrl = crl
  c.dataPlane.tls.crlCheckIntervalMs = 1000
  c.environments.ecole.guichets = {
    identities: { G1226: ['G1226'], G1104: ['G1104'], G1105: ['G1105'] },
    // G1104's territory is 093: the corpus demandes (territory 111, created by G1226) are not its.
    territories: { G1104: ['093'] }
  }
  c.environments.ecole.upstream.credentials = { g1104: { guichets: ['G1104'], cert: upstream.cert, key: upstream.key } }
}

const stack: Stack = await startStack({ edit: (c) => { configure(c) } })
t.teardown(async () => { await stack.close() })

function agentOf (pair: KeyPair): Dispatcher {
  const agent = new Agent({ connect: { ca: readFileSync(pki.ca.cert), cert: readFileSync(pair.cert), key: readFileSync(pair.key) } })
  t.teardown(async () => { await agent.close() })
  return agent
}
const asG1104 = agentOf(g1104)

async function post (agent: Dispatcher, message: { message: Buffer, contentType: string }): Promise<{ status: number, body: string }> {
  const res = await request(stack.gatewayUrl + SERVICE, { method: 'POST', body: message.message, headers: { 'content-type': message.contentType }, dispatcher: agent })
  return { status: res.statusCode, body: await res.body.text() }
}

interface RecentCall { seq: number, operation: string, outcome: string, client?: { cn?: string } }
async function simulatorCalls (): Promise<RecentCall[]> {
  return ((await stack.sim!.admin.inject({ method: 'GET', url: '/calls' })).json() as { calls: RecentCall[] }).calls
}
const subcode = (body: string): string | undefined => /<env:Subcode><env:Value>gw:(\w+)</.exec(body)?.[1]
const metrics = async (): Promise<string> => await (await fetch(`${stack.opsUrl!}/metrics`)).text()

t.test('each guichet creates its own demandes, and reaches the SNE with its own certificate', async (t) => {
  const mine = await post(asG1104, actingAs('valid-getNumUnique-cre-mtom', 'G1104'))
  t.equal(mine.status, 200)
  t.match(mine.body, /G1104<\/ns1:numUnique>|numUnique>\d{13}G1104</, 'the simulator numbered a demande of G1104')
  const theirs = await post(stack.client, corpusCase('valid-getNumUnique-cre-mtom')!)
  t.equal(theirs.status, 200)
  const calls = await simulatorCalls()
  t.same(calls.slice(-2).map((c) => c.client?.cn), ['sne-gateway G1104 v1', 'sne-gateway'], 'G1104 with its credential, G1226 with the default one')
  t.same(stack.logs.access().slice(-2).map((l) => [l.identity, l.guichets, l.credential]), [['G1104', ['G1104'], 'g1104'], ['G1226', ['G1226'], 'default']])
})

t.test('G1104 cannot create, modify, renew, radiate, delete or read for G1226', async (t) => {
  const before = (await simulatorCalls()).length
  for (const name of ['valid-getNumUnique-cre-mtom', 'valid-getNumUnique-mod-mtom', 'valid-getNumUnique-ren-mtom', 'valid-getNumUnique-rad-radaba-mtom', 'valid-getNumUnique-sup-mtom', 'valid-getDemandeLogement-mtom']) {
    const res = await post(asG1104, corpusCase(name)!)
    t.equal(res.status, 403, name)
    t.equal(subcode(res.body), 'GW_GUICHET_FORBIDDEN', name)
  }
  // Acting as itself on G1226's demandes (territory 111, not G1104's): refused too.
  for (const name of ['valid-getNumUnique-mod-mtom', 'valid-getDemandeLogement-mtom']) {
    const res = await post(asG1104, actingAs(name, 'G1104'))
    t.equal(res.status, 403, name)
    t.equal(subcode(res.body), 'GW_GUICHET_DEMANDE_FORBIDDEN', name)
  }
  t.equal((await simulatorCalls()).length, before, 'nothing reached the SNE')
  t.match(await metrics(), /sne_gateway_guichet_refusals_total\{env="ecole",identity="G1104",code="GW_GUICHET_FORBIDDEN"\} 6/)
})

/** A TLS handshake with `pair`: resolves with how it ended (an answer proves the server accepted it). */
async function handshake (pair: KeyPair): Promise<'accepted' | 'refused'> {
  const port = Number(new URL(stack.gatewayUrl).port)
  return await new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: readFileSync(pki.ca.cert), cert: readFileSync(pair.cert), key: readFileSync(pair.key) })
    // TLS 1.3: the client finishes its handshake before the server has checked the certificate;
    // a request then gets an answer only if the server accepted it.
    socket.once('secureConnect', () => { socket.write('GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n') })
    socket.once('data', () => { socket.destroy(); resolve('accepted') })
    socket.once('error', () => { resolve('refused') })
    socket.once('close', () => { resolve('refused') })
  })
}

t.test('a revoked certificate fails the handshake and is counted', async (t) => {
  t.equal(await handshake(revoked), 'refused')
  t.equal(await handshake(g1104), 'accepted', 'a certificate the CRL does not list is accepted')
  t.match(await metrics(), /sne_gateway_client_certificate_refusals_total\{reason="revoked"\} 1\n/)
})

t.test('a reload swaps G1104\'s upstream certificate while one of its calls is in flight: both succeed, each with its certificate', async (t) => {
  // The simulator holds the next getNumUnique for a while: the call is in flight during the reload.
  const rule = await stack.sim!.admin.inject({ method: 'POST', url: '/faults', payload: { kind: 'latency', latencyMs: 1500, operation: 'getNumUnique', count: 1 } })
  t.equal(rule.statusCode, 201)
  const before = (await simulatorCalls()).length
  let heldDone = false
  const held = post(asG1104, actingAs('valid-getNumUnique-cre-mtom', 'G1104')).finally(() => { heldDone = true })
  // The held call has reached the simulator once the latency has been injected.
  for (let i = 0; i < 2000; i++) {
    const { total } = (await stack.sim!.admin.inject({ method: 'GET', url: '/faults' })).json() as { total: number }
    if (total > 0) break
    await new Promise((resolve) => setTimeout(resolve, 10))
  }

  const raw = structuredClone(stack.config) as Raw
  configure(raw, upstreamV2)
  const outcome = await stack.gateway.reload(createConfigValidator()(raw))
  t.same(outcome, { applied: true, replacedCredentials: ['ecole/g1104'] })
  t.notOk(heldDone, 'the held call was in flight during the reload')

  const after = await post(asG1104, actingAs('valid-getNumUnique-cre-mtom', 'G1104'))
  t.equal(after.status, 200, 'the call after the reload')
  const first = await held
  t.equal(first.status, 200, 'the call in flight during the reload')
  const calls = (await simulatorCalls()).slice(before)
  t.equal(calls.length, 2)
  // Recorded when answered: the new call (no latency) first, then the held one.
  t.same(calls.map((c) => c.client?.cn), ['sne-gateway G1104 v2', 'sne-gateway G1104 v1'])
  t.match(await metrics(), /sne_gateway_config_reloads_total\{trigger="sighup",result="applied"\} 1\n/)
  // The old pool closes once its call has ended: back to one pool per credential in use.
  let pools = ''
  for (let i = 0; i < 2000; i++) {
    pools = /sne_gateway_upstream_pools (\d+)/.exec(await metrics())?.[1] ?? ''
    if (pools === '2') break
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  t.equal(pools, '2', 'default and g1104')
})

t.test('a reload that cannot apply changes nothing, says why and is counted', async (t) => {
  const raw = structuredClone(stack.config) as Raw
  configure(raw, { cert: upstreamV2.cert, key: join(dir, 'absent.key') })
  const missing = await stack.gateway.reload(createConfigValidator()(raw))
  t.equal(missing.applied, false)
  t.match(missing.error, /\/environments\/ecole\/upstream\/credentials\/g1104\/key: file .*absent\.key cannot be read/)

  const moved = structuredClone(stack.config) as Raw
  configure(moved)
  moved.dataPlane.timeouts = { ...moved.dataPlane.timeouts, headersMs: 1234 }
  const refused = await stack.gateway.reload(createConfigValidator()(moved))
  t.match(refused.error, 'reload refused, nothing changed: /dataPlane/timeouts/headersMs changed, which only a restart applies')
  t.match(await metrics(), /sne_gateway_config_reloads_total\{trigger="sighup",result="refused"\} 2\n/)
  t.ok(stack.logs.lines().some((l) => l.msg === 'configuration reload refused: the running configuration stays' && l.code === 'GW_CONFIG_RELOAD_NEEDS_RESTART'))
  const still = await post(asG1104, actingAs('valid-getNumUnique-cre-mtom', 'G1104'))
  t.equal(still.status, 200)
  t.equal((await simulatorCalls()).at(-1)?.client?.cn, 'sne-gateway G1104 v2', 'the running credential stays')
})

t.test('a new CRL is picked up when its file changes, without a signal', async (t) => {
  await writeCrl(pki.ca, [revoked.cert, g1104.cert], crl)
  let outcome: string = 'accepted'
  for (let i = 0; i < 100 && outcome === 'accepted'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    outcome = await handshake(g1104)
  }
  t.equal(outcome, 'refused', 'G1104 is revoked now')
  t.match(await metrics(), /sne_gateway_config_reloads_total\{trigger="crl",result="applied"\} 1\n/)
  t.equal(await handshake(pki.client), 'accepted', 'G1226 is not')
})
