/**
 * The store calls of one REST creation's Idempotency-Key record, as the protocol makes them now
 * (`get`, then `begin` of a `sent` record as the message leaves, then `done`: two commits, two
 * fsyncs) against the sequence it made before (`begin` of a `received` record, `update` to `sent`,
 * `update` to `done`: three commits), on the shipped SQLite file store (WAL, fsyncs on libuv's
 * pool, group commit), in one process, alternating, BENCH_CONCURRENCY callers.
 *
 * Per creation: the whole process's CPU (`process.cpuUsage`: the statements on the event loop and
 * the fsyncs on the pool), fastest of BENCH_ROUNDS rounds of BENCH_CREATIONS.
 *
 * Run: `npm run build && node dist/bench/idempotency-commits.js`. The file goes in a temporary folder.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openSqliteIdempotencyStore } from '../src/idempotency/sqlite-store.js'
import { benchRecord, cpuPerCall, creationRecord, DONE } from './harness/rest-own-work.js'

const CREATIONS = Number(process.env.BENCH_CREATIONS ?? 1000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16)

const dir = mkdtempSync(join(tmpdir(), 'idempotency-commits-'))
const store = openSqliteIdempotencyStore(join(dir, 'idempotency.sqlite'))

const sequences: Record<string, () => Promise<void>> = {
  'now: get, begin sent, done (2 commits)': async () => { await creationRecord(store) },
  'before: begin received, sent, done (3 commits)': async () => {
    const r = benchRecord('received')
    await store.begin(r)
    await store.update(r.scope, r.owner, { state: 'sent', sentAt: Date.now(), attempts: 1, leaseUntil: r.leaseUntil })
    await store.update(r.scope, r.owner, DONE)
  }
}

/** CPU µs of the whole process per creation, `count` creations by CONCURRENCY callers. */
const cpuPerCreation = async (sequence: () => Promise<void>, count: number): Promise<number> => await cpuPerCall(sequence, count, CONCURRENCY)

try {
  for (const run of Object.values(sequences)) await cpuPerCreation(run, Math.ceil(CREATIONS / 3))
  const rounds = new Map(Object.keys(sequences).map((name) => [name, [] as number[]]))
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, run] of Object.entries(sequences)) rounds.get(name)!.push(await cpuPerCreation(run, CREATIONS))
  }
  const fastest = (name: string): number => Math.min(...rounds.get(name)!)
  const [now, before] = Object.keys(sequences)
  console.log([
    `#### The Idempotency-Key record's store calls, now against before (\`node dist/bench/idempotency-commits.js\`, ${new Date().toISOString()})`,
    '',
    `SQLite file store as shipped, ${CONCURRENCY} callers, ${ROUNDS} rounds of ${CREATIONS} creations alternating; Node ${process.version}.`,
    '',
    '| sequence | µs CPU per creation (fastest round) | rounds |',
    '|---|---:|---|',
    ...[...rounds].map(([name, list]) => `| ${name} | ${fastest(name).toFixed(0)} | ${list.map((x) => x.toFixed(0)).join(', ')} |`),
    '',
    `now ÷ before: ${(fastest(now!) / fastest(before!)).toFixed(2)}`
  ].join('\n'))
} finally {
  await store.close()
  rmSync(dir, { recursive: true, force: true })
}
