/**
 * `npm run bench`: the gateway against nginx and the bare upstream, in one run.
 *
 * 1. nginx and wrk (installed from Debian when missing), the dev PKI under bench/out/pki;
 * 2. the simulator, called once per message to record its answers (and a numéro unique);
 * 3. the canned upstream replaying the recorded answers: direct, nginx, the bare Node floor
 *    (harness/node-floor.ts), gateway with validation
 *    on and off; the latency at half load (wrk paced at half the gateway's req/s just measured:
 *    direct, nginx, gateway); the new-connection handshake rate; a CPU profile of the gateway under load;
 * 4. keep-alive load, simulator upstream: direct, nginx, gateway;
 * 5. validation micro-benchmarks, in-process;
 * (rest) the REST creation and read on the canned section's gateway, each right after the SOAP call
 *    it becomes, and their CPU per call against the project's goal (≤ 1.3 × the SOAP call's);
 * 6. the tables appended to bench/RESULTS.md (and bench/out/results.{md,json}).
 *
 * Bounded (a global deadline; each run checks it before it starts), loopback only; every process
 * it starts is stopped on every way out: normal end, error, SIGINT/SIGTERM, deadline.
 *
 * usage: node dist/bench/run.js [--duration S] [--warmup S] [--connections N] [--threads N]
 *          [--budget S] [--sections canned,rest,halfload,goals,simulator,handshake,profile,micro] [--no-append]
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs, promisify } from 'node:util'
import { defaultSpecDir, loadSpec } from '../src/contract/index.js'
import { buildJsonContract } from '../src/contract/json-contract.js'
import type { InterfaceSpec } from '../src/contract/types.js'
import { ensureDevPki } from '../src/tls/dev-pki.js'
import { saveAnswers, requestAction, STATS_PATH, type RecordedAnswer } from './harness/canned-upstream.js'
import { profileThreadId, summariseCpuProfile, type CpuProfile } from './harness/cpu-profile.js'
import { HALF_LOAD_MESSAGES, halfLoadPace, type HalfLoadPace } from './harness/half-load.js'
import { measure, wrkCommand, type LoadMessage, type LoadSettings, type LoadTarget } from './harness/load.js'
import { clockTicks, loadAverage, machineInfo } from './harness/machine.js'
import { buildBenchMessages, numUniqueOfAnswer, readMessageSources, type BenchMessage } from './harness/messages.js'
import { postOnce, type PostTls } from './harness/post-once.js'
import { ProcessGroup } from './harness/processes.js'
import { renderResults } from './harness/report.js'
import { buildRestMessages, interleaveRest, restGatewayExtra, type RestBenchMessage } from './harness/rest-messages.js'
import type { BenchResults, LoadRun, TargetKind, ThreadProfile } from './harness/results.js'
import { cpuProfiles, startCanned, startGateway, startNginx, startNodeFloor, startSimulator, type HarnessContext, type Running } from './harness/targets.js'
import { ensureTools, toolVersions } from './harness/tools.js'
import { runValidationMicro } from './harness/validation-micro.js'
import { inspectorSwitch } from './harness/inspector-switch.js'
import { runWrk, wrkLuaScript } from './harness/wrk.js'

const SECTIONS = ['simulator', 'canned', 'rest', 'halfload', 'goals', 'handshake', 'profile', 'micro'] as const
type Section = typeof SECTIONS[number]

/**
 * The handshake runs' measured seconds (at most --duration): a connection rate settles well
 * within them, and the time saved keeps the half-load runs inside the budget.
 */
const HANDSHAKE_SECONDS = 5

const here = dirname(fileURLToPath(import.meta.url))
const execFileAsync = promisify(execFile)

/** The goals section's rounds: 4 targets × GOALS_ROUNDS × GOALS_SECONDS, after a 3 s warm-up each. */
const GOALS_ROUNDS = 3
const GOALS_SECONDS = 4
/** what the goals section needs of the budget: its rounds, the warm-ups, the starts and the recording */
const GOALS_NEEDED_MS = (4 * (GOALS_ROUNDS * GOALS_SECONDS + 3) + 40) * 1000

