/**
 * New-connection TLS handshake rate with the ClientHello inspector vs plain node:tls:
 * no keep-alive, no session resumption, TLS 1.3 and TLS 1.2, same machine, same run.
 *
 * One server process, one node:tls server answering one byte per connection then closing, reached
 * three ways:
 *   - `plain`:     the TLS server listening itself, node:tls on its own;
 *   - `handoff`:   a `net.Server` handing sockets to it (`emit('connection')`), as the gateway's
 *                  listener does, without the inspector;
 *   - `inspector`: the same with the census as the gateway wires it (`buildTlsCensus`: the peek,
 *                  JA4, census, metrics, rejection log; in-memory store).
 * Client processes keep CONNECTIONS handshakes in flight and switch, on command, between the three
 * ports in short interleaved windows (modes in rotating order): a burst of other work on a shared
 * machine then hits the three alike, and the same process, warmed up once, serves them all.
 *
 * Reported per mode: handshakes per second, and the server's CPU time per handshake (user +
 * system, `process.cpuUsage()` over the windows of that mode). The clients share the cores with
 * the server, so the rate understates a server-side difference; the CPU time per handshake is the
 * server's own cost and `1 / CPU` its capacity.
 *
 * Run (from the repo root): `npx tsc -p tsconfig.build.json; node dist/bench/handshake.js`
 * Environment: BENCH_WINDOWS (windows per mode and version, default 20), BENCH_WINDOW_MS
 * (default 500), BENCH_WARMUP_SECONDS (default 5), BENCH_CLIENTS (client processes, default 2),
 * BENCH_CONNECTIONS (in flight per client, default 8). Prints a Markdown section for
 * bench/RESULTS.md.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import net, { type AddressInfo } from 'node:net'
import { cpus, loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import tls from 'node:tls'
import { fileURLToPath } from 'node:url'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import { ensureDevPki } from '../src/tls/dev-pki.js'
import { buildTlsCensus } from '../src/census/tls-census.js'

type Mode = 'plain' | 'handoff' | 'inspector'
type Version = 'TLSv1.3' | 'TLSv1.2'
const MODES: Mode[] = ['plain', 'handoff', 'inspector']
const VERSIONS: Version[] = ['TLSv1.3', 'TLSv1.2']

const WINDOWS = Number(process.env.BENCH_WINDOWS ?? 20)
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 500)
// Long enough for V8 to optimise the per-connection code, as in a gateway that has been up a while.
const WARMUP_MS = Number(process.env.BENCH_WARMUP_SECONDS ?? 5) * 1000
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 2)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8)
/** after a switch, connections to the previous port finish before the window opens */
const SETTLE_MS = 60

const self = fileURLToPath(import.meta.url)

function repoRoot (): string {
  for (let dir = dirname(self), i = 0; i < 5; i++, dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'wsdl'))) return dir
  }
  throw new Error('repository root not found')
}

interface Message { cmd: string, port?: number, version?: Version }

// ---- server role -------------------------------------------------------------------------------

async function serve (certFile: string, keyFile: string): Promise<void> {
  const answer = Buffer.from('1')
  const tlsServer = tls.createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile), minVersion: 'TLSv1.2' }, (socket) => {
    socket.on('error', () => {})
    socket.end(answer)
  })
  tlsServer.on('tlsClientError', () => {})
  let handshakes = 0
  tlsServer.on('secureConnection', () => { handshakes++ })
  const handOff = (socket: net.Socket): void => { tlsServer.emit('connection', socket) }
  const census = buildTlsCensus({}, { logger: pino({ level: 'info' }, pino.destination('/dev/null')), registry: new Registry() })
  census.attach(tlsServer)
  const servers: Record<Mode, net.Server> = {
    plain: tlsServer,
    handoff: net.createServer(handOff),
    inspector: net.createServer((socket) => census.inspect(socket, handOff))
  }
  const ports: Partial<Record<Mode, number>> = {}
  for (const mode of MODES) {
    const server = servers[mode]
    server.on('error', () => {})
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    ports[mode] = (server.address() as AddressInfo).port
  }
  let mark = { cpu: process.cpuUsage(), handshakes: 0 }
  process.on('message', (message: Message) => {
    if (message.cmd === 'mark') {
      mark = { cpu: process.cpuUsage(), handshakes }
      process.send!({ marked: true })
    } else if (message.cmd === 'read') {
      const cpu = process.cpuUsage(mark.cpu)
      process.send!({ cpuUs: cpu.user + cpu.system, handshakes: handshakes - mark.handshakes })
    } else if (message.cmd === 'stop') {
      process.exit(0)
    }
  })
  process.send!({ ports })
}

