import t from 'tap'
import { renderResults, table } from '../../../bench/harness/report.js'
import { cpuMicrosPerRequest, profileGroups, ratios, restVsSoap, type BenchResults, type LoadRun } from '../../../bench/harness/results.js'
import type { WrkResult } from '../../../bench/harness/wrk.js'

const wrk = (rps: number, p50Ms: number, p99Ms: number): WrkResult => ({
  requests: rps * 10,
  durationUs: 10e6,
  bytes: 0,
  errors: { connect: 0, read: 0, write: 0, status: 0, timeout: 0 },
  latencyUs: { p50: p50Ms * 1000, p90: p99Ms * 500, p99: p99Ms * 1000, max: p99Ms * 2000, mean: p50Ms * 1000 },
  requestsPerSecond: rps
})
const res = (cpuSeconds: number) => ({ cpuSeconds, cpuPercent: cpuSeconds * 10, peakRssMb: 80, processes: 1 })

const runs: LoadRun[] = [
  { upstream: 'canned', target: 'direct', message: 'cre', handshake: false, wrk: wrk(10000, 1, 4), upstreamResources: res(5) },
  { upstream: 'canned', target: 'nginx', message: 'cre', handshake: false, wrk: wrk(8000, 2, 6), proxy: res(8), upstreamResources: res(4) },
  { upstream: 'canned', target: 'gateway', message: 'cre', handshake: false, wrk: wrk(2000, 5, 14), proxy: res(10), upstreamResources: res(1), upstreamCalls: { connections: 50, requests: 20000 } },
  { upstream: 'canned', target: 'gateway (validation off)', message: 'cre', handshake: false, skipped: 'preflight answered HTTP 400' },
  { upstream: 'canned', target: 'gateway', message: 'demande', handshake: true, wrk: wrk(900, 20, 60), proxy: res(10) }
]

t.test('ratios against nginx and the direct upstream, from the same run', async (t) => {
  const r = ratios(runs)
  const gw = r.find((x) => x.target === 'gateway' && x.message === 'cre')!
  t.equal(gw.vsNginx, 0.25)
  t.equal(gw.vsDirect, 0.2)
  t.equal(gw.addedP50Ms, 4)
  t.equal(gw.addedP99Ms, 10)
  t.equal(gw.cpuVsNginx, 5, 'gateway 500 µs per request (10 s / 20000) against nginx 100 µs (8 s / 80000)')
  const nginx = r.find((x) => x.target === 'nginx')!
  t.equal(nginx.vsNginx, undefined, 'nginx against itself says nothing')
  t.equal(nginx.vsDirect, 0.8)
  t.notOk(r.some((x) => x.target === 'gateway (validation off)'), 'skipped runs have no ratio')
  const hs = r.find((x) => x.handshake)!
  t.equal(hs.message, 'demande')
  t.equal(hs.vsNginx, undefined, 'handshake runs compare with handshake runs only')
})

t.test('the gateways against the bare Node floor of the same run', async (t) => {
  const r = ratios([
    { upstream: 'canned', target: 'nginx', message: 'cre', handshake: false, wrk: wrk(8000, 2, 6), proxy: res(8) },
    { upstream: 'canned', target: 'node floor', message: 'cre', handshake: false, wrk: wrk(4000, 3, 8), proxy: res(8) },
    { upstream: 'canned', target: 'gateway', message: 'cre', handshake: false, wrk: wrk(1000, 9, 20), proxy: res(6) },
    { upstream: 'canned', target: 'gateway (validation off)', message: 'cre', handshake: false, wrk: wrk(3000, 4, 9), proxy: res(9) },
    { upstream: 'canned', target: 'gateway', message: 'demande', handshake: false, wrk: wrk(1000, 9, 20), proxy: res(6) }
  ])
  const floor = r.find((x) => x.target === 'node floor')!
  t.equal(floor.vsNginx, 0.5, 'the floor gets its own ratio to nginx')
  t.equal(floor.cpuVsNginx, 2, '200 µs per request against nginx\'s 100')
  t.equal(floor.vsFloor, undefined, 'the floor against itself says nothing')
  const on = r.find((x) => x.target === 'gateway' && x.message === 'cre')!
  t.equal(on.vsFloor, 0.25)
  t.equal(on.cpuVsFloor, 3, '600 µs per request (6 s / 10000) against the floor\'s 200')
  const off = r.find((x) => x.target === 'gateway (validation off)')!
  t.equal(off.vsFloor, 0.75)
  t.equal(off.cpuVsFloor, 1.5)
  t.equal(r.find((x) => x.target === 'nginx')!.vsFloor, undefined, 'nginx is not measured against the floor')
  t.equal(r.find((x) => x.message === 'demande')!.vsFloor, undefined, 'no floor run of that message')
})

