/**
 * Starting what the load is aimed at: the upstreams (simulator, canned), nginx, the gateway.
 * Each is a child process of the harness's process group, on a free loopback port, with its log
 * under bench/out/logs/.
 */
import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { DevPki } from '../../src/tls/dev-pki.js'
import { gatewayBenchConfig } from './gateway-config.js'
import { renderNginxConfig } from './nginx-config.js'
import { freePort, waitForPort, type ManagedProcess, type ProcessGroup } from './processes.js'

/** The SNE's service path, on the upstreams. */
export const UPSTREAM_PATH = '/services/DemandeLogementImplService/'
/** The path of the école environment on the proxies. */
export const PROXY_PATH = '/ecole/services/DemandeLogementImplService/'

export interface HarnessContext {
  group: ProcessGroup
  /** bench/out */
  outDir: string
  /** repository root */
  root: string
  /** folder of the compiled harness (dist/bench/harness) */
  harnessDir: string
  pki: DevPki
  nginxPath: string
  bodyLimitBytes: number
  log: (line: string) => void
}

export interface Running {
  name: string
  /** the URL wrk and the preflight call */
  url: string
  port: number
  proc: ManagedProcess
  /** extra facts for the report (config file…) */
  detail: string
}

async function logFile (ctx: HarnessContext, name: string): Promise<string> {
  const dir = join(ctx.outDir, 'logs')
  await mkdir(dir, { recursive: true })
  return join(dir, `${name}.log`)
}

/** The école simulator (bench/harness/simulator-main.ts). */
export async function startSimulator (ctx: HarnessContext): Promise<Running> {
  const port = await freePort()
  const proc = ctx.group.start('simulator', process.execPath, [join(ctx.harnessDir, 'simulator-main.js'), '--port', String(port), '--pki', ctx.pki.dir], { logFile: await logFile(ctx, 'simulator'), cwd: ctx.root })
  await waitForPort(port, proc)
  return { name: 'simulator', url: `https://127.0.0.1:${port}${UPSTREAM_PATH}`, port, proc, detail: 'simulator-main.js' }
}

/** The canned upstream replaying `answersDir`. */
export async function startCanned (ctx: HarnessContext, answersDir: string): Promise<Running> {
  const port = await freePort()
  const proc = ctx.group.start('canned', process.execPath, [join(ctx.harnessDir, 'canned-main.js'), '--port', String(port), '--pki', ctx.pki.dir, '--answers', answersDir, '--path', UPSTREAM_PATH], { logFile: await logFile(ctx, 'canned'), cwd: ctx.root })
  await waitForPort(port, proc)
  return { name: 'canned', url: `https://127.0.0.1:${port}${UPSTREAM_PATH}`, port, proc, detail: 'canned-main.js' }
}

/** nginx in front of `upstream`, with a configuration generated under bench/out/nginx/. */
export async function startNginx (ctx: HarnessContext, upstream: Running, options: { workers: number | 'auto', keepalive: number }): Promise<Running> {
  const dir = join(ctx.outDir, 'nginx')
  for (const temp of ['client_body', 'proxy']) {
    await mkdir(join(dir, temp), { recursive: true })
    // run as root, nginx's workers switch to an unprivileged user and write their temp files there
    await chmod(join(dir, temp), 0o777)
  }
  const port = await freePort()
  const conf = join(dir, 'nginx.conf')
  await writeFile(conf, renderNginxConfig({
    dir,
    listenPort: port,
    location: PROXY_PATH,
    cert: ctx.pki.server.cert,
    key: ctx.pki.server.key,
    upstream: { host: '127.0.0.1', port: upstream.port, path: UPSTREAM_PATH, ca: ctx.pki.ca.cert, servername: 'localhost', cert: ctx.pki.upstreamClient.cert, key: ctx.pki.upstreamClient.key, keepalive: options.keepalive },
    workers: options.workers,
    bodyLimitBytes: ctx.bodyLimitBytes
  }))
  const proc = ctx.group.start(`nginx-${upstream.name}`, ctx.nginxPath, ['-p', dir, '-c', conf, '-e', join(dir, 'error.log')], { logFile: await logFile(ctx, `nginx-${upstream.name}`), cwd: dir })
  await waitForPort(port, proc)
  return { name: 'nginx', url: `https://127.0.0.1:${port}${PROXY_PATH}`, port, proc, detail: conf }
}