// ---- client role -------------------------------------------------------------------------------

function load (connections: number): void {
  let port = 0
  let version: Version = 'TLSv1.3'
  let errors = 0
  const one = (): void => {
    if (port === 0) return
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false, minVersion: version, maxVersion: version })
    socket.on('data', () => {})
    socket.on('error', () => { errors++ })
    socket.on('close', one)
  }
  process.on('message', (message: Message) => {
    if (message.cmd === 'target') {
      const idle = port === 0
      port = message.port!
      version = message.version!
      if (idle) for (let i = 0; i < connections; i++) one()
      process.send!({ ok: true })
    } else if (message.cmd === 'errors') {
      process.send!({ errors })
      errors = 0
    } else if (message.cmd === 'stop') {
      port = 0
      setTimeout(() => process.exit(0), 200).unref()
    }
  })
  process.send!({ ready: true })
}

// ---- main --------------------------------------------------------------------------------------

function ask<T> (child: ChildProcess, message: Message): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as T))
    child.send(message)
  })
}

function start<T> (args: string[]): Promise<{ child: ChildProcess, first: T }> {
  const child = fork(self, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, first: m as T }))
    child.once('error', reject)
  })
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

interface Window { handshakes: number, seconds: number, cpuUs: number }

function median (values: number[]): number {
  const v = [...values].sort((a, b) => a - b)
  const mid = v.length >> 1
  return v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2
}

