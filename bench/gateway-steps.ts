/**
 * The gateway with validation off against the bare Node floor, in one run, alternating: what the
 * gateway adds above Node's TLS and HTTP for a proxied SOAP call, CPU per call of each process.
 *
 * One canned upstream (the simulator's recorded answers, as `npm run bench`), then the floor
 * (harness/node-floor.ts), this checkout's gateway (`dist/src/cli.js`, validation `off`) and, with
 * `--baseline DIR`, the gateway built in another checkout (its `dist/`, e.g. a `git archive` of
 * main built with `npm run build`), all started once and kept running. Each round loads each of
 * them in turn with the same wrk run (keep-alive, the getNumUnique CRE); the figure of a target is
 * its fastest round (the one least disturbed on a shared machine): CPU µs per call of its process
 * tree and of its main thread alone (/proc/<pid>/task/<pid>/stat), both over wrk's window ÷ the
 * calls wrk completed, and the process's write syscalls per call (`syscw` of /proc/<pid>/io: the
 * answers' socket writes, the log's file writes). Ratios are taken within the run.
 *
 * Run: `npm run build && node dist/bench/gateway-steps.js [--rounds N] [--seconds S]
 * [--connections N] [--message cre|demande] [--baseline DIR]… [--validation-on] [--nginx] [--perf]`. Loopback only; every
 * process started is stopped on every way out.
 *
 * `--validation-on`: this checkout's gateway with validation `enforce` too, as a third target (and
 * profiled with `--perf`): what validating adds to the same call, beside what forwarding costs.
 *
 * `--nginx`: nginx too (2 workers, keep-alive upstream, as `npm run bench` runs it). With
 * `--validation-on` and `--nginx`, the run ends with validation's goals as ratios of the fastest
 * rounds: on ÷ off and off ÷ floor in CPU per call, on ÷ floor and on ÷ nginx in req/s.
 *
 * `--perf`: the floor and this checkout's gateway run with `--perf-basic-prof` (JIT code named in
 * perf's reports), and after the rounds one more wrk run of `--seconds` of each is recorded with
 * `perf record -F 2999 -g -t <main thread>` into bench/out/gateway-steps-{0,1}.perf.data; the main
 * thread's time is printed by owner (harness/perf-stacks.ts: the gateway's modules, each package,
 * Node itself), also as µs per call (its share × the main thread's CPU per call over that window).
 * `perf report -i bench/out/gateway-steps-1.perf.data` reads it further.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { loadAverage } from './harness/machine.js'
import { postOnce } from './harness/post-once.js'
import { snapshotProcesses, treeUsage } from './harness/proc-stats.js'
import { repoRoot } from './harness/repo-root.js'
import { ANSWER_STEPS } from './harness/perf-stacks.js'
import { fastestRound, GOAL_TARGETS, goalLines, type Round } from './harness/validation-goals.js'
import { loadOptions, recordAnswers, stepsSetup } from './harness/steps-setup.js'
import { profileMainThread, threadTicks, writeSyscalls } from './harness/thread-profile.js'
import { startCanned, startGateway, startNginx, startNodeFloor, type Running } from './harness/targets.js'
import { errorCount, runWrk, wrkLuaScript } from './harness/wrk.js'

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '4' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    message: { type: 'string', default: 'cre' },
    baseline: { type: 'string', multiple: true },
    'validation-on': { type: 'boolean', default: false },
    nginx: { type: 'boolean', default: false },
    perf: { type: 'boolean', default: false }
  }
})
const { ROUNDS, SECONDS, WARMUP, CONNECTIONS } = loadOptions(values)

const log = (line: string): void => { console.error(`[gateway-steps] ${line}`) }

interface Target { name: string, running: Running }

/** One wrk run of `target` with `perf record` on its main thread: its time by owner, as lines of a table. */
async function perfProfile (target: Target, load: () => Promise<{ requests: number }>, file: string, ticks: number): Promise<string[]> {
  const p = await profileMainThread(target.running.proc.pid, SECONDS, ticks, file, load, ANSWER_STEPS)
  const owners = p.owners.filter((o) => o.inclusive >= 0.005)
  const pct = (x: number): string => (100 * x).toFixed(1)
  const us = (x: number): string => (x * p.mainUs).toFixed(1)
  return [
    `Main thread of ${target.name} under \`perf record -F 2999 -g -t <tid>\` (--perf-basic-prof), one run of ${SECONDS} s, ${p.samples} samples: ${p.mainUs.toFixed(0)} µs/call on that thread. Self: each sample to the innermost frame of the gateway's code or of a package (Node's internals, V8 and libc count for their caller); inclusive: anywhere on the stack. Owners ≥ 0.5 % inclusive:`,
    '',
    '| owner | self % | self µs/call | inclusive % | inclusive µs/call |',
    '|---|---:|---:|---:|---:|',
    ...owners.map((o) => `| ${o.owner} | ${pct(o.self)} | ${us(o.self)} | ${pct(o.inclusive)} | ${us(o.inclusive)} |`),
    '',
    `Steps of the answer's writing on the same samples (inclusive: samples with such a frame anywhere on the stack):`,
    '',
    '| step | inclusive % | inclusive µs/call |',
    '|---|---:|---:|',
    ...[...p.steps].map(([name, share]) => `| ${name} | ${pct(share)} | ${us(share)} |`)
  ]
}

