/**
 * Calls per second of the école simulator on loopback, over HTTPS with a client certificate:
 * getDemandeLogement (goal ≥ 2 000/s) and getNumUnique CRE (in memory, and with a data file,
 * where every creation is an fsynced SQLite transaction). autocannon runs in a worker thread,
 * the simulator in this process. Short runs; loopback only.
 *
 * usage (from the repository root):
 *   node --import=./node_modules/@tapjs/typescript/dist/esm/import.mjs bench/simulator.ts [--duration S] [--connections N]
 * or, once built: node dist/bench/simulator.js [...]
 */
import { readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { Agent, request } from 'undici'
import { buildSimulator } from '../src/simulator/index.js'
import { buildMtomMessage } from '../src/soap/mtom-writer.js'
import { defaultSpecDir, loadSpec } from '../src/contract/index.js'
import { ensureDevPki } from '../src/tls/dev-pki.js'

interface AutocannonResult {
  requests: { average: number, total: number }
  latency: { p50: number, p99: number }
  non2xx: number
  errors: number
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>
// autocannon ships no types; this is the part used here.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon

const WS = 'http://ws.metier.nuu.application.i2/'

/**
 * CPU time of this process's main thread (where TLS, Fastify and the simulator run), in µs,
 * from /proc (Linux; clock ticks of 10 ms): unlike requests per second, it does not depend on
 * what else the machine is doing. Undefined elsewhere.
 */
function mainThreadCpuMicros (): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) * 10_000
  } catch {
    return undefined
  }
}

function envelope (wrapper: string, inner: string): string {
  return `<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" xmlns:ws="${WS}">\r\n  <soap:Header/>\r\n  <soap:Body>\r\n` +
    `    <ws:${wrapper}>\r\n${inner}    </ws:${wrapper}>\r\n  </soap:Body>\r\n</soap:Envelope>`
}

async function main (): Promise<void> {
  const { values } = parseArgs({ options: { duration: { type: 'string', default: '5' }, connections: { type: 'string', default: '16' } } })
  const duration = Number(values.duration)
  const connections = Number(values.connections)
  const work = await mkdtemp(join(tmpdir(), 'sne-bench-sim-'))
  const spec = await loadSpec({ dir: defaultSpecDir() })
  try {
    const pki = await ensureDevPki(join(work, 'pki'))
    const [cert, key, ca, clientCert, clientKey] = await Promise.all(
      [pki.simulator.cert, pki.simulator.key, pki.ca.cert, pki.client.cert, pki.client.key].map(async (p) => await readFile(p)))
    const today = new Date().toISOString().slice(0, 10)
    const document = (await readFile(resolve(defaultSpecDir(), '..', 'examples', 'documents', 'cre.xml'), 'utf8'))
      .replace(/<ns1:dateCreationDemande>[^<]*</, `<ns1:dateCreationDemande>${today}<`)
      .replace(/<ns1:dateFichier>[^<]*</, `<ns1:dateFichier>${new Date().toISOString()}<`)
    const cre = buildMtomMessage({
      envelope: envelope('numUniqueParametres', '      <nomFichierDemande>DEMG1226-202501141032-000000.xml</nomFichierDemande>\r\n' +
        '      <fichierDemande ws:contentType="text/xml"><xop:Include href="cid:xml_id" xmlns:xop="http://www.w3.org/2004/08/xop/include"/></fichierDemande>\r\n' +
        '      <nomCertificat>CERG1226-202501141032.pem</nomCertificat>\r\n'),
      action: `${WS}getNumUnique`,
      parts: [{ contentId: 'xml_id', contentType: 'text/xml; charset=UTF-8', transferEncoding: '8bit', disposition: 'attachment; name="xml_id"', body: Buffer.from(document) }]
    })

    const rows: string[] = []
    const run = async (label: string, dataFile: string | undefined, call: 'read' | 'create'): Promise<void> => {
      const sim = await buildSimulator({ tls: { cert: cert!, key: key!, ca: ca! }, ...(dataFile === undefined ? {} : { dataFile }) }, { spec })
      try {
        await sim.app.listen({ host: '127.0.0.1', port: 0 })
        const url = `https://127.0.0.1:${(sim.app.server.address() as AddressInfo).port}/services/DemandeLogementImplService/`
        const agent = new Agent({ connect: { ca, cert: clientCert, key: clientKey, servername: 'localhost' } })
        const created = await request(url, { dispatcher: agent, method: 'POST', headers: { 'content-type': cre.contentType }, body: cre.body })
        const answer = Buffer.from(await created.body.arrayBuffer()).toString('utf8')
        await agent.close()
        const nu = /<ns2:numUnique>([^<]+)</.exec(answer)?.[1]
        if (created.statusCode !== 200 || nu === undefined) throw new Error(`the first creation failed (${created.statusCode})`)
        const read = buildMtomMessage({ envelope: envelope('demandeLogementParametres', `      <numUnique>${nu}</numUnique>\r\n      <nomCertificat>CERG1226-202501141032.pem</nomCertificat>\r\n`), action: `${WS}getDemandeLogement`, parts: [] })
        const message = call === 'read' ? read : cre
        const cpuBefore = mainThreadCpuMicros()
        const result = await autocannon({
          url,
          method: 'POST',
          headers: { 'content-type': message.contentType },
          // Worker threads receive plain copies: text, not Buffers (the body is UTF-8 throughout).
          body: message.body.toString('utf8'),
          connections,
          duration,
          workers: 1,
          tlsOptions: { ca: ca!.toString(), cert: clientCert!.toString(), key: clientKey!.toString() },
          servername: 'localhost'
        })
        const cpuAfter = mainThreadCpuMicros()
        const perRequest = cpuBefore === undefined || cpuAfter === undefined ? undefined : (cpuAfter - cpuBefore) / result.requests.total
        const cpu = perRequest === undefined ? '—' : `${Math.round(perRequest)} (≈ ${Math.round(1e6 / perRequest)}/s)`
        rows.push(`| ${label} | ${Math.round(result.requests.average)} | ${result.latency.p50} | ${result.latency.p99} | ${result.requests.total} | ${result.non2xx + result.errors} | ${cpu} |`)
      } finally {
        await sim.close()
      }
    }
    await run('getDemandeLogement (in memory)', undefined, 'read')
    await run('getNumUnique CRE (in memory)', undefined, 'create')
    await run('getNumUnique CRE (data file, WAL, synchronous=FULL)', join(work, 'bench.sqlite'), 'create')

    process.stdout.write([
      `simulator bench: ${new Date().toISOString()}, node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ` +
        `${connections} connections, ${duration} s per run, autocannon in a worker thread, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
      '',
      '| call | requests/s (mean) | p50 ms | p99 ms | requests | errors or non-2xx | simulator CPU µs/request (one core\'s capacity) |',
      '|---|---|---|---|---|---|---|',
      ...rows,
      ''
    ].join('\n'))
  } finally {
    spec.dispose()
    await rm(work, { recursive: true, force: true })
  }
}

await main()
