/**
 * Message validation on worker threads: the main thread keeps TLS, HTTP and forwarding, and hands
 * each message to the least busy of `size` workers, each with its own libxml2 and compiled
 * schemas (`validation-worker.ts`). A validation then no longer stalls every other call on the
 * event loop, and a second core does the XSD work (bench/RESULTS.md has the figures).
 *
 * A message smaller than `inline.below` bytes is validated on the calling thread instead: for the
 * small messages most calls carry, the worker's round trip (copy, `postMessage`, waking the worker,
 * the answer's structured clone, waking the event loop) costs the process about as much CPU as the
 * validation it moves, and the validation holds the event loop under a millisecond
 * (bench/RESULTS.md, "inline validation"). A big message, whose validation would hold the event
 * loop for milliseconds, still goes to a worker.
 *
 * A message waits in a queue on the main thread until a worker has room, then is copied once into
 * a buffer transferred to that worker (the main thread keeps the original for forwarding). A
 * worker that dies fails its pending checks with GW_SPEC_VALIDATOR_UNAVAILABLE (503, the call may
 * be retried) and is replaced; while none is ready, checks fail the same way rather than wait
 * without bound.
 */
import { extname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { Logger } from 'pino'
import { codes } from './errors.js'
import { checkHere, type MessageCheck, type MessageChecker } from './message-check.js'
import type { InterfaceSpec } from './types.js'
import type { XmlLimits } from '../soap/types.js'

/** What a worker needs to load the same specification as the main thread. */
export interface WorkerSetup {
  dir: string
  xmlLimits: XmlLimits
}

/** main → worker */
export interface CheckRequest {
  id: number
  bytes: Uint8Array
  contentType: string | undefined
  soapAction: string | undefined
  /** decode and identify only (mode off): see ValidateOptions.identifyOnly */
  identifyOnly: boolean
  /** quote values as they are (validate-only): see ValidateOptions.showValues */
  showValues: boolean
}

/** worker → main: its start, then one answer per request */
export type CheckAnswer =
  | { ready: true }
  | { id: number, check: MessageCheck }
  | { id: number, error: string }

export interface ValidationPoolOptions extends WorkerSetup {
  /** number of worker threads, at least 1 */
  size: number
  logger: Logger
  /** called when a dead worker is replaced (a metric) */
  onRestart?: () => void
  /** first delay before replacing a dead worker, doubled while replacements die before ready (max 30 s) */
  restartDelayMs?: number
  /** the worker's module (tests substitute one that can be made to die); default validation-worker */
  workerUrl?: URL
  /**
   * Messages of fewer than `below` bytes are validated with `spec` on the calling thread, not by a
   * worker (`validation.inlineBelow`); default: every message goes to a worker.
   */
  inline?: { spec: InterfaceSpec, below: number }
}

/** A check waiting for its answer: in the pool's queue, then sent to a worker. */
interface Job {
  bytes: Buffer
  contentType: string | undefined
  soapAction: string | undefined
  identifyOnly: boolean
  showValues: boolean
  resolve: (check: MessageCheck) => void
  reject: (err: Error) => void
}

interface Slot {
  worker: Worker
  ready: boolean
  /** jobs sent to this worker, by request id */
  sent: Map<number, Job>
}

/**
 * Messages handed to one worker at a time: two, so that a worker finds the next message waiting
 * when it answers one; the rest wait in the pool's queue, uncopied. Copies, and the memory they
 * take, are bounded by the number of workers rather than by the number of calls in progress.
 */
const IN_FLIGHT_PER_WORKER = 2

const MAX_RESTART_DELAY_MS = 30_000

/**
 * The number of workers of `validation.workers`: `auto` is one per core beyond the first (the
 * event loop's), at least 1, at most 4 — past that the event loop, not validation, is the limit.
 */
export function validationWorkers (setting: number | 'auto', cores: number): number {
  if (setting !== 'auto') return setting
  return Math.min(4, Math.max(1, cores - 1))
}

/** The worker's module beside this one: `.ts` when run from sources (tests), `.js` once built. */
function workerUrl (): URL {
  return new URL(`./validation-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url)
}

/**
 * Starts `options.size` workers and resolves once each has loaded the specification; rejects
 * (after stopping the others) if one cannot.
 */
export async function startValidationPool (options: ValidationPoolOptions): Promise<MessageChecker> {
  if (!Number.isInteger(options.size) || options.size < 1) throw new RangeError('a validation pool needs at least one worker')
  const setup: WorkerSetup = { dir: options.dir, xmlLimits: options.xmlLimits }
  const slots: Slot[] = []
  const baseDelay = options.restartDelayMs ?? 100
  let restartDelay = baseDelay
  let nextId = 0
  let closed = false
  // FIFO of checks no worker has room for; `head` is the next one (no shift() per check)
  const queue: Array<Job | undefined> = []
  let head = 0
  const timers = new Set<NodeJS.Timeout>()

  /** Starts one worker in `slots[index]`; resolves when it is ready, rejects if it dies first. */
  function spawn (index: number): Promise<void> {
    const worker = new Worker(options.workerUrl ?? workerUrl(), { workerData: setup })
    const slot: Slot = { worker, ready: false, sent: new Map() }
    slots[index] = slot
    let failure: Error | undefined
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (answer: CheckAnswer) => {
        if ('ready' in answer) {
          slot.ready = true
          restartDelay = baseDelay
          resolve()
          feed(slot)
          return
        }
        const job = slot.sent.get(answer.id)
        if (job === undefined) return
        slot.sent.delete(answer.id)
        if ('check' in answer) job.resolve(answer.check)
        else job.reject(new Error(`validation failed in a worker thread: ${answer.error}`))
        feed(slot)
      })
      worker.on('error', (err) => { failure = err })
      worker.on('exit', (exitCode) => {
        const wasReady = slot.ready
        slot.ready = false
        const cause = failure?.message ?? `exit code ${exitCode}`
        for (const job of slot.sent.values()) job.reject(new codes.GW_SPEC_VALIDATOR_UNAVAILABLE(`its worker thread stopped (${cause})`))
        slot.sent.clear()
        // Queued checks wait for another worker; with none ready, they fail now rather than wait for a replacement.
        if (!slots.some((s) => s.ready)) failQueue(closed ? 'the gateway is stopping' : 'no validation worker is ready')
        if (!wasReady) reject(failure ?? new Error(`validation worker exited with code ${exitCode} before it was ready`))
        if (closed || slots[index] !== slot) return
        options.logger.error({ worker: index, exitCode, cause: failure?.message }, 'validation worker stopped: replacing it')
        const delay = restartDelay
        restartDelay = Math.min(restartDelay * 2, MAX_RESTART_DELAY_MS)
        const timer = setTimeout(() => {
          timers.delete(timer)
          if (closed) return
          options.onRestart?.()
          spawn(index).catch((err: unknown) => {
            options.logger.error({ worker: index, err }, 'validation worker replacement failed')
          })
        }, delay)
        timers.add(timer)
      })
    })
  }

  /** Sends `job` to `slot`: a copy of its bytes, transferred. */
  function send (slot: Slot, job: Job): void {
    const id = nextId++
    const copy = new Uint8Array(job.bytes.byteLength)
    copy.set(job.bytes)
    const request: CheckRequest = { id, bytes: copy, contentType: job.contentType, soapAction: job.soapAction, identifyOnly: job.identifyOnly, showValues: job.showValues }
    slot.sent.set(id, job)
    slot.worker.postMessage(request, [copy.buffer])
  }

  /** Fills `slot` from the queue, up to its in-flight bound. */
  function feed (slot: Slot): void {
    while (slot.ready && slot.sent.size < IN_FLIGHT_PER_WORKER && queue.length > head) {
      const job = queue[head]!
      // The queue lets go of the job (and of its message bytes) now: under a steady load it is
      // never empty, so waiting for it to drain would keep every message ever queued.
      queue[head++] = undefined
      if (head === queue.length) {
        queue.length = 0
        head = 0
      } else if (head >= 1024 && head * 2 >= queue.length) {
        queue.splice(0, head)
        head = 0
      }
      send(slot, job)
    }
  }

  function failQueue (reason: string): void {
    const waiting = queue.slice(head)
    queue.length = 0
    head = 0
    for (const job of waiting) job?.reject(new codes.GW_SPEC_VALIDATOR_UNAVAILABLE(reason))
  }

  async function close (): Promise<void> {
    if (closed) return
    closed = true
    for (const timer of timers) clearTimeout(timer)
    failQueue('the gateway is stopping')
    await Promise.all(slots.map(async (slot) => await slot.worker.terminate()))
  }

  try {
    await Promise.all(Array.from({ length: options.size }, async (_, i) => { await spawn(i) }))
  } catch (err) {
    await close()
    throw err
  }

  const checked = { inline: 0, worker: 0 }
  const inlineSpec = options.inline?.spec
  const inlineBelow = options.inline?.below ?? 0
  return {
    workers: options.size,
    checked,
    async check (bytes, contentType, soapAction, checkOptions = {}) {
      if (closed) throw new codes.GW_SPEC_VALIDATOR_UNAVAILABLE('the gateway is stopping')
      if (inlineSpec !== undefined && bytes.length < inlineBelow) {
        checked.inline++
        return checkHere(inlineSpec, bytes, contentType, soapAction, checkOptions)
      }
      let best: Slot | undefined
      for (const slot of slots) {
        if (slot.ready && (best === undefined || slot.sent.size < best.sent.size)) best = slot
      }
      if (best === undefined) throw new codes.GW_SPEC_VALIDATOR_UNAVAILABLE('no validation worker is ready')
      const slot = best
      checked.worker++
      return await new Promise<MessageCheck>((resolve, reject) => {
        const job: Job = { bytes, contentType, soapAction, identifyOnly: checkOptions.identifyOnly === true, showValues: checkOptions.showValues === true, resolve, reject }
        if (slot.sent.size < IN_FLIGHT_PER_WORKER && queue.length === head) send(slot, job)
        else queue.push(job)
      })
    },
    close
  }
}