async function main (): Promise<void> {
  const root = repoRoot()
  const pki = await ensureDevPki(join(root, 'bench', 'out', 'pki'))
  const children = new Set<ChildProcess>()
  const stopAll = (): void => { for (const c of children) c.kill() }
  process.on('SIGINT', () => { stopAll(); process.exit(130) })
  process.on('exit', stopAll)

  const server = await start<{ ports: Record<Mode, number> }>(['--role', 'server', '--cert', pki.server.cert, '--key', pki.server.key])
  children.add(server.child)
  const ports = server.first.ports
  const clients = await Promise.all(Array.from({ length: CLIENTS }, async () => {
    const c = await start<{ ready: boolean }>(['--role', 'client', '--connections', String(CONNECTIONS)])
    children.add(c.child)
    return c.child
  }))
  const target = async (mode: Mode, version: Version): Promise<void> => {
    await Promise.all(clients.map(async (c) => await ask(c, { cmd: 'target', port: ports[mode], version })))
  }

  const windows = new Map<string, Window[]>()
  let errors = 0
  for (const version of VERSIONS) {
    // Warm-up: every path, in turns, so that V8 has optimised all of them.
    const warmUntil = performance.now() + WARMUP_MS
    for (let i = 0; performance.now() < warmUntil; i++) {
      await target(MODES[i % MODES.length]!, version)
      await sleep(WINDOW_MS)
    }
    for (let w = 0; w < WINDOWS; w++) {
      // Rotate the order, so that no mode always follows the same one.
      const order = MODES.map((_, i) => MODES[(i + w) % MODES.length]!)
      for (const mode of order) {
        await target(mode, version)
        await sleep(SETTLE_MS)
        await ask(server.child, { cmd: 'mark' })
        const t0 = performance.now()
        await sleep(WINDOW_MS)
        const r = await ask<{ cpuUs: number, handshakes: number }>(server.child, { cmd: 'read' })
        const key = `${version} ${mode}`
        windows.set(key, [...(windows.get(key) ?? []), { handshakes: r.handshakes, seconds: (performance.now() - t0) / 1000, cpuUs: r.cpuUs }])
      }
    }
    for (const c of clients) errors += (await ask<{ errors: number }>(c, { cmd: 'errors' })).errors
    const summary = MODES.map((mode) => {
      const list = windows.get(`${version} ${mode}`)!
      return `${mode} ${(list.reduce((n, x) => n + x.cpuUs, 0) / list.reduce((n, x) => n + x.handshakes, 0)).toFixed(0)} µs`
    })
    process.stderr.write(`[handshake] ${version}: ${summary.join(', ')} (load ${loadavg()[0]!.toFixed(1)})\n`)
  }
  for (const c of [...clients, server.child]) c.send({ cmd: 'stop' })

  const stat = (key: string): { rate: number, cpu: number, cpuMedian: number } => {
    const list = windows.get(key)!
    const handshakes = list.reduce((n, x) => n + x.handshakes, 0)
    return {
      rate: handshakes / list.reduce((n, x) => n + x.seconds, 0),
      cpu: list.reduce((n, x) => n + x.cpuUs, 0) / handshakes,
      cpuMedian: median(list.filter((x) => x.handshakes > 0).map((x) => x.cpuUs / x.handshakes))
    }
  }
  const lines = [
    `### New-connection TLS handshakes: ClientHello inspector vs plain node:tls (${new Date().toISOString().slice(0, 10)})`,
    '',
    `Command: \`npx tsc -p tsconfig.build.json; BENCH_WINDOWS=${WINDOWS} BENCH_WINDOW_MS=${WINDOW_MS} BENCH_WARMUP_SECONDS=${WARMUP_MS / 1000} BENCH_CLIENTS=${CLIENTS} BENCH_CONNECTIONS=${CONNECTIONS} node dist/bench/handshake.js\``,
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at the end; Node ${process.version}, OpenSSL ${process.versions.openssl}; ECDSA P-256 server certificate; no session resumption; one server process, ${CLIENTS} client processes × ${CONNECTIONS} handshakes in flight; ${WINDOWS} windows of ${WINDOW_MS} ms per mode and version, interleaved, after ${WARMUP_MS / 1000} s of warm-up; ${errors} client errors.`,
    '',
    '| TLS | server | handshakes/s | server CPU per handshake (median window) | capacity vs plain (CPU) | rate vs plain |',
    '|---|---|---:|---:|---:|---:|'
  ]
  for (const version of VERSIONS) {
    const plain = stat(`${version} plain`)
    for (const mode of MODES) {
      const s = stat(`${version} ${mode}`)
      lines.push(`| ${version} | ${mode} | ${s.rate.toFixed(0)} | ${s.cpu.toFixed(0)} µs (${s.cpuMedian.toFixed(0)}) | ${(100 * plain.cpu / s.cpu).toFixed(1)} % | ${(100 * s.rate / plain.rate).toFixed(1)} % |`)
    }
  }
  const extra = VERSIONS.map((v) => `${v} ${(stat(`${v} inspector`).cpu - stat(`${v} handoff`).cpu).toFixed(0)} µs`).join(', ')
  lines.push('', `CPU the inspector adds per connection (inspector − handoff): ${extra}. Goal: inspector ≥ 95 % of plain.`, '')
  process.stdout.write(lines.join('\n') + '\n')
}

const args = process.argv.slice(2)
const arg = (name: string): string => args[args.indexOf(`--${name}`) + 1] ?? ''
if (args.includes('--role')) {
  if (arg('role') === 'server') await serve(arg('cert'), arg('key'))
  else load(Number(arg('connections')))
} else {
  await main()
}
