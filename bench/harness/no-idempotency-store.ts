/**
 * An idempotency store that records nothing: every key is new, every update applies. The baseline
 * of the in-process REST benches: the protocol's own code (key parsing, RFC 8785 fingerprint)
 * still runs, the store's statements and fsyncs do not.
 */
import type { IdempotencyStore } from '../../src/idempotency/store.js'

export const noStore: IdempotencyStore = {
  begin: async () => ({ created: true }),
  update: async () => true,
  takeOver: async () => true,
  release: async () => {},
  get: async () => undefined,
  unknownOutcomes: async () => [],
  purge: async () => 0,
  close: async () => {}
}