export interface GatewayRunOptions {
  /** short name for files and logs */
  name: string
  validation: 'enforce' | 'off'
  upstreamConnections: number
  /** write a V8 CPU profile to this folder on exit */
  cpuProfileDir?: string
  /** further Node.js flags (e.g. `--perf-basic-prof` for a perf profile) */
  nodeFlags?: readonly string[]
  /** further configuration (e.g. an inspector switch) */
  extra?: Record<string, unknown>
}

/**
 * Node.js flags of every way the gateway is started: an 8 MB semi-space keeps the main thread's
 * young generation at 24 MB rather than its 48 MB default under load (docs/configuration.md, "Node.js
 * flags"). test/cli/runtime-flags.test.ts checks that the launchers agree.
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8']

/** Writes the gateway's configuration of one run to bench/out/gateway-NAME.json, on a free port. */
async function writeGatewayConfig (ctx: HarnessContext, upstream: Running, options: GatewayRunOptions): Promise<{ file: string, port: number }> {
  const [port, opsPort] = [await freePort(), await freePort()]
  const config = gatewayBenchConfig({
    port,
    opsPort,
    cert: ctx.pki.server.cert,
    key: ctx.pki.server.key,
    upstream: { url: upstream.url, ca: ctx.pki.ca.cert, cert: ctx.pki.upstreamClient.cert, key: ctx.pki.upstreamClient.key, connections: options.upstreamConnections },
    validation: options.validation,
    bodyLimitBytes: ctx.bodyLimitBytes,
    ...(options.extra === undefined ? {} : { extra: options.extra })
  })
  const file = join(ctx.outDir, `gateway-${options.name}.json`)
  await writeFile(file, JSON.stringify(config, null, 2) + '\n')
  return { file, port }
}

/** The environment without the caller's SNE_GATEWAY_… variables, which would change the measured configuration. */
function cleanEnv (): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SNE_GATEWAY_')))
}

/**
 * The bare Node floor (node-floor-main.ts) in front of `upstream`: the gateway's configuration
 * file of the same run (validation off, unused by the floor), the same Node flags.
 */
export async function startNodeFloor (ctx: HarnessContext, upstream: Running, options: { upstreamConnections: number, nodeFlags?: readonly string[] }): Promise<Running> {
  const { file, port } = await writeGatewayConfig(ctx, upstream, { name: 'node-floor', validation: 'off', upstreamConnections: options.upstreamConnections })
  const proc = ctx.group.start('node-floor', process.execPath, [...GATEWAY_NODE_FLAGS, ...(options.nodeFlags ?? []), join(ctx.harnessDir, 'node-floor-main.js'), '--config', file], {
    logFile: await logFile(ctx, 'node-floor'),
    cwd: ctx.root,
    env: cleanEnv()
  })
  await waitForPort(port, proc)
  return { name: 'node floor', url: `https://127.0.0.1:${port}${PROXY_PATH}`, port, proc, detail: file }
}

/** The gateway (`node dist/src/cli.js start --config FILE`) in front of `upstream`. */
export async function startGateway (ctx: HarnessContext, upstream: Running, options: GatewayRunOptions): Promise<Running> {
  const { file, port } = await writeGatewayConfig(ctx, upstream, options)
  // the flags the gateway is started with in production (package.json start, the bin, the Dockerfile)
  const nodeArgs = [...GATEWAY_NODE_FLAGS, ...(options.nodeFlags ?? []), ...(options.cpuProfileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir])]
  const proc = ctx.group.start(`gateway-${options.name}`, process.execPath, [...nodeArgs, join(ctx.root, 'dist', 'src', 'cli.js'), 'start', '--config', file], {
    logFile: await logFile(ctx, `gateway-${options.name}`),
    cwd: ctx.root,
    env: cleanEnv()
  })
  await waitForPort(port, proc)
  return { name: 'gateway', url: `https://127.0.0.1:${port}${PROXY_PATH}`, port, proc, detail: file }
}

/** The `.cpuprofile` files in `dir`, newest last. */
export async function cpuProfiles (dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile')).sort().map((f) => join(dir, f))
  } catch {
    return []
  }
}
