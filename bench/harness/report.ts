/**
 * The run as Markdown, appended to bench/RESULTS.md: context first (date, machine, load,
 * versions, commands), then the tables, all from the same run.
 */
import { HALF_LOAD_GOAL_OVER_NGINX_MS, halfLoadRows, halfLoadVerdicts } from './half-load.js'
import { cpuMicrosPerRequest, profileGroups, ratios, REST_GOAL_CPU_RATIO, restVsSoap, type BenchResults, type LoadRun, type ThreadProfile } from './results.js'
import { errorCount } from './wrk.js'

const dash = '—'

function fixed (value: number | undefined, digits: number): string {
  return value === undefined || !Number.isFinite(value) ? dash : value.toFixed(digits)
}

function ms (us: number | undefined): string {
  return us === undefined ? dash : (us / 1000).toFixed(2)
}

function signed (value: number | undefined): string {
  if (value === undefined) return dash
  return `${value >= 0 ? '+' : ''}${value.toFixed(2)}`
}

/** A Markdown table; cells must not contain `|`. */
export function table (header: string[], rows: string[][]): string {
  const clean = (c: string): string => c.replace(/\|/g, '/')
  return [
    `| ${header.map(clean).join(' | ')} |`,
    `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...rows.map((r) => `| ${r.map(clean).join(' | ')} |`)
  ].join('\n')
}

function loadRows (runs: readonly LoadRun[], results: BenchResults): string[][] {
  const label = (name: string): string => results.messages.find((m) => m.name === name)?.label ?? name
  return runs.map((r) => {
    if (r.wrk === undefined) return [label(r.message), r.target, `skipped: ${r.skipped ?? 'unknown'}`, '', '', '', '', '', '', '', '', '']
    const proxyCpu = cpuMicrosPerRequest(r.proxy, r.wrk)
    const upstreamCpu = cpuMicrosPerRequest(r.upstreamResources, r.wrk)
    return [
      label(r.message),
      r.target,
      fixed(r.wrk.requestsPerSecond, 0),
      ms(r.wrk.latencyUs.p50),
      ms(r.wrk.latencyUs.p99),
      String(errorCount(r.wrk)),
      r.proxy === undefined ? dash : `${fixed(r.proxy.cpuPercent, 0)} (${fixed(proxyCpu, 0)})`,
      r.proxy === undefined ? dash : fixed(r.proxy.peakRssMb, 0),
      r.upstreamResources === undefined ? dash : `${fixed(r.upstreamResources.cpuPercent, 0)} (${fixed(upstreamCpu, 0)})`,
      r.upstreamResources === undefined ? dash : fixed(r.upstreamResources.peakRssMb, 0),
      r.upstreamCalls === undefined ? dash : `${r.upstreamCalls.connections} / ${r.upstreamCalls.requests}`,
      r.wrkResources === undefined ? dash : fixed(r.wrkResources.cpuPercent, 0)
    ]
  })
}

/** The half-load section: the paced runs and the verdict on the goal, per message. */
function halfLoadSection (results: BenchResults): string[] {
  const rows = halfLoadRows(results.runs)
  if (rows.length === 0) return []
  const label = (name: string): string => results.messages.find((x) => x.name === name)?.label ?? name
  const paces = [...new Map(rows.map((r) => [r.message, r])).values()]
  const out = [
    '### Latency at half load (canned upstream, wrk paced)', '',
    'Target req/s = half the gateway\'s keep-alive req/s (validation on) for the message in this run; each of the ' +
      `${results.settings.connections} connections waits a random delay between a response and its next request ` +
      `(wrk's \`delay()\`, uniform from 0 to twice the mean, not counted in the latency; mean: ${paces.map((r) => `${label(r.message)} ${r.delayMs} ms`).join(', ')}), ` +
      `the same pace for every target, each warmed up at full load for ${results.settings.warmupSeconds} s just before. ` +
      'Closed loop: the achieved rate is the target less the latency\'s share. ' +
      'Added = the target\'s latency − the direct upstream\'s at the same pace.', '',
    table(
      ['message', 'target', 'target req/s', 'achieved req/s', 'p50 ms', 'p99 ms', 'added p50 ms', 'added p99 ms'],
      rows.map((r) => r.skipped !== undefined
        ? [label(r.message), r.target, fixed(r.targetRps, 0), `skipped: ${r.skipped}`, '', '', '', '']
        : [label(r.message), r.target, fixed(r.targetRps, 0), fixed(r.achievedRps, 0) + (r.errors === undefined || r.errors === 0 ? '' : ` (${r.errors} errors)`),
            fixed(r.p50Ms, 2), fixed(r.p99Ms, 2), signed(r.addedP50Ms), signed(r.addedP99Ms)])
    ),
    ''
  ]
  const verdicts = halfLoadVerdicts(rows).map((v) => {
    if (v.met === undefined) return `${label(v.message)}: not measured`
    const errors = v.errors === undefined || v.errors === 0 ? '' : `, ${v.errors} errors`
    const floor = v.floorAddedP99Ms === undefined ? '' : `; the Node floor ${signed(v.floorAddedP99Ms)}`
    return `${label(v.message)}: ${v.met ? 'met' : 'not met'} (gateway ${signed(v.addedP99Ms)} ms against nginx ${signed(v.nginxAddedP99Ms)}${floor}${errors})`
  })
  out.push(`Goal, the gateway's added p99 at half load ≤ nginx's + ${HALF_LOAD_GOAL_OVER_NGINX_MS} ms: ${verdicts.join('; ')}.`, '')
  return out
}

/** The REST section: each REST call against the SOAP call it becomes, and the verdict on the goal. */
function restSection (results: BenchResults): string[] {
  const pairs = results.restPairs ?? []
  if (pairs.length === 0) return []
  const label = (name: string): string => results.messages.find((x) => x.name === name)?.label ?? name
  const rows = restVsSoap(results.runs, pairs)
  const out = [
    '### REST API against the SOAP call it becomes (gateway, validation on, canned upstream)', '',
    'The same gateway process as the keep-alive runs above, each REST run right after its SOAP counterpart. ' +
      'CPU per call: the gateway\'s process tree (main thread and validation workers) over the measured window ÷ the calls completed.', '',
    table(
      ['REST call', 'SOAP call it becomes', 'REST req/s', 'SOAP req/s', 'REST CPU µs/call', 'SOAP CPU µs/call', 'CPU REST ÷ SOAP'],
      rows.map((r) => [label(r.rest), label(r.soap), fixed(r.restRps, 0), fixed(r.soapRps, 0), fixed(r.restCpuUs, 0), fixed(r.soapCpuUs, 0), fixed(r.cpuRatio, 2)])
    ),
    ''
  ]
  const verdicts = rows.map((r) => r.met === undefined || r.cpuRatio === undefined
    ? `${label(r.rest)}: not measured`
    : `${label(r.rest)}: ${r.met ? 'met' : 'not met'} (${fixed(r.restCpuUs, 0)} ÷ ${fixed(r.soapCpuUs, 0)} µs = ${r.cpuRatio.toFixed(3)}×)`)
  out.push(`Goal, a REST call's CPU ≤ ${REST_GOAL_CPU_RATIO} × the SOAP call's it becomes: ${verdicts.join('; ')}.`, '')
  return out
}

/** One profiled run: a table of areas and one of functions per thread. */
function profileSection (title: string, p: { message: string, threads: ThreadProfile[] }): string[] {
  const out: string[] = []
  out.push(`### ${title} (validation on, ${p.message}, canned upstream)`, '')
  out.push('`node --cpu-prof` on the gateway child, one profile per thread, each cut to the measured window (the start-up is left out).', '')
  for (const th of p.threads) {
    const busy = th.summary.totalMs - th.summary.idleMs
    out.push(`#### ${th.thread}`, '')
    out.push(`${th.file}: ${(busy / 1000).toFixed(1)} s busy of the ${(th.summary.totalMs / 1000).toFixed(1)} s measured window. Self time by area:`, '')
    out.push(table(['area', 'self ms', '% of busy'], th.summary.areas.slice(0, 12).map((a) => [a.area, a.selfMs.toFixed(0), a.percent.toFixed(1)])), '')
    out.push('Where the time goes: ' + profileGroups(th.summary.areas).map((g) => `${g.name} ${g.percent.toFixed(0)}%`).join(', ') + '.', '')
    out.push('Top functions by self time:', '')
    out.push(table(['function', 'location', 'self ms', '% of busy'], th.summary.top.map((r) => [`\`${r.name}\``, r.location === '' ? dash : r.location, r.selfMs.toFixed(0), r.percent.toFixed(1)])), '')
  }
  return out
}

const LOAD_HEADER = ['message', 'target', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'proxy CPU % (µs/req)', 'proxy RSS MB', 'upstream CPU % (µs/req)', 'upstream RSS MB', 'upstream conns opened / calls', 'wrk CPU %']

/** The Markdown section of one run. */
export function renderResults (results: BenchResults): string {
  const m = results.machine
  const s = results.settings
  const out: string[] = []
  out.push(`## Run ${m.date} (\`npm run bench\`, harness bench/run.ts)`, '')
  out.push(
    `- machine: ${m.nproc} CPUs (nproc), ${m.cpuModel}, ${m.memoryGb} GB, Linux ${m.kernel}; load average ${m.loadAverage} at start, ${results.loadAverageAfter} at end`,
    `- versions: node ${m.node} (OpenSSL ${m.openssl}), nginx ${results.versions.nginx}, ${results.versions.wrk}`,
    `- command: \`${s.command}\` (${results.elapsedSeconds.toFixed(0)} s)`,
    `- load: wrk, ${s.connections} connections, ${s.threads} threads, ${s.warmupSeconds} s warm-up then ${s.durationSeconds} s measured, e.g. \`${s.wrkExample}\``,
    `- nginx: worker_processes ${s.nginxWorkers}, TLS 1.2/1.3, keep-alive HTTPS upstream with the upstream client certificate (bench/out/nginx/nginx.conf); gateway: \`node dist/src/cli.js start --config bench/out/gateway-*.json\`, upstream pool of ${s.gatewayUpstreamConnections} connections; node floor: \`node dist/bench/harness/node-floor-main.js --config bench/out/gateway-node-floor.json\` (the gateway's TLS server and upstream pool, body read whole, no framework, no validation)`,
    '- CPU: utime+stime from /proc over the measured window, the whole process tree (nginx master and workers), in % of one core, and per request in µs; RSS: peak of the tree\'s summed VmRSS sampled every 250 ms',
    ''
  )
  for (const note of results.notes) out.push(`> ${note}`)
  if (results.notes.length > 0) out.push('')
  out.push('Messages: ' + results.messages.map((x) => `${x.label} = ${x.bytes} bytes`).join('; ') + '.', '')

  // the paced runs have their own table
  const keepAlive = results.runs.filter((r) => !r.handshake && r.paced === undefined)
  for (const upstream of ['canned', 'simulator'] as const) {
    const runs = keepAlive.filter((r) => r.upstream === upstream)
    if (runs.length === 0) continue
    out.push(`### Keep-alive load, ${upstream === 'canned' ? 'canned upstream (replayed simulator answers: the proxy\'s own cost)' : 'simulator upstream'}`, '')
    out.push(table(LOAD_HEADER, loadRows(runs, results)), '')
  }

  // the REST runs (gateway only) have their own table, against the SOAP calls they become
  const restNames = new Set((results.restPairs ?? []).map((p) => p.rest))
  const ratioRows = ratios(keepAlive).filter((r) => (r.target !== 'nginx' || r.vsDirect !== undefined) && !restNames.has(r.message))
  if (ratioRows.length > 0) {
    out.push('### Ratios (same run)', '')
    const label = (name: string): string => results.messages.find((x) => x.name === name)?.label ?? name
    out.push(table(
      ['upstream', 'message', 'target', 'req/s', '× nginx', '× direct', '× node floor', 'added p50 ms', 'added p99 ms', 'CPU/req × nginx', 'CPU/req × node floor'],
      ratioRows.map((r) => [r.upstream, label(r.message), r.target, fixed(r.requestsPerSecond, 0), fixed(r.vsNginx, 2), fixed(r.vsDirect, 2), fixed(r.vsFloor, 2), signed(r.addedP50Ms), signed(r.addedP99Ms), fixed(r.cpuVsNginx, 1), fixed(r.cpuVsFloor, 2)])
    ), '')
  }

  out.push(...restSection(results))
  out.push(...halfLoadSection(results))

  const handshakes = results.runs.filter((r) => r.handshake && r.paced === undefined)
  if (handshakes.length > 0) {
    out.push('### New-connection TLS handshake rate (`-H \'Connection: close\'`, canned upstream)', '')
    out.push(table(LOAD_HEADER.map((h) => (h === 'req/s' ? 'connections/s' : h)), loadRows(handshakes, results)), '')
    const hs = ratios(handshakes)
    if (hs.length > 0) {
      out.push(table(['target', 'connections/s', '× nginx', '× direct', 'CPU/connection × nginx'], hs.map((r) => [r.target, fixed(r.requestsPerSecond, 0), fixed(r.vsNginx, 2), fixed(r.vsDirect, 2), fixed(r.cpuVsNginx, 1)])), '')
    }
  }

  if (results.goals !== undefined) {
    out.push('### Validation\'s goals, in alternating rounds (`bench/gateway-steps.ts --validation-on --nginx`)', '')
    out.push('The ratios above come from one load per target, one target after the other; these load nginx, the floor and the gateway with validation off and on in turn, round after round, and take each target\'s fastest round, so that the machine\'s drift falls on all of them alike.', '')
    out.push(results.goals.trim(), '')
  }

  if (results.validationMicro.length > 0) {
    out.push('### Validation micro-benchmark (`spec.validateMessage`, one thread, in-process)', '')
    out.push(table(
      ['series', 'message bytes', 'iterations', 'ms/op', 'MB/s', 'violations'],
      results.validationMicro.map((r) => [r.series, String(r.bytes), String(r.iterations), r.msPerOp.toFixed(3), r.mbPerSecond.toFixed(1), String(r.violations)])
    ), '')
  }

  if (results.profile !== undefined) out.push(...profileSection('CPU profile of the gateway under load', results.profile))
  if (results.restProfile !== undefined) out.push(...profileSection('CPU profile of the same gateway under REST load', results.restProfile))
  return out.join('\n')
}
