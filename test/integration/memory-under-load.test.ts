// Memory under load is bounded by the configuration: the CLI as a child process, 200 callers at
// once each sending a ~1 MiB message to a slow upstream (the simulator holds every answer). The
// calls beyond the upstream connections, the queue and the request-body budget are refused at
// once with 503 and Retry-After, and the child's resident memory (VmHWM, the kernel's own peak,
// and VmRSS sampled) stays within what the configuration lets it hold: `bound` below.
import t from 'tap'
import { readFileSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Agent, request } from 'undici'
import { buildSimulator } from '../../src/simulator/index.js'
import { buildMtomMessage } from '../../src/soap/mtom-writer.js'
import { testPki } from '../helpers/pki.js'
import { ecoleBehindSimulator, REPO_ROOT, startCli } from '../helpers/child-process.js'
import { NOW, sharedSpec } from './helpers/gateway-stack.js'

const MiB = 1024 * 1024
const CALLERS = 200
const CONNECTIONS = 4
const MAX_WAITING = 16
const MAX_WAIT_MS = 2000
const LATENCY_MS = 4000
/** The request bodies the gateway may hold at once (dataPlane.bodyMemory.totalBytes, and per identity). */
const BODY_BUDGET = 32 * MiB
/** dataPlane.bodyLimit (the default) and validation.workers */
const BODY_LIMIT = 10 * MiB
const WORKERS = 1
/**
 * The bound, from the configuration, above the resident set once warm:
 * - the request-body memory docs/security.md states: `totalBytes` + (1 + workers) × `bodyLimit`
 *   (the bodies held, the one being concatenated, each worker's copy of the message it checks);
 * - twice that: bytes given back (a refused upload's chunks, an answered call's body) leave the
 *   resident set only at a later garbage collection, and the allocator may keep them;
 * - CONNECTION_BYTES for each caller's connection: TLS, stream and parser buffers (200 callers
 *   with 1.5 KB bodies grew the resident set by 22 MiB here).
 */
const CONNECTION_BYTES = 128 * 1024
const bodyBound = BODY_BUDGET + (1 + WORKERS) * BODY_LIMIT
const bound = (warm: number): number => warm + 2 * bodyBound + CALLERS * CONNECTION_BYTES
const SHED = new Set(['GW_PROXY_QUEUE_FULL', 'GW_PROXY_QUEUE_TIMEOUT', 'GW_LIMIT_BODY_MEMORY'])
const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

/** VmRSS and VmHWM of a process, bytes. */
function residentOf (pid: number): { rss: number, peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024
  return { rss: kb('VmRSS'), peak: kb('VmHWM') }
}

