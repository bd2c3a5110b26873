/**
 * What the step benches (gateway-steps.ts, rest-perf.ts) start from: the output folders, a process
 * group stopped on SIGINT/SIGTERM, the dev PKI, the harness context, the example messages; then
 * the école simulator's answers to some of the bench messages, recorded for the canned upstream
 * (the simulator is stopped once they are saved).
 */
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ensureDevPki } from '../../src/tls/dev-pki.js'
import { requestAction, saveAnswers, type RecordedAnswer } from './canned-upstream.js'
import { clockTicks } from './machine.js'
import { buildBenchMessages, numUniqueOfAnswer, readMessageSources, type BenchMessage, type MessageSources } from './messages.js'
import { postOnce, type PostTls } from './post-once.js'
import { ProcessGroup } from './processes.js'
import { startSimulator, type HarnessContext } from './targets.js'

/** A command-line integer from `min` to `max`, else an error naming the option. */
export function boundedOption (name: string, raw: string | undefined, min: number, max: number): number {
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name}: an integer from ${min} to ${max}`)
  return n
}

/** The load options the step benches share (`--rounds`, `--seconds`, `--warmup`, `--connections`). */
export function loadOptions (values: { rounds?: string, seconds?: string, warmup?: string, connections?: string }): { ROUNDS: number, SECONDS: number, WARMUP: number, CONNECTIONS: number } {
  return {
    ROUNDS: boundedOption('rounds', values.rounds, 1, 50),
    SECONDS: boundedOption('seconds', values.seconds, 1, 60),
    WARMUP: boundedOption('warmup', values.warmup, 0, 60),
    CONNECTIONS: boundedOption('connections', values.connections, 1, 512)
  }
}

export interface StepsSetup {
  ctx: HarnessContext
  group: ProcessGroup
  /** clock ticks per second (/proc counters) */
  ticks: number
  /** the dev CA: what a client of the gateway trusts */
  ca: Buffer
  sources: MessageSources
}

export async function stepsSetup (root: string, log: (line: string) => void): Promise<StepsSetup> {
  const outDir = join(root, 'bench', 'out')
  await mkdir(join(outDir, 'lua'), { recursive: true })
  await mkdir(join(outDir, 'messages'), { recursive: true })
  const group = new ProcessGroup()
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => { void group.stopAll().finally(() => process.exit(130)) })
  }
  const ticks = await clockTicks()
  const pki = await ensureDevPki(join(outDir, 'pki'))
  const ca = await readFile(pki.ca.cert)
  const ctx: HarnessContext = { group, outDir, root, harnessDir: join(root, 'dist', 'bench', 'harness'), pki, nginxPath: 'nginx', bodyLimitBytes: 10 * 1024 * 1024, log }
  return { ctx, group, ticks, ca, sources: await readMessageSources(join(root, 'examples')) }
}

/**
 * The bench messages named `names` (for a numéro unique the simulator made with a CRE), and the
 * simulator's answer to each, saved in bench/out/`dir` for the canned upstream.
 */
export async function recordAnswers (s: StepsSetup, names: readonly string[], dir: string): Promise<{ numUnique: string, messages: BenchMessage[], answersDir: string }> {
  const { ctx } = s
  const [upstreamCert, upstreamKey, clientPem] = await Promise.all([readFile(ctx.pki.upstreamClient.cert), readFile(ctx.pki.upstreamClient.key), readFile(ctx.pki.client.cert)])
  const asProxy: PostTls = { ca: s.ca, cert: upstreamCert, key: upstreamKey }
  const simulator = await startSimulator(ctx)
  try {
    const probe = buildBenchMessages({ sources: s.sources, certificatePem: clientPem, numUnique: '0000000000000G1226' })[0]!
    const creAnswer = await postOnce(simulator.url, probe, asProxy)
    const numUnique = creAnswer.statusCode === 200 ? numUniqueOfAnswer(creAnswer.body, creAnswer.contentType) : undefined
    if (numUnique === undefined) throw new Error(`the simulator's CRE answer (HTTP ${creAnswer.statusCode}) holds no numéro unique`)
    const all = buildBenchMessages({ sources: s.sources, certificatePem: clientPem, numUnique })
    const messages = names.map((name) => {
      const m = all.find((x) => x.name === name)
      if (m === undefined) throw new Error(`no bench message named ${name}`)
      return m
    })
    const answers: RecordedAnswer[] = []
    for (const m of messages) {
      const a = await postOnce(simulator.url, m, asProxy)
      if (a.statusCode !== 200) throw new Error(`the simulator answered ${m.name} with HTTP ${a.statusCode}`)
      answers.push({ action: requestAction(m.contentType, undefined), statusCode: 200, contentType: a.contentType, body: a.body })
    }
    const answersDir = join(ctx.outDir, dir)
    await saveAnswers(answersDir, answers)
    return { numUnique, messages, answersDir }
  } finally {
    await simulator.proc.stop()
  }
}
