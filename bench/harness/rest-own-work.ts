/**
 * The work a REST call does that the SOAP call it becomes does not (src/rest/rest-routes.ts,
 * src/idempotency/), each step alone, CPU per call: what the REST call would cost above its SOAP
 * call with no overhead at all in the gateway (no allocation shared with other calls, no cache
 * misses between steps, no Fastify or undici work of its own). A REST call can cost less than its
 * SOAP call plus this only where the SOAP call does work the REST call skips (the SOAP call's
 * larger request decrypted and read, its answer streamed through): that is the bound
 * `rest-perf.ts` prints beside the measured ratio.
 *
 * Synchronous steps: a warm-up, then the fastest of `rounds` rounds of `calls` calls
 * (fastest-round.ts). The Idempotency-Key record (creation only): the store calls a creation makes
 * (`get`, `begin` of a `sent` record, `update` to `done`: two commits, two fsyncs on libuv's pool)
 * on the shipped SQLite file store in a temporary folder, 16 callers (group commit, as under load),
 * the whole process's CPU per creation, fastest of `rounds` rounds.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { JsonContract } from '../../src/contract/json-contract.js'
import type { InterfaceSpec } from '../../src/contract/types.js'
import { requestFingerprint } from '../../src/idempotency/fingerprint.js'
import { openSqliteIdempotencyStore } from '../../src/idempotency/sqlite-store.js'
import type { IdempotencyStore, NewIdempotencyRecord } from '../../src/idempotency/store.js'
import { readAnswer } from '../../src/rest/answers.js'
import { createMessageBuilder } from '../../src/rest/message-builder.js'
import { API_INTERFACE_VERSION } from '../../src/rest/route-table.js'
import { fastestRound } from './fastest-round.js'
import { demandeLogementJson, getNumUniqueAnswer, REST_API_PATH, REST_GUICHET } from './rest-messages.js'

export type RestCall = 'creation' | 'read'

export interface OwnStep {
  name: string
  of: RestCall[]
  /** µs of CPU per call */
  us: number
}

export interface OwnWork {
  steps: OwnStep[]
  /** the sum of every result, printed so that no call can be optimized away */
  checksum: number
}

/** A certificate part of the size a configured guichet sends (its content is never read). */
function benchCertificate (): { pem: Buffer, name: undefined } {
  const body = Buffer.alloc(880, 0x5a).toString('base64').replace(/.{64}/g, '$&\n')
  return { pem: Buffer.from(`-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`), name: undefined }
}

/** Each step of the REST path's own work, measured; `record: false` leaves out the Idempotency-Key record. */
export async function measureOwnWork (input: { spec: InterfaceSpec, contract: JsonContract, creDocument: Buffer, rounds: number, calls: number, record?: boolean }): Promise<OwnWork> {
  const { spec, contract, creDocument } = input
  const demande = demandeLogementJson(spec, contract, creDocument)
  const bodyBytes = Buffer.from(JSON.stringify(demande))
  const certificate = benchCertificate()
  const builder = createMessageBuilder({ contract, clock: () => new Date() })
  const answer = getNumUniqueAnswer(creDocument)
  const answerJson = readAnswer(spec, contract, answer.body, answer.contentType, 'demande')
  if (answerJson.kind !== 'ok') throw new Error(`the answer does not read as a demande (${answerJson.kind})`)
  const document = { versionInterface: API_INTERFACE_VERSION, entete: { typeFichier: 'CRE', dateFichier: '2000-01-01T00:00:00.000+00:00' }, demande: [{ demandeLogement: demande }] }
  if (contract.validateDocument(document, 'request').length > 0) throw new Error('the example demande does not pass the JSON contract')
  const target = `${REST_API_PATH}/demandes`

  const { measure, checksum } = fastestRound(input.rounds, input.calls)
  const sync: Array<{ name: string, of: RestCall[], fn: () => number }> = [
    { name: 'JSON body parse', of: ['creation'], fn: () => Object.keys(JSON.parse(bodyBytes.toString('utf8')) as object).length },
    { name: 'Idempotency-Key fingerprint (RFC 8785, SHA-256)', of: ['creation'], fn: () => requestFingerprint('POST', target, demande).length },
    { name: 'JSON contract check (ajv)', of: ['creation'], fn: () => contract.validateDocument(document, 'request').length + 1 },
    { name: 'build the getNumUnique CRE message', of: ['creation'], fn: () => builder.build({ operation: 'getNumUnique', typeFichier: 'CRE', guichet: REST_GUICHET, demandeLogement: demande }, certificate).body.length },
    { name: 'build the getDemandeLogement message', of: ['read'], fn: () => builder.build({ operation: 'getDemandeLogement', guichet: REST_GUICHET, numUnique: '0750125000001G1226' }, certificate).body.length },
    { name: 'read the answer (MIME, envelope, document → JSON)', of: ['creation', 'read'], fn: () => readAnswer(spec, contract, answer.body, answer.contentType, 'demande').kind.length },
    { name: 'write the answer as JSON', of: ['creation', 'read'], fn: () => JSON.stringify(answerJson.body).length }
  ]
  const steps: OwnStep[] = sync.map((s) => ({ name: s.name, of: s.of, us: measure(s.fn) }))
  if (input.record !== false) steps.push({ name: 'Idempotency-Key record (get, begin sent, done: SQLite file, 16 callers)', of: ['creation'], us: await recordCpu(input.rounds, input.calls) })
  return { steps, checksum: checksum() }
}