t.test('a run that completed no request gives no ratio', async (t) => {
  const zero = { ...wrk(0, 0, 0), requests: 0 }
  const r = ratios([
    { upstream: 'canned', target: 'direct', message: 'm', handshake: false, wrk: zero },
    { upstream: 'canned', target: 'nginx', message: 'm', handshake: false, wrk: wrk(100, 1, 2) },
    { upstream: 'canned', target: 'gateway', message: 'm', handshake: false, wrk: zero }
  ])
  t.equal(r.length, 1)
  t.equal(r[0]!.target, 'nginx')
  t.equal(r[0]!.vsDirect, undefined)
})

t.test('profileGroups', async (t) => {
  const groups = profileGroups([
    { area: 'src/contract', percent: 20 }, { area: 'wasm', percent: 15 }, { area: 'libxml2-wasm', percent: 5 },
    { area: 'src/soap', percent: 10 }, { area: 'node internals', percent: 25 }, { area: 'undici', percent: 5 },
    { area: 'pino', percent: 3 }, { area: '(garbage collector)', percent: 7 }, { area: 'ajv', percent: 10 }, { area: 'src/rest', percent: 4 }
  ])
  t.same(groups.map((g) => Math.round(g.percent)), [40, 4, 10, 30, 3, 7, 10])
  t.equal(groups.at(-1)!.name, 'other')
})

t.test('CPU per request', async (t) => {
  t.equal(cpuMicrosPerRequest(res(10), wrk(2000, 1, 1)), 500)
  t.equal(cpuMicrosPerRequest(undefined, wrk(1, 1, 1)), undefined)
  t.equal(cpuMicrosPerRequest(res(1), { ...wrk(0, 1, 1), requests: 0 }), undefined)
})

t.test('the Markdown report carries context and every table', async (t) => {
  const results: BenchResults = {
    machine: { date: '2025-01-01T00:00:00.000Z', nproc: 2, cpuModel: 'AMD EPYC', kernel: '6.1', memoryGb: 4, node: 'v20.20.2', openssl: '3.0', loadAverage: '1.00 0.50 0.25' },
    versions: { nginx: 'nginx/1.22.1', wrk: 'wrk debian/4.1.0' },
    settings: { connections: 50, threads: 2, warmupSeconds: 3, durationSeconds: 10, command: 'npm run bench', wrkExample: 'wrk -t 2 -c 50 …', nginxWorkers: '2', gatewayUpstreamConnections: 50 },
    messages: [{ name: 'cre', label: 'getNumUnique CRE (MTOM)', bytes: 4400 }, { name: 'demande', label: 'getDemandeLogement (MTOM)', bytes: 1900 }],
    runs,
    validationMicro: [{ series: 'MTOM attachment', bytes: 1024, iterations: 100, msPerOp: 0.25, mbPerSecond: 4.1, violations: 0 }],
    profile: {
      message: 'getNumUnique CRE (MTOM)',
      threads: [
        { thread: 'main thread', file: 'bench/out/profile/x.cpuprofile', summary: { totalMs: 10000, idleMs: 2000, top: [{ name: 'validate', location: 'src/contract/index.js:10', area: 'src/contract', selfMs: 3000, percent: 37.5 }], areas: [{ area: 'src/contract', selfMs: 3000, percent: 37.5 }] } },
        { thread: 'worker thread 1', file: 'bench/out/profile/y.cpuprofile', summary: { totalMs: 10000, idleMs: 4000, top: [], areas: [{ area: 'wasm', selfMs: 3000, percent: 50 }] } }
      ]
    },
    loadAverageAfter: '2.00 1.00 0.50',
    notes: ['a note'],
    elapsedSeconds: 400
  }
  const md = renderResults(results)
  t.match(md, '## Run 2025-01-01T00:00:00.000Z')
  t.match(md, '2 CPUs (nproc), AMD EPYC')
  t.match(md, 'load average 1.00 0.50 0.25 at start, 2.00 1.00 0.50 at end')
  t.match(md, 'nginx nginx/1.22.1, wrk debian/4.1.0')
  t.match(md, '> a note')
  t.match(md, '### Keep-alive load, canned upstream')
  t.match(md, '| getNumUnique CRE (MTOM) | gateway | 2000 | 5.00 | 14.00 | 0 | 100 (500) | 80 | 10 (50) | 80 | 50 / 20000 | — |')
  t.match(md, '| getNumUnique CRE (MTOM) | gateway (validation off) | skipped: preflight answered HTTP 400 |')
  t.match(md, '| canned | getNumUnique CRE (MTOM) | gateway | 2000 | 0.25 | 0.20 | — | +4.00 | +10.00 | 5.0 | — |', 'no node floor run here: its columns say so')
  t.match(md, 'Where the time goes: validation and JSON contract (src/contract, libxml2-wasm, wasm) 38%')
  t.match(md, '### New-connection TLS handshake rate')
  t.match(md, '| MTOM attachment | 1024 | 100 | 0.250 | 4.1 | 0 |')
  t.match(md, '#### main thread\n\nbench/out/profile/x.cpuprofile: 8.0 s busy of the 10.0 s measured window')
  t.match(md, '#### worker thread 1\n\nbench/out/profile/y.cpuprofile: 6.0 s busy of the 10.0 s measured window')
  t.match(md, '| `validate` | src/contract/index.js:10 | 3000 | 37.5 |')
})

