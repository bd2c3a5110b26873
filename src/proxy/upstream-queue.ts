/**
 * The calls of one upstream pool waiting for a connection, bounded in number and in time.
 *
 * An undici Pool queues every request beyond its connections without limit, and no undici timeout
 * covers the time spent in that queue: with a slow upstream, calls (and the request bodies they
 * hold) pile up and wait for as long as it takes. In front of the pool, this queue admits at most
 * `slots` calls at once (the pool's connections for calls); up to `maxWaiting` more wait, each at
 * most `maxWaitMs`, in arrival order. A call beyond that is refused at once (`queue_full`), one
 * that waited too long is refused then (`queue_timeout`): both are 503s with `Retry-After`, counted
 * by the caller.
 *
 * A call admitted at once costs no allocation; a timer exists only for a call that waits.
 */
import { codes } from './errors.js'

export type ShedReason = 'queue_full' | 'queue_timeout'

export interface UpstreamQueueOptions {
  /** the environment, for the errors' messages */
  env: string
  /** calls sent upstream at once */
  slots: number
  /** calls waiting at most, beyond `slots` */
  maxWaiting: number
  /** longest wait of one call, ms */
  maxWaitMs: number
}

export interface UpstreamQueue {
  /**
   * Takes a slot: `true` when one was free, else a promise that resolves once one is handed over.
   * Throws GW_PROXY_QUEUE_FULL when `maxWaiting` calls wait already; the promise rejects with
   * GW_PROXY_QUEUE_TIMEOUT after `maxWaitMs`. Every slot taken is given back with `release`.
   */
  acquire (): true | Promise<void>
  release (): void
  /** calls waiting now */
  waiting (): number
  /** calls holding a slot now */
  active (): number
}

/** Retry-After of a shed call: a slot frees when some call ends, at a time the gateway cannot know. */
export const SHED_RETRY_SECONDS = 1

interface Waiter {
  resolve: () => void
  reject: (err: Error) => void
  timer: NodeJS.Timeout | undefined
  /** handed a slot, or timed out */
  settled: boolean
}

export function createUpstreamQueue (options: UpstreamQueueOptions): UpstreamQueue {
  const { env, slots, maxWaiting, maxWaitMs } = options
  let active = 0
  // FIFO without shift(): a head index, compacted when the consumed part dominates. A waiter that
  // timed out stays in place, settled, and is skipped.
  let queue: Waiter[] = []
  let head = 0
  let waiting = 0

  const timedOut = (waiter: Waiter): void => {
    if (waiter.settled) return
    waiter.settled = true
    waiting--
    waiter.reject(new codes.GW_PROXY_QUEUE_TIMEOUT(env, maxWaitMs, { retryAfterSeconds: SHED_RETRY_SECONDS }))
  }

  return {
    acquire () {
      if (active < slots && waiting === 0) {
        active++
        return true
      }
      if (waiting >= maxWaiting) throw new codes.GW_PROXY_QUEUE_FULL(env, maxWaiting, { retryAfterSeconds: SHED_RETRY_SECONDS })
      return new Promise<void>((resolve, reject) => {
        const waiter: Waiter = { resolve, reject, timer: undefined, settled: false }
        queue.push(waiter)
        waiting++
        waiter.timer = setTimeout(timedOut, maxWaitMs, waiter)
      })
    },
    release () {
      // The slot goes to the first call still waiting, if any, without being given back.
      while (head < queue.length) {
        const waiter = queue[head++] as Waiter
        if (waiter.settled) continue
        waiter.settled = true
        waiting--
        clearTimeout(waiter.timer)
        if (head > 1024 && head * 2 > queue.length) {
          queue = queue.slice(head)
          head = 0
        }
        waiter.resolve()
        return
      }
      queue = []
      head = 0
      active--
    },
    waiting: () => waiting,
    active: () => active
  }
}
