// What the tests that run the CLI as child processes share: the loader tap runs the TypeScript
// sources with, the CLI's entry, a free loopback port to give a child, and `start` as a child.
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { DevPki } from '../../src/tls/dev-pki.js'

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
/** The CLI's entry, run from the sources. */
export const CLI_ENTRY = join(REPO_ROOT, 'src/cli.ts')
/** The child runs the TypeScript sources with the loader tap itself uses. */
export const TS_LOADER = process.execArgv.filter((a) => a.includes('@tapjs/typescript'))

/** A port free on 127.0.0.1 now (a child binds it a moment later). */
export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => { resolve(port) })
    })
  })
}

/** A CLI child: its process, its JSON log lines so far, its exit, and its planes' ports once listening (-1 if it exited first). */
export interface Child { proc: ChildProcess, lines: Array<Record<string, unknown>>, exited: Promise<number | null>, port: Promise<number>, opsPort: Promise<number> }

/** `sne-gateway start --config <config>` from the sources, its stdout's JSON lines collected. */
export function startCli (config: string): Child {
  const proc = spawn(process.execPath, [...TS_LOADER, CLI_ENTRY, 'start', '--config', config], {
    cwd: REPO_ROOT,
    env: { ...process.env, SNE_GATEWAY_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const lines: Array<Record<string, unknown>> = []
  let resolvePort: (port: number) => void = () => {}
  const port = new Promise<number>((resolve) => { resolvePort = resolve })
  let resolveOpsPort: (port: number) => void = () => {}
  const opsPort = new Promise<number>((resolve) => { resolveOpsPort = resolve })
  let buffer = ''
  proc.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8')
    let nl: number
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl)
      buffer = buffer.slice(nl + 1)
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>
        lines.push(parsed)
        if (parsed.msg === 'gateway listening') {
          resolvePort(Number(new URL(parsed.dataPlane as string).port))
          resolveOpsPort(typeof parsed.ops === 'string' ? Number(new URL(parsed.ops).port) : -1)
        }
      } catch {
        // not a JSON log line (pretty output, a warning): ignored
      }
    }
  })
  let stderr = ''
  proc.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8') })
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)))
  void exited.then(() => { resolvePort(-1); resolveOpsPort(-1); if (stderr !== '') lines.push({ stderr }) })
  return { proc, lines, exited, port, opsPort }
}

/** The `environments` of a child's configuration: `ecole` in front of a simulator on `port`, with the test PKI's upstream credential. */
export function ecoleBehindSimulator (pki: DevPki, port: number, upstream: Record<string, unknown> = {}): Record<string, unknown> {
  return { ecole: { upstream: { url: `https://127.0.0.1:${port}/services/DemandeLogementImplService/`, ca: pki.ca.cert, cert: pki.upstreamClient.cert, key: pki.upstreamClient.key, ...upstream } } }
}