const restRuns: LoadRun[] = [
  { upstream: 'canned', target: 'gateway', message: 'cre', handshake: false, wrk: wrk(2000, 5, 14), proxy: res(10) },
  { upstream: 'canned', target: 'gateway', message: 'rest-create', handshake: false, wrk: wrk(1500, 6, 18), proxy: res(9.75) },
  { upstream: 'canned', target: 'gateway', message: 'demande', handshake: false, wrk: wrk(2500, 4, 10), proxy: res(10) },
  { upstream: 'canned', target: 'gateway', message: 'rest-read', handshake: false, wrk: wrk(2000, 5, 12), proxy: res(10.5) },
  // not the keep-alive runs of the gateway with validation on: left out
  { upstream: 'canned', target: 'gateway (validation off)', message: 'cre', handshake: false, wrk: wrk(3000, 1, 1), proxy: res(1) },
  { upstream: 'canned', target: 'gateway', message: 'demande', handshake: true, wrk: wrk(100, 1, 1), proxy: res(1) }
]
const restPairs = [{ rest: 'rest-create', soap: 'cre' }, { rest: 'rest-read', soap: 'demande' }]

t.test('restVsSoap: CPU per call of each REST call against the SOAP call it becomes, and the goal', async (t) => {
  const [create, read] = restVsSoap(restRuns, restPairs)
  t.match(create, { rest: 'rest-create', soap: 'cre', restRps: 1500, soapRps: 2000, restCpuUs: 650, soapCpuUs: 500, cpuRatio: 1.3, met: true }, '650 µs against 500 µs: exactly the goal')
  t.match(read, { restCpuUs: 525, soapCpuUs: 400, met: false })
  t.ok(Math.abs(read!.cpuRatio! - 1.3125) < 1e-9, '1.3125 is not rounded into the goal')
  const [missing] = restVsSoap([{ upstream: 'canned', target: 'gateway', message: 'rest-create', handshake: false, skipped: 'preflight answered HTTP 502' }, restRuns[0]!], restPairs)
  t.match(missing, { restRps: undefined, soapRps: 2000, cpuRatio: undefined, met: undefined })
})