async function main (): Promise<void> {
  const root = repoRoot(import.meta.url)
  const setup = await stepsSetup(root, log)
  const { ctx, group, ticks, ca } = setup
  const outDir = ctx.outDir
  try {
    // the simulator's answer to the message, replayed by the canned upstream
    const { messages: [message], answersDir } = await recordAnswers(setup, [values.message!], 'answers-gateway-steps')
    if (message === undefined) throw new Error('--message: no message')
    const bodyFile = join(outDir, 'messages', `steps-${message.name}.bin`)
    const scriptFile = join(outDir, 'lua', `steps-${message.name}.lua`)
    await writeFile(bodyFile, message.body)
    await writeFile(scriptFile, wrkLuaScript({ bodyFile, contentType: message.contentType }))

    const canned = await startCanned(ctx, answersDir)
    const perfFlags = values.perf ? { nodeFlags: ['--perf-basic-prof'] } : {}
    const targets: Target[] = [
      { name: GOAL_TARGETS.floor, running: await startNodeFloor(ctx, canned, { upstreamConnections: CONNECTIONS, ...perfFlags }) },
      { name: GOAL_TARGETS.off, running: await startGateway(ctx, canned, { name: 'steps-off', validation: 'off', upstreamConnections: CONNECTIONS, ...perfFlags }) }
    ]
    if (values['validation-on']) {
      targets.push({ name: GOAL_TARGETS.on, running: await startGateway(ctx, canned, { name: 'steps-on', validation: 'enforce', upstreamConnections: CONNECTIONS, ...perfFlags }) })
    }
    if (values.nginx) targets.push({ name: GOAL_TARGETS.nginx, running: await startNginx(ctx, canned, { workers: 2, keepalive: CONNECTIONS }) })
    for (const [i, dir] of (values.baseline ?? []).entries()) {
      targets.push({ name: `${dir} (validation off)`, running: await startGateway({ ...ctx, root: dir }, canned, { name: `steps-baseline-${i}-off`, validation: 'off', upstreamConnections: CONNECTIONS }) })
    }
    for (const t of targets) {
      const a = await postOnce(t.running.url, message, { ca })
      if (a.statusCode !== 200) throw new Error(`${t.name} answered HTTP ${a.statusCode}`)
    }

    const wrk = async (t: Target, seconds: number): Promise<Awaited<ReturnType<typeof runWrk>>> =>
      await runWrk({ url: t.running.url, scriptFile, connections: CONNECTIONS, threads: 2, durationSeconds: seconds })
    if (WARMUP > 0) for (const t of targets) await wrk(t, WARMUP)

    const load0 = await loadAverage()
    const rounds = new Map<string, Round[]>(targets.map((t) => [t.name, []]))
    for (let r = 0; r < ROUNDS; r++) {
      for (const t of targets) {
        const pid = t.running.proc.pid
        const [tree0, main0, writes0] = [(await treeUsage(pid, await snapshotProcesses())).ticks, await threadTicks(pid), await writeSyscalls(pid)]
        const w = await wrk(t, SECONDS)
        const [tree1, main1, writes1] = [(await treeUsage(pid, await snapshotProcesses())).ticks, await threadTicks(pid), await writeSyscalls(pid)]
        if (errorCount(w) > 0) throw new Error(`${t.name}: ${errorCount(w)} errors in round ${r + 1}`)
        const us = (dt: number): number => (dt / ticks) * 1e6 / w.requests
        rounds.get(t.name)!.push({ requests: w.requests, treeUs: us(tree1 - tree0), mainUs: us(main1 - main0), rps: w.requestsPerSecond, writes: (writes1 - writes0) / w.requests})
        log(`round ${r + 1} ${t.name}: ${w.requestsPerSecond.toFixed(0)} req/s, ${us(tree1 - tree0).toFixed(0)} µs/call (main thread ${us(main1 - main0).toFixed(0)}), ${((writes1 - writes0) / w.requests).toFixed(2)} write syscalls/call`)
      }
    }
    const profile: string[] = []
    if (values.perf) {
      for (const [i, t] of targets.slice(0, values['validation-on'] ? 3 : 2).entries()) {
        profile.push('', ...await perfProfile(t, async () => await wrk(t, SECONDS), join(outDir, `gateway-steps-${i}.perf.data`), ticks))
      }
    }
    const load1 = await loadAverage()

    // every target ran every round: each has a fastest one
    const best = (name: string): Round => fastestRound(rounds.get(name))!
    const floor = best(GOAL_TARGETS.floor)
    const lines = [
      `#### ${targets.length === 2 ? 'Gateway (validation off) against the Node floor' : targets.map((t) => t.name).join(', ')}: alternating rounds (\`node dist/bench/gateway-steps.js${process.argv.slice(2).length > 0 ? ' ' + process.argv.slice(2).join(' ') : ''}\`, ${new Date().toISOString()})`,
      '',
      `${message.label}, ${CONNECTIONS} keep-alive connections (wrk, 2 threads), ${ROUNDS} rounds of ${SECONDS} s per target, alternating; fastest round by process CPU per call. Node ${process.version}; load average ${load0} at start, ${load1} at end.`,
      '',
      '| target | req/s | CPU µs/call (process) | main thread µs/call | × floor (process) | write syscalls/call | rounds µs/call |',
      '|---|---:|---:|---:|---:|---:|---|',
      ...targets.map((t) => {
        const b = best(t.name)
        // nginx's master only accepts: its workers (counted in the process tree) do the work
        const [main, writes] = t.name === GOAL_TARGETS.nginx ? ['—', '—'] : [b.mainUs.toFixed(0), b.writes.toFixed(2)]
        return `| ${t.name} | ${b.rps.toFixed(0)} | ${b.treeUs.toFixed(0)} | ${main} | ${(b.treeUs / floor.treeUs).toFixed(2)} | ${writes} | ${rounds.get(t.name)!.map((x) => x.treeUs.toFixed(0)).join(', ')} |`
      })
    ]
    lines.push(...goalLines(rounds))
    lines.push(...profile)
    console.log(lines.join('\n'))
  } finally {
    await group.stopAll()
  }
}

await main()
