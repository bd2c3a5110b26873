/**
 * Group commit for a file written by synchronous commits: the fsyncs run on libuv's thread pool,
 * off the event loop, and the callers that ask while one runs share the next one.
 *
 * A writer calls `written()` right after its write (synchronously) and later `flush(ticket)`,
 * which resolves once that write is on disk. The fsync that runs covers the writes made before it
 * started; a later write waits for the next fsync, which every writer arriving meanwhile shares.
 * Under N concurrent writers there is thus one fsync per fsync latency, not N in a row.
 *
 * A failed fsync is final: after it the kernel may have dropped the dirty pages and a later fsync
 * can succeed without them (Linux reports a writeback error once), so no later flush can prove
 * anything. Every flush from then on rejects, with the first error, until the store is reopened.
 */
import { fdatasync } from 'node:fs'

export type SyncFn = (fd: number) => Promise<void>

/** `fdatasync(2)` on the thread pool: the data and the metadata needed to read it back (size). */
export const fdatasyncOnPool: SyncFn = (fd) => new Promise((resolve, reject) => {
  fdatasync(fd, (err) => { if (err === null) resolve(); else reject(err) })
})

export class GroupSync {
  readonly #fd: number
  readonly #sync: SyncFn
  #running: Promise<void> | undefined
  /** the last ticket the running fsync covers */
  #runningCovers = 0
  #next: Promise<void> | undefined
  #tickets = 0
  #failure: Error | undefined
  /** fsyncs started, for tests and benchmarks */
  syncs = 0

  constructor (fd: number, sync: SyncFn = fdatasyncOnPool) {
    this.#fd = fd
    this.#sync = sync
  }

  /** the file descriptor synced (its owner closes it) */
  get fd (): number {
    return this.#fd
  }

  /** Marks a write just made: its ticket for `flush`. */
  written (): number {
    return ++this.#tickets
  }

  /** Resolves once the write of `ticket` (by default: every write so far) is on disk. */
  flush (ticket = this.#tickets): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure)
    const running = this.#running
    if (running !== undefined && ticket <= this.#runningCovers) return running
    if (this.#next !== undefined) return this.#next
    if (running === undefined) return this.#start()
    const next = running.then(() => this.#startNext(), () => this.#startNext())
    this.#next = next
    return next
  }

  /** Resolves when no fsync runs or waits (close). */
  async idle (): Promise<void> {
    while (this.#running !== undefined || this.#next !== undefined) {
      await (this.#next ?? this.#running)?.catch(() => {})
    }
  }

  #startNext (): Promise<void> {
    this.#next = undefined
    if (this.#failure !== undefined) return Promise.reject(this.#failure)
    return this.#start()
  }

  #start (): Promise<void> {
    this.syncs++
    this.#runningCovers = this.#tickets
    const running = this.#sync(this.#fd).then(
      () => { if (this.#running === running) this.#running = undefined },
      (err: unknown) => {
        if (this.#running === running) this.#running = undefined
        this.#failure ??= err instanceof Error ? err : new Error(String(err))
        throw this.#failure
      })
    this.#running = running
    return running
  }
}