t.test('the REST section: the pairs, the verdict with its figures; REST runs stay out of the ratios against nginx', async (t) => {
  const md = renderResults({
    machine: { date: '2025-01-01T00:00:00.000Z', nproc: 2, cpuModel: 'AMD EPYC', kernel: '6.1', memoryGb: 4, node: 'v20.20.2', openssl: '3.0', loadAverage: '1.00 0.50 0.25' },
    versions: { nginx: 'nginx/1.22.1', wrk: 'wrk debian/4.1.0' },
    settings: { connections: 50, threads: 2, warmupSeconds: 3, durationSeconds: 10, command: 'npm run bench -- --sections rest', wrkExample: 'wrk …', nginxWorkers: '2', gatewayUpstreamConnections: 50 },
    messages: [
      { name: 'cre', label: 'getNumUnique CRE (MTOM)', bytes: 4400 }, { name: 'demande', label: 'getDemandeLogement (MTOM)', bytes: 1900 },
      { name: 'rest-create', label: 'REST POST /demandes', bytes: 1500 }, { name: 'rest-read', label: 'REST GET /demandes/{numUnique}', bytes: 0 }
    ],
    runs: restRuns,
    validationMicro: [],
    restPairs,
    loadAverageAfter: '2.00 1.00 0.50',
    notes: [],
    elapsedSeconds: 60
  })
  t.match(md, '### REST API against the SOAP call it becomes (gateway, validation on, canned upstream)')
  t.match(md, '| REST POST /demandes | getNumUnique CRE (MTOM) | 1500 | 2000 | 650 | 500 | 1.30 |')
  t.match(md, '| REST GET /demandes/{numUnique} | getDemandeLogement (MTOM) | 2000 | 2500 | 525 | 400 | 1.31 |')
  t.match(md, 'Goal, a REST call\'s CPU ≤ 1.3 × the SOAP call\'s it becomes: REST POST /demandes: met (650 ÷ 500 µs = 1.300×); REST GET /demandes/{numUnique}: not met (525 ÷ 400 µs = 1.313×).')
  t.notMatch(md, /\| canned \| REST/, 'no row of a REST call in the ratios table')
})

t.test('the goals section: gateway-steps\' Markdown under its own heading, only when it ran', async (t) => {
  const base = {
    machine: { date: '2025-01-01T00:00:00.000Z', nproc: 2, cpuModel: 'AMD EPYC', kernel: '6.1', memoryGb: 4, node: 'v20.20.2', openssl: '3.0', loadAverage: '1.00 0.50 0.25' },
    versions: { nginx: 'nginx/1.22.1', wrk: 'wrk debian/4.1.0' },
    settings: { connections: 50, threads: 2, warmupSeconds: 3, durationSeconds: 10, command: 'npm run bench -- --sections goals', wrkExample: 'wrk …', nginxWorkers: '2', gatewayUpstreamConnections: 50 },
    messages: [],
    runs: [],
    validationMicro: [],
    loadAverageAfter: '2.00 1.00 0.50',
    notes: [],
    elapsedSeconds: 90
  }
  const goals = '#### node floor, nginx: alternating rounds\n\n| goal | target | this run | |\n|---|---:|---:|---|\n| validation on ÷ off, CPU per call | ≤ 1.3 | 1.18 | met |\n'
  const md = renderResults({ ...base, goals })
  t.match(md, '### Validation\'s goals, in alternating rounds (`bench/gateway-steps.ts --validation-on --nginx`)')
  t.match(md, '| validation on ÷ off, CPU per call | ≤ 1.3 | 1.18 | met |')
  t.notMatch(renderResults(base), 'alternating rounds', 'no section when the goals did not run')
})

t.test('table', async (t) => {
  t.equal(table(['a', 'b'], [['x|y', '1']]), '| a | b |\n|---|---:|\n| x/y | 1 |')
})

const paced = { targetRps: 1000, delayMs: 50 }
const halfLoadRuns: LoadRun[] = [
  { upstream: 'canned', target: 'direct', message: 'cre', handshake: false, wrk: wrk(10000, 1, 4) },
  { upstream: 'canned', target: 'nginx', message: 'cre', handshake: false, skipped: 'preflight answered HTTP 502' },
  { upstream: 'canned', target: 'gateway', message: 'cre', handshake: false, wrk: wrk(2000, 5, 14) },
  { upstream: 'canned', target: 'direct', message: 'cre', handshake: false, wrk: wrk(990, 0.5, 1.25), paced },
  { upstream: 'canned', target: 'nginx', message: 'cre', handshake: false, wrk: wrk(985, 0.75, 2), paced },
  { upstream: 'canned', target: 'node floor', message: 'cre', handshake: false, wrk: wrk(988, 0.6, 1.75), paced },
  { upstream: 'canned', target: 'gateway', message: 'cre', handshake: false, wrk: wrk(950, 1.5, 4.5), paced }
]