/** µs of the process's CPU per creation's record (fastest round), on a throw-away SQLite file store. */
async function recordCpu (rounds: number, calls: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'rest-own-work-'))
  const store = openSqliteIdempotencyStore(join(dir, 'idempotency.sqlite'))
  try {
    await creationRecords(store, Math.ceil(calls / 4))
    let best = Infinity
    for (let r = 0; r < rounds; r++) best = Math.min(best, await creationRecords(store, calls))
    return best
  } finally {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

let keys = 0
/** A record with a reconciliation of a realistic size (the demandeur's search fields). */
export function benchRecord (state: 'received' | 'sent'): NewIdempotencyRecord {
  const now = Date.now()
  return {
    scope: { identity: 'editor', env: 'ecole', key: `key-${keys++}` },
    fingerprint: 'f'.repeat(64),
    state,
    route: 'createDemande',
    guichet: REST_GUICHET,
    createdAt: now,
    sentAt: state === 'sent' ? now : undefined,
    attempts: state === 'sent' ? 1 : 0,
    owner: 'owner',
    leaseUntil: now + 60_000,
    reconciliation: { guichet: REST_GUICHET, dateCreationDemande: '2025-01-14', search: { numGuichet: REST_GUICHET, demandeur: 'x'.repeat(300) } }
  }
}

export const DONE = { state: 'done' as const, status: 201, location: `${REST_API_PATH}/demandes/x`, numUnique: 'x', reconciliation: undefined, leaseUntil: 0 }

/** The record of one creation as the protocol makes it: looked up, begun as `sent`, then done. */
export async function creationRecord (store: IdempotencyStore): Promise<void> {
  const r = benchRecord('sent')
  await store.get(r.scope)
  await store.begin(r)
  await store.update(r.scope, r.owner, DONE)
}

/** CPU µs of the whole process per call of `sequence`, `count` calls by `concurrency` callers. */
export async function cpuPerCall (sequence: () => Promise<void>, count: number, concurrency = 16): Promise<number> {
  const start = process.cpuUsage()
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next++ < count) await sequence()
  }))
  const used = process.cpuUsage(start)
  return (used.user + used.system) / count
}

async function creationRecords (store: IdempotencyStore, count: number): Promise<number> {
  return await cpuPerCall(async () => { await creationRecord(store) }, count)
}

/** The sum of a call's steps, µs. */
export function ownWorkOf (work: OwnWork, call: RestCall): number {
  return work.steps.filter((s) => s.of.includes(call)).reduce((sum, s) => sum + s.us, 0)
}