/**
 * bench/gateway-steps.ts with `--validation-on --nginx`, as a child process (it starts and stops
 * its own simulator, canned upstream and targets): its Markdown report.
 */
async function runGoals (root: string, connections: number): Promise<string> {
  const script = join(root, 'dist', 'bench', 'gateway-steps.js')
  const args = [script, '--validation-on', '--nginx', '--rounds', String(GOALS_ROUNDS), '--seconds', String(GOALS_SECONDS), '--connections', String(connections)]
  log(`goals: node ${relative(root, script)} ${args.slice(1).join(' ')}`)
  const { stdout } = await execFileAsync(process.execPath, args, { cwd: root, maxBuffer: 16 * 1024 * 1024, timeout: 2 * GOALS_NEEDED_MS, killSignal: 'SIGTERM' })
  return stdout
}

function repoRoot (): string {
  for (let dir = here, i = 0; i < 5; i++, dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'wsdl'))) return dir
  }
  throw new Error('repository root not found from ' + here)
}

function cannedStatsUrl (canned: Running): string {
  return `https://127.0.0.1:${canned.port}${STATS_PATH}`
}

function log (line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`)
}

function options () {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      connections: { type: 'string', default: '50' },
      threads: { type: 'string', default: '2' },
      // npm run bench = build (about 30 s) + this budget: about 11 minutes on 2 cores
      budget: { type: 'string', default: '630' },
      sections: { type: 'string', default: SECTIONS.join(',') },
      'nginx-workers': { type: 'string', default: '2' },
      'no-append': { type: 'boolean', default: false }
    }
  })
  const num = (name: string, v: string, min: number, max: number): number => {
    const n = Number(v)
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer in [${min}, ${max}]`)
    return n
  }
  const sections = new Set(values.sections.split(',').map((s) => s.trim()).filter((s) => s !== ''))
  for (const s of sections) if (!(SECTIONS as readonly string[]).includes(s)) throw new Error(`unknown section ${s} (known: ${SECTIONS.join(', ')})`)
  return {
    durationSeconds: num('duration', values.duration, 1, 120),
    warmupSeconds: num('warmup', values.warmup, 0, 60),
    connections: num('connections', values.connections, 1, 1000),
    threads: num('threads', values.threads, 1, 16),
    budgetSeconds: num('budget', values.budget, 30, 3600),
    nginxWorkers: values['nginx-workers'] === 'auto' ? 'auto' as const : num('nginx-workers', values['nginx-workers'], 1, 64),
    sections: sections as Set<Section>,
    append: !values['no-append']
  }
}

