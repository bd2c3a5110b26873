/**
 * Where a REST call's CPU goes beyond the SOAP call it becomes, over real TLS sockets: one gateway
 * (validation on, as shipped: `dist/src/cli.js`, the idempotency store as configured by default, the
 * guichet G1226's certificate in the built messages as the `rest` section of `npm run bench`), one
 * canned upstream replaying the école simulator's answers, and four wrk loads on that same gateway,
 * alternating in each round: the SOAP getNumUnique CRE, the REST creation (`POST /demandes`, a new
 * Idempotency-Key each), the SOAP getDemandeLogement and the REST read (`GET /demandes/{numUnique}`).
 *
 * Per call, fastest round of each: the process's CPU, each thread group's (the main thread, libuv's
 * thread pool, V8's platform workers, the validation worker… by `comm`), write syscalls
 * (/proc/<pid>/io), log lines written (the gateway's output file), and how busy the main thread
 * was (req/s × its CPU per call: below 100 %, it waited for something other than CPU). With `--perf`, the gateway
 * runs with `--perf-basic-prof` and one more run of each load is recorded with
 * `perf record -F 2999 -g -t <main thread>` (`--perf-runs N` times in turn, pooled); each owner's
 * share (harness/perf-stacks.ts) is given as µs per call of the load's fastest round, and REST −
 * SOAP per owner for each pair. `perf report -i bench/out/rest-perf-<load>-<run>.perf.data` reads
 * one recording further.
 *
 * After the loads, the REST path's own work is measured alone in this process (harness/rest-own-work.ts:
 * each step in a loop, the Idempotency-Key record on a SQLite file), and each pair's ratio is given
 * beside the ratio the REST call would have were the gateway to add nothing to that work: (SOAP +
 * own work) ÷ SOAP. The measured ratio can be under it only by what the SOAP call does and the REST
 * call does not (its larger request decrypted and read, its answer streamed through).
 *
 * Run: `npm run build && node dist/bench/rest-perf.js [--rounds N] [--seconds S] [--connections N] [--perf [--perf-runs N]]`.
 * Loopback only; every process started is stopped on every way out.
 */
import { open, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { defaultSpecDir, loadSpec } from '../src/contract/index.js'
import { buildJsonContract } from '../src/contract/json-contract.js'
import { loadAverage } from './harness/machine.js'
import { measureOwnWork, ownWorkOf, type OwnWork, type RestCall } from './harness/rest-own-work.js'
import { postOnce, type OneRequest } from './harness/post-once.js'
import { repoRoot } from './harness/repo-root.js'
import { buildRestMessages, restGatewayExtra } from './harness/rest-messages.js'
import { boundedOption, loadOptions, recordAnswers, stepsSetup } from './harness/steps-setup.js'
import { startCanned, startGateway, PROXY_PATH, type Running } from './harness/targets.js'
import { profileMainThread, ticksByThread, writeSyscalls, type MainThreadProfile } from './harness/thread-profile.js'
import { errorCount, runWrk, wrkLuaScript } from './harness/wrk.js'

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '4' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    perf: { type: 'boolean', default: false },
    'perf-runs': { type: 'string', default: '2' }
  }
})
const { ROUNDS, SECONDS, WARMUP, CONNECTIONS } = loadOptions(values)
const PERF_RUNS = boundedOption('perf-runs', values['perf-runs'], 1, 10)

const log = (line: string): void => { console.error(`[rest-perf] ${line}`) }

/** One of the four loads. */
interface Load {
  name: string
  /** the gateway that serves it */
  gateway: Running
  /** the path on the gateway */
  path: string
  request: OneRequest
  okStatus: number
  scriptFile: string
}
interface Round { requests: number, rps: number, threads: Map<string, number>, writes: number, logLines: number }

/** The lines written to `file` since `from` (a byte offset), and where the file ends now. */
async function linesSince (file: string, from: number): Promise<{ lines: number, end: number }> {
  const handle = await open(file, 'r')
  try {
    const end = (await handle.stat()).size
    const chunk = Buffer.alloc(Math.max(0, end - from))
    if (chunk.length > 0) await handle.read(chunk, 0, chunk.length, from)
    let lines = 0
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++
    return { lines, end }
  } finally {
    await handle.close()
  }
}

