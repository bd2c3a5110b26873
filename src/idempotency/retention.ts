/**
 * The retention of the idempotency records: every record older than `retentionDays` is deleted,
 * once at start and then every `purgeIntervalMs`, so that the store holds at most that many days
 * of keys (and no search field of a demandeur longer than that, even for a key never done).
 */
import type { Logger } from 'pino'
import type { IdempotencyStore } from './store.js'

export interface RetentionOptions {
  retentionDays: number
  purgeIntervalMs: number
  clock: () => Date
  logger: Logger
}

/** Purges now and on an interval (unref'd); returns the function that stops it. */
export function startRetention (store: IdempotencyStore, options: RetentionOptions): () => void {
  const purge = (): void => {
    const before = options.clock().getTime() - options.retentionDays * 86400000
    store.purge(before).then((purged) => {
      if (purged > 0) options.logger.info({ purged }, 'idempotency keys past their retention deleted')
    }, (err: unknown) => {
      options.logger.error({ err }, 'idempotency keys could not be purged')
    })
  }
  purge()
  const timer = setInterval(purge, options.purgeIntervalMs).unref()
  return () => { clearInterval(timer) }
}