t.test('ratios leave the paced runs out', async (t) => {
  const r = ratios(halfLoadRuns)
  t.same(r.map((x) => x.target), ['gateway'], 'one row per keep-alive run')
  t.equal(r[0]!.vsNginx, undefined, 'the keep-alive nginx run was skipped: the paced one is no stand-in')
  t.equal(r[0]!.vsDirect, 0.2, 'against the keep-alive direct run')
})

t.test('the report puts the paced runs in their own table, with the goal per message', async (t) => {
  const results: BenchResults = {
    machine: { date: '2025-01-01T00:00:00.000Z', nproc: 2, cpuModel: 'AMD EPYC', kernel: '6.1', memoryGb: 4, node: 'v20.20.2', openssl: '3.0', loadAverage: '1.00 0.50 0.25' },
    versions: { nginx: 'nginx/1.22.1', wrk: 'wrk debian/4.1.0' },
    settings: { connections: 50, threads: 2, warmupSeconds: 3, durationSeconds: 10, command: 'npm run bench', wrkExample: 'wrk …', nginxWorkers: '2', gatewayUpstreamConnections: 50 },
    messages: [{ name: 'cre', label: 'getNumUnique CRE (MTOM)', bytes: 4400 }, { name: 'demande', label: 'getDemandeLogement (MTOM)', bytes: 1900 }],
    runs: [
      ...halfLoadRuns,
      { upstream: 'canned', target: 'direct', message: 'demande', handshake: false, wrk: wrk(1500, 0.5, 1), paced: { targetRps: 1600, delayMs: 31 } },
      { upstream: 'canned', target: 'gateway', message: 'demande', handshake: false, skipped: 'time budget exhausted', paced: { targetRps: 1600, delayMs: 31 } }
    ],
    validationMicro: [],
    loadAverageAfter: '2.00 1.00 0.50',
    notes: [],
    elapsedSeconds: 400
  }
  const md = renderResults(results)
  const keepAlive = md.slice(md.indexOf('### Keep-alive load'), md.indexOf('### Ratios'))
  t.equal(keepAlive.split('\n').filter((l) => l.startsWith('| getNumUnique')).length, 3, 'the keep-alive table holds the 3 runs as fast as possible')
  t.notMatch(keepAlive, '| 990 |')
  const half = md.slice(md.indexOf('### Latency at half load'))
  t.match(half, 'each of the 50 connections waits a random delay')
  t.match(half, 'each warmed up at full load for 3 s just before')
  t.match(half, 'getNumUnique CRE (MTOM) 50 ms, getDemandeLogement (MTOM) 31 ms')
  t.match(half, '| message | target | target req/s | achieved req/s | p50 ms | p99 ms | added p50 ms | added p99 ms |')
  t.match(half, '| getNumUnique CRE (MTOM) | direct | 1000 | 990 | 0.50 | 1.25 | — | — |')
  t.match(half, '| getNumUnique CRE (MTOM) | nginx | 1000 | 985 | 0.75 | 2.00 | +0.25 | +0.75 |')
  t.match(half, '| getNumUnique CRE (MTOM) | gateway | 1000 | 950 | 1.50 | 4.50 | +1.00 | +3.25 |')
  t.match(half, '| getDemandeLogement (MTOM) | gateway | 1600 | skipped: time budget exhausted |')
  t.match(half, '| getNumUnique CRE (MTOM) | node floor | 1000 | 988 | 0.60 | 1.75 | +0.10 | +0.50 |')
  t.match(half, 'Goal, the gateway\'s added p99 at half load ≤ nginx\'s + 1 ms: getNumUnique CRE (MTOM): not met (gateway +3.25 ms against nginx +0.75; the Node floor +0.50); getDemandeLogement (MTOM): not measured.')
  t.notMatch(renderResults({ ...results, runs: halfLoadRuns.filter((r) => r.paced === undefined) }), 'Latency at half load', 'no paced run, no section')
})
