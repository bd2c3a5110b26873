/**
 * One measured load run: a preflight call (the target must answer the message as the upstream
 * would: HTTP 200, or the message's own success status, no Fault — otherwise the run would measure refusals), a warm-up, then the
 * measured wrk run with the CPU and RSS of each process sampled over the same window.
 */
import type { PostTls } from './post-once.js'
import type { CannedStats } from './canned-upstream.js'
import { faultSummary, getJson, postOnce } from './post-once.js'
import { ResourceSampler } from './proc-stats.js'
import type { LoadRun, TargetKind, UpstreamKind } from './results.js'
import type { Running } from './targets.js'
import { errorCount, runWrk, wrkArgs } from './wrk.js'

export interface LoadSettings {
  connections: number
  threads: number
  warmupSeconds: number
  durationSeconds: number
  clockTicks: number
  wrkPath: string
  /** epoch ms after which no new run starts */
  deadline: number
  log: (line: string) => void
}

export interface LoadMessage {
  name: string
  /** POST (the default) or GET (a REST read: no body) */
  method?: 'POST' | 'GET'
  contentType?: string
  body?: Buffer
  /** further request headers (e.g. SNE-Guichet), in the script and the preflight alike */
  headers?: Record<string, string>
  /** the path asked for, instead of the target's (a REST route rather than the SOAP service) */
  path?: string
  /** the status of a good answer (default 200; a REST creation answers 201) */
  okStatus?: number
  /** the Lua script of this message (bench/out/lua/<name>.lua) */
  scriptFile: string
}

/** The URL a message is sent to on a target: the target's, or its `path` on the target's origin. */
export function messageUrl (targetUrl: string, message: Pick<LoadMessage, 'path'>): string {
  return message.path === undefined ? targetUrl : new URL(message.path, targetUrl).href
}

export interface LoadTarget {
  kind: TargetKind
  running: Running
  upstreamKind: UpstreamKind
  upstream: Running
  /** TLS to reach the target for the preflight: the dev CA (no client certificate, as wrk) */
  tls: PostTls
  /** the canned upstream's counters (STATS_PATH), to count the connections the proxy opens */
  upstreamStatsUrl?: string
}

async function upstreamStats (target: LoadTarget): Promise<CannedStats | undefined> {
  if (target.upstreamStatsUrl === undefined) return undefined
  return await getJson(target.upstreamStatsUrl, target.tls) as CannedStats
}

/** Runs one message against one target. Never throws for a target's failure: the run is marked skipped. */
export async function measure (target: LoadTarget, message: LoadMessage, settings: LoadSettings, options: { handshake?: boolean } = {}): Promise<LoadRun> {
  const handshake = options.handshake === true
  const base: LoadRun = { upstream: target.upstreamKind, target: target.kind, message: message.name, handshake }
  const tag = `${target.upstreamKind}/${target.kind}/${message.name}${handshake ? '/handshake' : ''}`
  const needed = (settings.warmupSeconds + settings.durationSeconds + 10) * 1000
  if (Date.now() + needed > settings.deadline) {
    settings.log(`skip ${tag}: time budget exhausted`)
    return { ...base, skipped: 'time budget exhausted' }
  }
  const url = messageUrl(target.running.url, message)
  const okStatus = message.okStatus ?? 200
  try {
    const pre = await postOnce(url, message, target.tls)
    const fault = faultSummary(pre.body)
    if (pre.statusCode !== okStatus || fault !== undefined) {
      const why = `preflight answered HTTP ${pre.statusCode}${fault === undefined ? '' : ` (${fault})`}`
      settings.log(`skip ${tag}: ${why}`)
      return { ...base, skipped: why }
    }
  } catch (err) {
    const why = `preflight failed: ${(err as Error).message}`
    settings.log(`skip ${tag}: ${why}`)
    return { ...base, skipped: why }
  }

  const wrk = { url, scriptFile: message.scriptFile, connections: settings.connections, threads: settings.threads, connectionClose: handshake }
  try {
    if (settings.warmupSeconds > 0) await runWrk({ ...wrk, durationSeconds: settings.warmupSeconds }, settings.wrkPath)
    const roots = new Map<string, number>([['upstream', target.upstream.proc.pid]])
    if (target.kind !== 'direct') roots.set('proxy', target.running.proc.pid)
    const sampler = new ResourceSampler(roots, { clockTicks: settings.clockTicks })
    const statsBefore = await upstreamStats(target)
    await sampler.start()
    // process.hrtime is CLOCK_MONOTONIC, the clock of V8's profiles on Linux
    const windowStart = Number(process.hrtime.bigint() / 1000n)
    // the sampler stops whatever wrk's outcome, so that no interval outlives the run
    const outcome = await runWrk({ ...wrk, durationSeconds: settings.durationSeconds, onSpawn: (pid) => { sampler.track('wrk', pid) } }, settings.wrkPath)
      .then((r) => ({ result: r }), (err: unknown) => ({ err }))
    const windowEnd = Number(process.hrtime.bigint() / 1000n)
    const figures = await sampler.stop()
    if ('err' in outcome) throw outcome.err
    const statsAfter = await upstreamStats(target)
    const { stdout: _stdout, ...measured } = outcome.result
    if (measured.requests === 0) {
      // no latency and no rate to report: every request outlived the window (or failed)
      const why = `no request completed in ${settings.durationSeconds} s (${errorCount(measured)} errors)`
      settings.log(`skip ${tag}: ${why}`)
      return { ...base, skipped: why }
    }
    settings.log(`${tag}: ${measured.requestsPerSecond.toFixed(0)} req/s, p50 ${(measured.latencyUs.p50 / 1000).toFixed(2)} ms, p99 ${(measured.latencyUs.p99 / 1000).toFixed(2)} ms`)
    return {
      ...base,
      wrk: measured,
      monotonicWindowUs: { startUs: windowStart, endUs: windowEnd },
      ...(statsBefore === undefined || statsAfter === undefined
        ? {}
        // the second stats call opened one connection of its own
        : { upstreamCalls: { connections: statsAfter.connections - statsBefore.connections - 1, requests: statsAfter.requests - statsBefore.requests } }),
      ...(figures.has('proxy') ? { proxy: figures.get('proxy')! } : {}),
      ...(figures.has('upstream') ? { upstreamResources: figures.get('upstream')! } : {}),
      ...(figures.has('wrk') ? { wrkResources: figures.get('wrk')! } : {})
    }
  } catch (err) {
    const why = `wrk failed: ${(err as Error).message.split('\n')[0] ?? ''}`
    settings.log(`skip ${tag}: ${why}`)
    return { ...base, skipped: why }
  }
}

/** The wrk command line of a run, for the report. */
export function wrkCommand (settings: LoadSettings, url: string, scriptFile: string): string {
  return ['wrk', ...wrkArgs({ url, scriptFile, connections: settings.connections, threads: settings.threads, durationSeconds: settings.durationSeconds })].join(' ')
}