async function main (): Promise<void> {
  const root = repoRoot(import.meta.url)
  const setup = await stepsSetup(root, log)
  const { ctx, group, ticks, ca, sources } = setup
  const { outDir, pki } = ctx
  const spec = await loadSpec({ dir: defaultSpecDir() })
  try {
    // the simulator's answers to the CRE and to the read of the numéro unique it made, replayed by action
    const { numUnique, messages: soap, answersDir } = await recordAnswers(setup, ['cre', 'demande'], 'answers-rest-perf')

    const canned = await startCanned(ctx, answersDir)
    const gateway = await startGateway(ctx, canned, {
      name: 'rest-perf',
      validation: 'enforce',
      upstreamConnections: CONNECTIONS,
      extra: restGatewayExtra(pki.client.cert),
      ...(values.perf ? { nodeFlags: ['--perf-basic-prof'] } : {})
    })

    const rest = buildRestMessages({ spec, contract: buildJsonContract(spec), sources, numUnique })
    const loads: Load[] = []
    for (const m of soap) {
      const bodyFile = join(outDir, 'messages', `rest-perf-${m.name}.bin`)
      const scriptFile = join(outDir, 'lua', `rest-perf-${m.name}.lua`)
      await writeFile(bodyFile, m.body)
      await writeFile(scriptFile, wrkLuaScript({ bodyFile, contentType: m.contentType }))
      loads.push({ name: `SOAP ${m.name}`, gateway, path: PROXY_PATH, request: { contentType: m.contentType, body: m.body }, okStatus: 200, scriptFile })
      for (const r of rest.filter((x) => x.soap === m.name)) {
        const restBody = r.body === undefined ? undefined : join(outDir, 'messages', `rest-perf-${r.name}.json`)
        if (restBody !== undefined) await writeFile(restBody, r.body!)
        const restScript = join(outDir, 'lua', `rest-perf-${r.name}.lua`)
        await writeFile(restScript, wrkLuaScript({ method: r.method, headers: r.headers, ...(r.uniqueHeader === undefined ? {} : { uniqueHeader: r.uniqueHeader }), ...(restBody === undefined ? {} : { bodyFile: restBody, contentType: r.contentType! }) }))
        const request = { method: r.method, headers: r.headers, ...(r.body === undefined ? {} : { body: r.body, contentType: r.contentType! }) }
        loads.push({ name: r.name, gateway, path: r.path, request, okStatus: r.okStatus, scriptFile: restScript })
      }
    }

    const origin = (l: Load): string => `https://127.0.0.1:${l.gateway.port}`
    for (const l of loads) {
      const a = await postOnce(origin(l) + l.path, l.request, { ca })
      if (a.statusCode !== l.okStatus) throw new Error(`${l.name} answered HTTP ${a.statusCode}`)
    }
    const wrk = async (l: Load, seconds: number): Promise<Awaited<ReturnType<typeof runWrk>>> =>
      await runWrk({ url: origin(l) + l.path, scriptFile: l.scriptFile, connections: CONNECTIONS, threads: 2, durationSeconds: seconds })
    if (WARMUP > 0) for (const l of loads) await wrk(l, WARMUP)

    const load0 = await loadAverage()
    const rounds = new Map<string, Round[]>(loads.map((l) => [l.name, []]))
    for (let r = 0; r < ROUNDS; r++) {
      for (const l of loads) {
        const pid = l.gateway.proc.pid
        const logEnd = (await linesSince(l.gateway.proc.logFile, Number.MAX_SAFE_INTEGER)).end
        const [threads0, writes0] = [await ticksByThread(pid), await writeSyscalls(pid)]
        const w = await wrk(l, SECONDS)
        const [threads1, writes1] = [await ticksByThread(pid), await writeSyscalls(pid)]
        const logged = (await linesSince(l.gateway.proc.logFile, logEnd)).lines
        if (errorCount(w) > 0) throw new Error(`${l.name}: ${errorCount(w)} errors in round ${r + 1}`)
        const threads = new Map([...threads1].map(([k, v]) => [k, ((v - (threads0.get(k) ?? 0)) / ticks) * 1e6 / w.requests]))
        const round = { requests: w.requests, rps: w.requestsPerSecond, threads, writes: (writes1 - writes0) / w.requests, logLines: logged / w.requests }
        rounds.get(l.name)!.push(round)
        log(`round ${r + 1} ${l.name}: ${w.requestsPerSecond.toFixed(0)} req/s, ${total(round).toFixed(0)} µs/call (main thread ${(threads.get('main') ?? 0).toFixed(0)})`)
      }
    }
    // The loads recorded in turn, PERF_RUNS times, their samples pooled: a change of the machine's
    // load during one recording weighs on every load alike.
    const profiles = new Map<string, MainThreadProfile>()
    if (values.perf) {
      for (let run = 0; run < PERF_RUNS; run++) {
        for (const [i, l] of loads.entries()) {
          const p = await profileMainThread(l.gateway.proc.pid, SECONDS, ticks, join(outDir, `rest-perf-${i}-${run}.perf.data`), async () => await wrk(l, SECONDS))
          const prev = profiles.get(l.name)
          profiles.set(l.name, prev === undefined ? p : pooled(prev, p))
        }
      }
    }
    const load1 = await loadAverage()
    log('the REST path\'s own work, alone in this process')
    const own = await measureOwnWork({ spec, contract: buildJsonContract(spec), creDocument: sources.cre, rounds: 10, calls: 1000 })
    console.log(report(loads, rounds, profiles, own, load0, load1).join('\n'))
  } finally {
    spec.dispose()
    await group.stopAll()
  }
}