async function main (): Promise<void> {
  const started = Date.now()
  const opts = options()
  // the last seconds of the budget are kept for the micro-benchmarks and the report
  const deadline = started + (opts.budgetSeconds - 25) * 1000
  const root = repoRoot()
  const outDir = join(root, 'bench', 'out')
  await mkdir(join(outDir, 'lua'), { recursive: true })
  await mkdir(join(outDir, 'messages'), { recursive: true })

  const group = new ProcessGroup()
  let stopping: Promise<void> | undefined
  const cleanup = async (): Promise<void> => { stopping ??= group.stopAll(); await stopping }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping every process started`)
      void cleanup().finally(() => process.exit(130))
    })
  }
  // the hard bound: whatever is running is stopped past the budget plus a margin
  const hardStop = setTimeout(() => {
    log('budget exceeded: stopping every process started')
    void cleanup().finally(() => process.exit(124))
  }, (opts.budgetSeconds + 30) * 1000)
  hardStop.unref()

  let spec: InterfaceSpec | undefined
  try {
    const tools = await ensureTools(log)
    const versions = await toolVersions(tools)
    const machine = await machineInfo()
    const ticks = await clockTicks()
    log(`machine: ${machine.nproc} CPUs, ${machine.cpuModel}, load ${machine.loadAverage}; nginx ${versions.nginx}, ${versions.wrk}`)
    const pki = await ensureDevPki(join(outDir, 'pki'))
    const [ca, upstreamCert, upstreamKey, clientPem] = await Promise.all([readFile(pki.ca.cert), readFile(pki.upstreamClient.cert), readFile(pki.upstreamClient.key), readFile(pki.client.cert)])
    const asWrk: PostTls = { ca }
    const asProxy: PostTls = { ca, cert: upstreamCert, key: upstreamKey }
    spec = await loadSpec({ dir: defaultSpecDir() })
    const sources = await readMessageSources(join(root, 'examples'))

    const ctx: HarnessContext = {
      group, outDir, root, harnessDir: join(here, 'harness'), pki, nginxPath: tools.nginx, bodyLimitBytes: 10 * 1024 * 1024, log
    }
    const settings: LoadSettings = {
      connections: opts.connections, threads: opts.threads, warmupSeconds: opts.warmupSeconds, durationSeconds: opts.durationSeconds,
      clockTicks: ticks, wrkPath: tools.wrk, deadline, log
    }
    const notes: string[] = []
    const runs: LoadRun[] = []

    // --- record the simulator's answers (and a numéro unique it knows) ---
    const simulator = await startSimulator(ctx)
    const probe = buildBenchMessages({ sources, certificatePem: clientPem, numUnique: '0000000000000G1226' })[0]!
    const creAnswer = await postOnce(simulator.url, probe, asProxy)
    const numUnique = creAnswer.statusCode === 200 ? numUniqueOfAnswer(creAnswer.body, creAnswer.contentType) : undefined
    if (numUnique === undefined) throw new Error(`the simulator's CRE answer (HTTP ${creAnswer.statusCode}) holds no numéro unique`)
    const messages = buildBenchMessages({ sources, certificatePem: clientPem, numUnique })
    const loadMessages = new Map<string, LoadMessage>()
    for (const m of messages) {
      const violations = spec.validateMessage(m.body, m.contentType).violations
      if (violations.length > 0) notes.push(`message ${m.name} has ${violations.length} violation(s) (${violations[0]!.code}): the gateway with validation on refuses it`)
      const bodyFile = join(outDir, 'messages', `${m.name}.bin`)
      const scriptFile = join(outDir, 'lua', `${m.name}.lua`)
      await writeFile(bodyFile, m.body)
      await writeFile(scriptFile, wrkLuaScript({ bodyFile, contentType: m.contentType }))
      loadMessages.set(m.name, { name: m.name, contentType: m.contentType, body: m.body, scriptFile })
    }
    // --- the REST creation and read, each paired with the SOAP call it becomes ---
    const restMessages: RestBenchMessage[] = opts.sections.has('rest')
      ? buildRestMessages({ spec, contract: buildJsonContract(spec), sources, numUnique })
      : []
    for (const m of restMessages) {
      const bodyFile = m.body === undefined ? undefined : join(outDir, 'messages', `${m.name}.json`)
      if (bodyFile !== undefined) await writeFile(bodyFile, m.body!)
      const scriptFile = join(outDir, 'lua', `${m.name}.lua`)
      await writeFile(scriptFile, wrkLuaScript({ method: m.method, headers: m.headers, ...(m.uniqueHeader === undefined ? {} : { uniqueHeader: m.uniqueHeader }), ...(bodyFile === undefined ? {} : { bodyFile, contentType: m.contentType! }) }))
      loadMessages.set(m.name, { name: m.name, method: m.method, headers: m.headers, path: m.path, okStatus: m.okStatus, scriptFile, ...(m.body === undefined ? {} : { body: m.body, contentType: m.contentType! }) })
    }
    if (restMessages.length > 0) {
      notes.push('REST runs: on the gateway with validation on only; the guichet G1226 acts (the creation\'s numGuichet; the read\'s `SNE-Guichet` header: no guichets are configured, as for the SOAP runs), ' +
        'and its certificate goes in the messages the REST API builds (`messageCertificates`), as the SOAP getDemandeLogement carries it (the SOAP CRE carries an empty one, so the REST creation\'s message is about 1.2 KB larger). ' +
        'The canned upstream answers them by action, like the SOAP calls.')
    }
    const answers = new Map<string, RecordedAnswer>()
    for (const m of messages) {
      const action = requestAction(m.contentType, undefined)
      if (answers.has(action)) continue
      const a = await postOnce(simulator.url, m, asProxy)
      if (a.statusCode !== 200) throw new Error(`the simulator answered ${m.name} with HTTP ${a.statusCode}`)
      answers.set(action, { action, statusCode: a.statusCode, contentType: a.contentType, body: a.body })
    }
    const answersDir = join(outDir, 'answers')
    await saveAnswers(answersDir, [...answers.values()])
    log(`recorded ${answers.size} answers (numéro unique ${numUnique.slice(0, 4)}…)`)

    const inspector = await inspectorSwitch(root)
    const loadAll = async (target: LoadTarget, names: readonly string[] = messages.map((m) => m.name)): Promise<void> => {
      for (const name of names) runs.push(await measure(target, loadMessages.get(name)!, settings))
    }
    const proxied = async (start: () => Promise<Running>, kind: TargetKind, upstream: Running, upstreamKind: 'simulator' | 'canned', body: (t: LoadTarget) => Promise<void>): Promise<void> => {
      let running: Running | undefined
      try {
        running = await start()
        await body({ kind, running, upstream, upstreamKind, tls: asWrk, ...(upstreamKind === 'canned' ? { upstreamStatsUrl: cannedStatsUrl(upstream) } : {}) })
      } catch (err) {
        log(`${kind} in front of ${upstreamKind} failed: ${(err as Error).message}`)
        notes.push(`${kind} in front of the ${upstreamKind} upstream could not run: ${(err as Error).message.split('\n')[0] ?? ''}`)
      } finally {
        await running?.proc.stop()
      }
    }
    const upstreamConnections = opts.connections
    const nginxOptions = { workers: opts.nginxWorkers, keepalive: opts.connections }

    // --- latency at half load: wrk paced at half the gateway's keep-alive req/s measured before it ---
    const halfLoad = async (canned: Running): Promise<void> => {
      const paced: Array<{ message: LoadMessage, unpaced: LoadMessage, pace: HalfLoadPace }> = []
      for (const name of HALF_LOAD_MESSAGES) {
        const message = loadMessages.get(name)!
        const pace = halfLoadPace(runs, name, opts.connections)
        if ('skipped' in pace) {
          log(`skip half load of ${name}: ${pace.skipped}`)
          notes.push(`Half load, ${messages.find((m) => m.name === name)?.label ?? name}: not run, ${pace.skipped}.`)
          continue
        }
        const scriptFile = join(outDir, 'lua', `${name}-halfload.lua`)
        await writeFile(scriptFile, wrkLuaScript({ bodyFile: join(outDir, 'messages', `${name}.bin`), contentType: message.contentType, delayMs: pace.delayMs }))
        paced.push({ message: { ...message, scriptFile }, unpaced: message, pace })
      }
      // A proxy started afresh warms up at full load, as in the keep-alive runs: a paced warm-up
      // would give a fresh process's JIT a fraction of the requests, and its latency would show it.
      const pacedSettings: LoadSettings = { ...settings, warmupSeconds: 0 }
      const fullLoadWarmup = async (t: LoadTarget, message: LoadMessage): Promise<void> => {
        if (settings.warmupSeconds === 0 || Date.now() + (settings.warmupSeconds + settings.durationSeconds + 10) * 1000 > deadline) return
        await runWrk({ url: t.running.url, scriptFile: message.scriptFile, connections: settings.connections, threads: settings.threads, durationSeconds: settings.warmupSeconds }, settings.wrkPath)
          // a target that fails here fails measure's preflight next, which says why
          .catch(() => undefined)
      }
      const loadPaced = async (t: LoadTarget): Promise<void> => {
        for (const { message, unpaced, pace } of paced) {
          log(`half load ${message.name} on ${t.kind}: target ${pace.targetRps.toFixed(0)} req/s, delay ${pace.delayMs} ms per connection`)
          await fullLoadWarmup(t, unpaced)
          runs.push({ ...(await measure(t, message, pacedSettings)), paced: { targetRps: pace.targetRps, delayMs: pace.delayMs } })
        }
      }
      if (paced.length === 0) return
      // started again (not paced inside the keep-alive runs above): the gateway's rate is known only after nginx's runs
      await loadPaced({ kind: 'direct', running: canned, upstream: canned, upstreamKind: 'canned', tls: asWrk, upstreamStatsUrl: cannedStatsUrl(canned) })
      await proxied(async () => await startNginx(ctx, canned, nginxOptions), 'nginx', canned, 'canned', loadPaced)
      // what Node's own TLS and HTTP add at this pace: the part of the gateway's tail no change of its code removes
      await proxied(async () => await startNodeFloor(ctx, canned, { upstreamConnections }), 'node floor', canned, 'canned', loadPaced)
      await proxied(async () => await startGateway(ctx, canned, { name: 'canned-halfload', validation: 'enforce', upstreamConnections }), 'gateway', canned, 'canned', loadPaced)
    }

    // --- canned upstream ---
    let profile: BenchResults['profile']
    let restProfile: BenchResults['restProfile']
    const wantsCanned = ['canned', 'rest', 'handshake', 'profile'].some((s) => opts.sections.has(s as Section))
    const restExtra = restMessages.length > 0 ? restGatewayExtra(ctx.pki.client.cert) : undefined
    if (opts.sections.has('halfload') && !opts.sections.has('canned')) {
      notes.push('Half load: not run, its pace comes from the gateway\'s keep-alive runs of the canned section, which was not selected.')
    }
    if (wantsCanned) {
      const canned = await startCanned(ctx, answersDir)
      const statsUrl = cannedStatsUrl(canned)
      const handshakeMessage = loadMessages.get('demande')!
      const handshakeSettings: LoadSettings = { ...settings, durationSeconds: Math.min(settings.durationSeconds, HANDSHAKE_SECONDS) }
      if (opts.sections.has('handshake') && handshakeSettings.durationSeconds < settings.durationSeconds) {
        notes.push(`Handshake runs: ${handshakeSettings.durationSeconds} s measured (keep-alive runs: ${settings.durationSeconds} s), to keep the whole run within its budget.`)
      }
      const handshake = async (t: LoadTarget): Promise<void> => {
        if (opts.sections.has('handshake')) runs.push(await measure(t, handshakeMessage, handshakeSettings, { handshake: true }))
      }
      try {
        const soapNames = opts.sections.has('canned') ? messages.map((m) => m.name) : []
        // the gateway's runs: each REST call right after the SOAP call it becomes (measured alone when canned is not selected)
        const gatewayNames = restMessages.length === 0 ? soapNames : interleaveRest(soapNames.length > 0 ? soapNames : [...new Set(restMessages.map((m) => m.soap))], restMessages)
        const cannedLoad = (names: readonly string[]) => async (t: LoadTarget): Promise<void> => {
          await loadAll(t, names)
          await handshake(t)
        }
        if (opts.sections.has('canned') || opts.sections.has('handshake')) {
          await cannedLoad(soapNames)({ kind: 'direct', running: canned, upstream: canned, upstreamKind: 'canned', tls: asWrk, upstreamStatsUrl: statsUrl })
          await proxied(async () => await startNginx(ctx, canned, nginxOptions), 'nginx', canned, 'canned', cannedLoad(soapNames))
        }
        if (opts.sections.has('canned')) {
          // the bare Node floor: the gateway's TLS server and upstream pool, no framework, no validation
          await proxied(async () => await startNodeFloor(ctx, canned, { upstreamConnections }), 'node floor', canned, 'canned', loadAll)
        }
        if (opts.sections.has('canned') || opts.sections.has('handshake') || restMessages.length > 0) {
          await proxied(async () => await startGateway(ctx, canned, { name: 'canned', validation: 'enforce', upstreamConnections, ...(restExtra === undefined ? {} : { extra: restExtra }) }), 'gateway', canned, 'canned', cannedLoad(gatewayNames))
        }
        if (opts.sections.has('canned')) {
          await proxied(async () => await startGateway(ctx, canned, { name: 'canned-novalidation', validation: 'off', upstreamConnections }), 'gateway (validation off)', canned, 'canned', loadAll)
          if (opts.sections.has('halfload')) await halfLoad(canned)
        }
        if (opts.sections.has('handshake')) {
          if (inspector.off !== undefined) {
            await proxied(async () => await startGateway(ctx, canned, { name: 'canned-noinspector', validation: 'enforce', upstreamConnections, extra: inspector.off }), 'gateway (inspector off)', canned, 'canned', handshake)
          }
          notes.push(inspector.note)
        }
        if (opts.sections.has('profile')) {
          const dir = join(outDir, 'profile')
          await mkdir(dir, { recursive: true })
          const before = new Set(await cpuProfiles(dir))
          // the CRE, then (rest section) the REST creation on the same profiled gateway: one profile file per thread, cut to each run's window
          const profiledNames = ['cre', ...restMessages.filter((m) => m.soap === 'cre').map((m) => m.name)]
          const profiled: LoadRun[] = []
          await proxied(async () => await startGateway(ctx, canned, { name: 'canned-profile', validation: 'enforce', upstreamConnections, cpuProfileDir: dir, ...(restExtra === undefined ? {} : { extra: restExtra }) }), 'gateway', canned, 'canned', async (t) => {
            for (const name of profiledNames) profiled.push(await measure(t, loadMessages.get(name)!, settings))
          })
          // one file per thread: the main thread (id 0) and each validation worker
          const files = (await cpuProfiles(dir)).filter((f) => !before.has(f))
            .map((f) => ({ f, id: profileThreadId(f) ?? Number.MAX_SAFE_INTEGER }))
            .sort((a, b) => a.id - b.id)
          const data = await Promise.all(files.map(async ({ f }) => JSON.parse(await readFile(f, 'utf8')) as CpuProfile))
          const summarise = (run: LoadRun): ThreadProfile[] => files.map(({ f, id }, i) => {
            const window = run.monotonicWindowUs
            const summary = summariseCpuProfile(data[i]!, { root: join(root, 'dist'), top: 15, ...(window === undefined ? {} : { window }) })
            if (window !== undefined && summary.totalMs === 0) notes.push(`The CPU profile ${relative(root, f)} has no sample inside the measured window of ${run.message} (clock mismatch?): its table covers the whole thread's life.`)
            return {
              thread: id === 0 ? 'main thread' : `worker thread ${id}`,
              file: relative(root, f),
              summary: summary.totalMs === 0 ? summariseCpuProfile(data[i]!, { root: join(root, 'dist'), top: 15 }) : summary
            }
          })
          const labelOf = (name: string): string => messages.find((m) => m.name === name)?.label ?? restMessages.find((m) => m.name === name)?.label ?? name
          for (const run of profiled) {
            if (files.length === 0 || run.wrk === undefined) {
              notes.push(`No CPU profile of ${labelOf(run.message)}: ${files.length === 0 ? 'the profiled gateway wrote none' : `its load run was skipped (${run.skipped ?? 'unknown'})`}.`)
              continue
            }
            const summary = { message: labelOf(run.message), threads: summarise(run) }
            if (run.message === 'cre') profile = summary
            else restProfile = summary
          }
          if (profiled.length === 0) notes.push('No CPU profile: the profiled gateway did not start.')
        }
      } finally {
        await canned.proc.stop()
      }
    }

    // --- validation's goals: nginx, the floor, the gateway off and on, alternating (its own processes) ---
    let goals: string | undefined
    if (opts.sections.has('goals')) {
      if (Date.now() + GOALS_NEEDED_MS > deadline) {
        log('skip goals: time budget exhausted')
        notes.push('Goals in alternating rounds: not run, time budget exhausted.')
      } else {
        try {
          goals = await runGoals(root, opts.connections)
        } catch (err) {
          log(`goals failed: ${(err as Error).message}`)
          notes.push(`Goals in alternating rounds could not run: ${(err as Error).message.split('\n')[0] ?? ''}`)
        }
      }
    }

    // --- simulator upstream (kept running since the recording: it knows the numéro unique asked for) ---
    if (opts.sections.has('simulator')) {
      const sim = simulator
      notes.push('Simulator upstream: wrk cannot present a client certificate, so the bench lets the simulator accept connections without one (the proxies still present theirs).')
      await loadAll({ kind: 'direct', running: sim, upstream: sim, upstreamKind: 'simulator', tls: asWrk })
      await proxied(async () => await startNginx(ctx, sim, nginxOptions), 'nginx', sim, 'simulator', loadAll)
      await proxied(async () => await startGateway(ctx, sim, { name: 'simulator', validation: 'enforce', upstreamConnections }), 'gateway', sim, 'simulator', loadAll)
    }
    await simulator.proc.stop()

    // --- validation micro-benchmarks, with nothing else running ---
    const micro = opts.sections.has('micro')
      ? runValidationMicro({ spec, sources, numUnique, certificatePem: clientPem })
      : []

    const results: BenchResults = {
      machine,
      versions,
      settings: {
        connections: opts.connections,
        threads: opts.threads,
        warmupSeconds: opts.warmupSeconds,
        durationSeconds: opts.durationSeconds,
        command: `npm run bench${process.argv.length > 2 ? ' -- ' + process.argv.slice(2).join(' ') : ''}`,
        wrkExample: wrkCommand(settings, 'https://127.0.0.1:PORT/ecole/services/DemandeLogementImplService/', relative(root, loadMessages.get('cre')!.scriptFile)),
        nginxWorkers: String(opts.nginxWorkers),
        gatewayUpstreamConnections: upstreamConnections
      },
      messages: [
        ...messages.map((m: BenchMessage) => ({ name: m.name, label: m.label, bytes: m.body.length })),
        ...restMessages.map((m) => ({ name: m.name, label: m.label, bytes: m.body?.length ?? 0 }))
      ],
      runs,
      validationMicro: micro,
      ...(profile === undefined ? {} : { profile }),
      ...(restProfile === undefined ? {} : { restProfile }),
      ...(restMessages.length === 0 ? {} : { restPairs: restMessages.map((m) => ({ rest: m.name, soap: m.soap })) }),
      ...(goals === undefined ? {} : { goals }),
      loadAverageAfter: await loadAverage(),
      notes: [
        `All processes (wrk, the proxy, the upstream) share the machine's ${machine.nproc} CPUs; other work running at the same time shows in the load averages.`,
        'The gateway runs with `dataPlane.tls.clientCertificates: none` and nginx without client certificates (wrk cannot present one); both present the upstream client certificate upstream.',
        ...notes
      ],
      elapsedSeconds: (Date.now() - started) / 1000
    }
    const markdown = renderResults(results)
    await writeFile(join(outDir, 'results.json'), JSON.stringify(results, null, 2) + '\n')
    await writeFile(join(outDir, 'results.md'), markdown + '\n')
    if (opts.append) {
      const file = join(root, 'bench', 'RESULTS.md')
      await appendFile(file, (existsSync(file) ? '\n' : '# Benchmark results\n\n') + markdown + '\n')
      log('appended to bench/RESULTS.md')
    }
    process.stdout.write(markdown + '\n')
  } finally {
    await cleanup()
    spec?.dispose()
    clearTimeout(hardStop)
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
  process.exit(1)
})
