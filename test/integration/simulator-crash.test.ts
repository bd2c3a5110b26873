// kill -9 of a simulator process with a data file: every creation it answered is still there
// after a restart, and the file opens cleanly. The simulator runs as a child process through the
// real CLI (`sne-gateway simulator --config FILE --data FILE`).
import t, { type Test } from 'tap'
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Agent, request } from 'undici'
import { demandeDocument, demandeLogementRequest, numUniqueRequest, readAnswer, type SoapRequest } from '../simulator/helpers/messages.js'
import { tlsMaterial } from '../simulator/helpers/server.js'
import { testPki } from '../helpers/pki.js'
import { freePort, REPO_ROOT, TS_LOADER } from '../helpers/child-process.js'

// Two child processes compile the sources at start: on a loaded machine this takes a while.
t.setTimeout(300_000)

const root = REPO_ROOT
const loader = TS_LOADER


interface Child {
  process: ChildProcess
  url: string
  exited: Promise<NodeJS.Signals | number | null>
  stderr: () => string
}

async function startChild (t: Test, config: string, dataFile: string): Promise<Child> {
  const [port, adminPort] = [await freePort(), await freePort()]
  const child = spawn(process.execPath, [...loader, join(root, 'src/cli.ts'), 'simulator', '--config', config, '--data', dataFile,
    '--port', String(port), '--admin-port', String(adminPort)], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => { resolve(signal ?? code) }))
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  // Bounded wait for the admin API: the child compiles the sources first.
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`the simulator exited: ${stderr}`)
    const up = await request(`http://127.0.0.1:${adminPort}/health`).then(async (r) => { await r.body.dump(); return r.statusCode === 200 }, () => false)
    if (up) return { process: child, url: `https://127.0.0.1:${port}/services/DemandeLogementImplService/`, exited, stderr: () => stderr }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`the simulator did not start: ${stderr}`)
}

t.test('every answered creation survives a kill -9', async (t) => {
  const pki = await testPki()
  const tls = await tlsMaterial()
  const dir = mkdtempSync(join(tmpdir(), 'sim-crash-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const config = join(dir, 'simulator.json')
  writeFileSync(config, JSON.stringify({ tls: { cert: pki.simulator.cert, key: pki.simulator.key, ca: pki.ca.cert }, logLevel: 'warn' }))
  const dataFile = join(dir, 'sim.sqlite')
  const agent = new Agent({ connect: { ca: tls.ca, cert: tls.clientCert, key: tls.clientKey, servername: 'localhost' }, connections: 16 })
  t.teardown(async () => { await agent.close() })
  const post = async (url: string, req: SoapRequest): Promise<ReturnType<typeof readAnswer>> => {
    const res = await request(url, { dispatcher: agent, method: 'POST', headers: { 'content-type': req.contentType }, body: req.body })
    const body = Buffer.from(await res.body.arrayBuffer())
    return readAnswer(String(res.headers['content-type']), body)
  }
  // Dated today, so that no lifecycle window has passed when the demandes are read back.
  const now = new Date()
  const doc = demandeDocument({ dateCreation: now.toISOString().slice(0, 10), dateFichier: now.toISOString() })

  const first = await startChild(t, config, dataFile)
  const answered: string[] = []
  let failed = 0
  let killed = false
  // Sixteen writers in a loop; the process is killed while calls are in flight.
  await Promise.all(Array.from({ length: 16 }, async () => {
    for (let i = 0; i < 30 && !killed; i++) {
      try {
        const a = await post(first.url, numUniqueRequest(doc))
        if (a.nu !== undefined) answered.push(a.nu)
        if (answered.length >= 80 && !killed) {
          killed = true
          first.process.kill('SIGKILL')
        }
      } catch {
        failed++
      }
    }
  }))
  t.equal(await first.exited, 'SIGKILL')
  t.ok(answered.length >= 80, `${answered.length} creations answered before the kill (${failed} calls cut)`)
  t.equal(new Set(answered).size, answered.length, 'all distinct')

  const second = await startChild(t, config, dataFile)
  const missing: string[] = []
  for (const nu of answered) {
    const a = await post(second.url, demandeLogementRequest(nu))
    if (a.nu !== nu || a.anomalies.length > 0) missing.push(nu)
  }
  t.same(missing, [], 'every answered numéro unique is in the data file after the restart')
  const next = await post(second.url, numUniqueRequest(doc))
  t.notOk(answered.includes(next.nu!), 'the sequence did not step back')
  second.process.kill('SIGTERM')
  t.equal(await second.exited, 0, 'a SIGTERM closes cleanly')
})