t.test(`${CALLERS} callers with ~1 MiB bodies against a slow upstream: the excess is shed at once, the resident memory stays within the configured bound`, async (t) => {
  const pki = await testPki()
  const sim = await buildSimulator({ tls: { cert: readFileSync(pki.simulator.cert), key: readFileSync(pki.simulator.key), ca: readFileSync(pki.ca.cert) } }, { spec: await sharedSpec(), clock: () => NOW })
  await sim.app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(() => sim.close())
  const simPort = (sim.app.server.address() as { port: number }).port

  const dir = t.testdir({})
  const config = join(dir, 'gateway.json')
  writeFileSync(config, JSON.stringify({
    dataPlane: {
      host: '127.0.0.1',
      port: 0,
      tls: { cert: pki.server.cert, key: pki.server.key, clientCertificates: 'optional', clientCa: pki.ca.cert },
      // Every caller comes from 127.0.0.1 with the same certificate: the per-address connection
      // cap and the identity's share would refuse them first; this test is about the total.
      connections: { perAddress: CALLERS + 16 },
      // 200 handshakes at once, on a machine whose cores the test's own clients share: more than
      // the 5 s the idle-connection guard allows by default (tested on its own elsewhere).
      timeouts: { handshakeMs: 30000, firstRequestMs: 30000 },
      bodyLimit: BODY_LIMIT,
      bodyMemory: { totalBytes: BODY_BUDGET, perIdentityBytes: BODY_BUDGET }
    },
    ops: { host: '127.0.0.1', port: 0, probeIntervalMs: 60000 },
    census: { file: join(dir, 'census.sqlite') },
    idempotency: { file: join(dir, 'idempotency.sqlite') },
    validation: { workers: WORKERS },
    environments: ecoleBehindSimulator(pki, simPort, {
      connections: CONNECTIONS,
      queue: { maxWaiting: MAX_WAITING, maxWaitMs: MAX_WAIT_MS },
      timeouts: { headersMs: 30000 }
    })
  }))
  const child = startCli(config)
  t.teardown(() => { if (child.proc.exitCode === null) child.proc.kill('SIGKILL') })
  const port = await child.port
  if (port < 0) throw new Error(`the CLI exited: ${JSON.stringify(child.lines)}`)
  const pid = child.proc.pid!

  // A getDemandeLogement whose certificate attachment makes the message ~1 MiB, one Buffer for all.
  const envelope = await readFile(join(REPO_ROOT, 'examples/envelopes/getDemandeLogement.xml'), 'utf8')
  const pem = readFileSync(pki.client.cert)
  const bundle = Buffer.concat(Array.from({ length: Math.ceil(0.75 * MiB / pem.length) }, () => pem))
  const message = buildMtomMessage({
    envelope,
    action: 'http://ws.metier.nuu.application.i2/getDemandeLogement',
    parts: [{ contentId: 'certificate', contentType: 'application/octet-stream', transferEncoding: 'BASE64', disposition: 'attachment', body: bundle }]
  })
  t.ok(message.body.length > MiB && message.body.length < 1.1 * MiB, `a ${(message.body.length / MiB).toFixed(2)} MiB message`)

  const url = `https://127.0.0.1:${port}/ecole/services/DemandeLogementImplService/`
  const client = new Agent({ connect: { ca: readFileSync(pki.ca.cert), cert: readFileSync(pki.client.cert), key: readFileSync(pki.client.key) } })
  t.teardown(() => client.destroy())
  const call = async (): Promise<{ status: number, retryAfter: string | undefined, code: string | undefined }> => {
    try {
      const res = await request(url, { method: 'POST', body: message.body, headers: { 'content-type': message.contentType }, dispatcher: client })
      const body = await res.body.text()
      const retryAfter = res.headers['retry-after']
      return { status: res.statusCode, retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined, code: /<env:Subcode><env:Value>gw:(\w+)</.exec(body)?.[1] }
    } catch (err) {
      return { status: 0, retryAfter: undefined, code: (err as { code?: string }).code }
    }
  }

  // Warm: a few calls served as usual, then the resident set the bound starts from.
  for (let i = 0; i < 3; i++) t.equal((await call()).status, 200, 'a warm-up call is served')
  await sleep(500)
  const base = residentOf(pid).rss
  // The kernel's peak from here on (writing 5 to clear_refs resets VmHWM to the current RSS).
  let hwmReset = true
  try { writeFileSync(`/proc/${pid}/clear_refs`, '5') } catch { hwmReset = false }

  const rule = await sim.admin.inject({ method: 'POST', url: '/faults', payload: { kind: 'latency', latencyMs: LATENCY_MS, probability: 1, operation: 'getDemandeLogement' } })
  t.equal(rule.statusCode, 201)
  let sampled = base
  let sampling = true
  const sampler = (async () => {
    while (sampling) {
      sampled = Math.max(sampled, residentOf(pid).rss)
      await sleep(10)
    }
  })()
  const started = Date.now()
  const answers = await Promise.all(Array.from({ length: CALLERS }, call))
  const elapsed = Date.now() - started
  sampling = false
  await sampler
  const peak = Math.max(sampled, hwmReset ? residentOf(pid).peak : 0)

  const limit = bound(base)
  const served = answers.filter((a) => a.status === 200).length
  const shed = answers.filter((a) => a.status === 503)
  await sleep(1000)
  const after = residentOf(pid).rss
  const byCode: Record<string, number> = {}
  for (const a of answers) byCode[`${a.status} ${a.code ?? ''}`.trim()] = (byCode[`${a.status} ${a.code ?? ''}`.trim()] ?? 0) + 1
  const mib = (n: number): string => (n / MiB).toFixed(0)
  t.comment(`${CALLERS} callers × ${(message.body.length / MiB).toFixed(2)} MiB in ${elapsed} ms: ${JSON.stringify(byCode)}; resident warm ${mib(base)} MiB, peak ${mib(peak)} MiB (+${mib(peak - base)}, ${hwmReset ? 'VmHWM' : 'sampled'}), 1 s after ${mib(after)} MiB; bound ${mib(limit)} MiB (+${mib(limit - base)})`)

  t.same(answers.filter((a) => a.status !== 200 && a.status !== 503), [], 'every caller is served or shed: no other status, no connection cut')
  t.ok(served >= 1 && served <= CONNECTIONS * Math.ceil(elapsed / LATENCY_MS), `no more calls served (${served}) than the upstream's connections can carry`)
  t.same(shed.filter((a) => a.retryAfter === undefined || !SHED.has(a.code ?? '')), [], `the ${shed.length} others are shed, each with Retry-After and a load-shedding code`)
  t.ok(peak < limit, `peak resident ${mib(peak)} MiB < ${mib(limit)} MiB: warm ${mib(base)} + 2 × (${BODY_BUDGET / MiB} + ${1 + WORKERS} × ${BODY_LIMIT / MiB}) + ${CALLERS} × ${CONNECTION_BYTES / 1024} KiB`)
  // The bound means something: the bodies alone of every caller held at once would go beyond it.
  t.ok(CALLERS * message.body.length > limit - base, 'holding every caller\'s body would break the bound')

  const metrics = await (await request(`http://127.0.0.1:${await child.opsPort}/metrics`)).body.text()
  t.match(metrics, /^sne_gateway_body_bytes_in_flight 0$/m, 'every body released once answered')
})