/** Two profiles of one load as one: shares weighted by samples, CPU per call averaged likewise. */
function pooled (a: MainThreadProfile, b: MainThreadProfile): MainThreadProfile {
  const samples = a.samples + b.samples
  const count = (p: MainThreadProfile, owner: string, kind: 'self' | 'inclusive'): number => (p.owners.find((o) => o.owner === owner)?.[kind] ?? 0) * p.samples
  const owners = [...new Set([...a.owners, ...b.owners].map((o) => o.owner))]
    .map((owner) => ({ owner, self: (count(a, owner, 'self') + count(b, owner, 'self')) / samples, inclusive: (count(a, owner, 'inclusive') + count(b, owner, 'inclusive')) / samples }))
    .sort((x, y) => y.self - x.self)
  const steps = new Map([...new Set([...a.steps.keys(), ...b.steps.keys()])]
    .map((name) => [name, ((a.steps.get(name) ?? 0) * a.samples + (b.steps.get(name) ?? 0) * b.samples) / samples]))
  return { samples, mainUs: (a.mainUs * a.samples + b.mainUs * b.samples) / samples, owners, steps }
}

function total (r: Round): number {
  let sum = 0
  for (const v of r.threads.values()) sum += v
  return sum
}

function report (loads: Load[], rounds: Map<string, Round[]>, profiles: Map<string, MainThreadProfile>, own: OwnWork, load0: string, load1: string): string[] {
  const best = (name: string): Round => rounds.get(name)!.reduce((a, b) => (total(b) < total(a) ? b : a))
  const groups = [...new Set(loads.flatMap((l) => rounds.get(l.name)!.flatMap((r) => [...r.threads.keys()])))]
    .filter((g) => loads.some((l) => (best(l.name).threads.get(g) ?? 0) >= 1))
    .sort((a, b) => (a === 'main' ? -1 : b === 'main' ? 1 : a.localeCompare(b)))
  const f0 = (x: number): string => x.toFixed(0)
  const lines = [
    `#### REST against SOAP over TLS sockets, by thread (\`node dist/bench/rest-perf.js\`, ${new Date().toISOString()})`,
    '',
    `One gateway (validation on, canned upstream), ${CONNECTIONS} keep-alive connections (wrk, 2 threads), ${ROUNDS} rounds of ${SECONDS} s per load, alternating; fastest round by process CPU per call. Node ${process.version}; load average ${load0} at start, ${load1} at end. CPU µs per call:`,
    '',
    `| load | req/s | process | ${groups.join(' | ')} | main thread busy | write syscalls/call | log lines/call | rounds µs/call |`,
    `|---|---:|---:|${groups.map(() => '---:').join('|')}|---:|---:|---:|---|`,
    ...loads.map((l) => {
      const b = best(l.name)
      return `| ${l.name} | ${f0(b.rps)} | ${f0(total(b))} | ${groups.map((g) => f0(b.threads.get(g) ?? 0)).join(' | ')} | ${(b.rps * (b.threads.get('main') ?? 0) / 1e4).toFixed(0)} % | ${b.writes.toFixed(2)} | ${b.logLines.toFixed(2)} | ${rounds.get(l.name)!.map((r) => f0(total(r))).join(', ')} |`
    })
  ]
  lines.push(
    '',
    `The REST path's own work alone, in the bench's process after the loads (harness/rest-own-work.ts; checksum ${own.checksum}):`,
    '',
    '| step | in | µs/call |',
    '|---|---|---:|',
    ...own.steps.map((s) => `| ${s.name} | ${s.of.join(', ')} | ${s.us.toFixed(1)} |`)
  )
  const pairs: Array<[string, string, RestCall]> = [['SOAP cre', 'rest-create', 'creation'], ['SOAP demande', 'rest-read', 'read']]
  for (const [soapName, restName, call] of pairs) {
    const a = best(soapName)
    const b = best(restName)
    const work = ownWorkOf(own, call)
    lines.push('', `${restName} ÷ ${soapName}: process ${(total(b) / total(a)).toFixed(2)}, main thread ${((b.threads.get('main') ?? 0) / (a.threads.get('main') ?? 1)).toFixed(2)}; ` +
      `with the gateway adding nothing to the REST call's own work (${f0(work)} µs alone): (${f0(total(a))} + ${f0(work)}) ÷ ${f0(total(a))} = ${((total(a) + work) / total(a)).toFixed(2)}.`)
    const p = profiles.get(soapName)
    const q = profiles.get(restName)
    if (p === undefined || q === undefined) continue
    // shares of the recorded runs × the main thread's CPU per call of the load's fastest round
    const mainOf = (prof: MainThreadProfile): number => (prof === p ? a : b).threads.get('main') ?? 0
    const us = (prof: MainThreadProfile, owner: string, kind: 'self' | 'inclusive'): number => (prof.owners.find((o) => o.owner === owner)?.[kind] ?? 0) * mainOf(prof)
    const owners = [...new Set([...p.owners, ...q.owners].map((o) => o.owner))]
      .filter((o) => Math.max(us(p, o, 'inclusive'), us(q, o, 'inclusive')) >= 2)
      .sort((x, y) => Math.abs(us(q, y, 'self') - us(p, y, 'self')) - Math.abs(us(q, x, 'self') - us(p, x, 'self')))
    lines.push(
      '',
      `Main thread under \`perf record -F 2999 -g -t <tid>\` (--perf-basic-prof), ${PERF_RUNS} run(s) of ${SECONDS} s of each load in turn, pooled: ${soapName} ${p.samples} samples (${f0(p.mainUs)} µs/call on that thread while recorded), ${restName} ${q.samples} (${f0(q.mainUs)} µs/call). Each owner's share of its load's samples × the main thread's CPU per call in that load's fastest round above. Self: the innermost frame of the gateway's code or of a package (Node's internals, V8 and libc count for their caller); inclusive: anywhere on the stack. Owners ≥ 2 µs/call inclusive in either, by |REST − SOAP| self:`,
      '',
      `| owner | ${soapName} self µs | ${restName} self µs | REST − SOAP self µs | ${soapName} incl. µs | ${restName} incl. µs |`,
      '|---|---:|---:|---:|---:|---:|',
      ...owners.map((o) => `| ${o} | ${us(p, o, 'self').toFixed(1)} | ${us(q, o, 'self').toFixed(1)} | ${(us(q, o, 'self') - us(p, o, 'self')).toFixed(1)} | ${us(p, o, 'inclusive').toFixed(1)} | ${us(q, o, 'inclusive').toFixed(1)} |`),
      `| **main thread** | **${f0(mainOf(p))}** | **${f0(mainOf(q))}** | **${f0(mainOf(q) - mainOf(p))}** | | |`
    )
  }
  return lines
}

await main()
