/**
 * What falls due with time alone (docs/sne-reference.md §8): the radiation for non-renewal one month after
 * the end of validity, and the erasure of radiated demandes a year after their radiation. Applied
 * when a demande is touched, and on the whole base before the "depuis le" queries, each dated the
 * day it fell due rather than the day it was noticed.
 */
import { addMonths, toDate, toDateTime } from './clock.js'
import { DEMANDE_ORDER, coded, leaf, withChildren } from './demande-tree.js'
import { PURGE_AFTER_MONTHS, SYSTEM_GUICHET, dueForNonRenewalRadiation, dueForPurge, nonRenewalRadiationDay } from './lifecycle.js'
import type { DemandeRecord, SimulatorStore } from './store.js'

export interface DueSteps {
  /** applies what is due on one demande; undefined when it is (or now is) gone */
  refresh (nu: string, now: Date): DemandeRecord | undefined
  /** applies what is due on every demande */
  sweep (now: Date): void
}

export function createDueSteps (store: SimulatorStore): DueSteps {
  /** Applies what is due on one demande (radiation for non-renewal, purge); undefined when gone. */
  function refresh (nu: string, now: Date): DemandeRecord | undefined {
    const today = toDate(now)
    const record = store.get(nu)
    if (record === undefined) return undefined
    if (!dueForNonRenewalRadiation(record, today) && !dueForPurge(record, today)) return record
    return store.transaction(() => {
      let current = store.get(nu)
      if (current === undefined) return undefined
      if (dueForNonRenewalRadiation(current, today)) {
        const day = nonRenewalRadiationDay(current.validUntil)
        const instant = `${day}T00:00:00.000Z`
        current = {
          ...current,
          status: 'RADIEE',
          radiationMotif: 'RADREN',
          radiatedAt: instant,
          updatedAt: toDateTime(now),
          content: withChildren(current.content, DEMANDE_ORDER, {
            radiation: { name: 'radiation', children: [coded('motif', 'RADREN'), leaf('dateRadiation', day)] }
          })
        }
        store.update(current)
        store.addEvent(nu, { code: 'EVT_RADIATION', at: instant, guichet: SYSTEM_GUICHET })
      }
      if (dueForPurge(current, today)) {
        store.purge(nu)
        return undefined
      }
      return current
    })
  }

  function sweep (now: Date): void {
    const today = toDate(now)
    for (const nu of store.activeExpiredBefore(today)) refresh(nu, now)
    // Purge candidates: radiated a little less than PURGE_AFTER_MONTHS ago or earlier; refresh decides exactly.
    const cutoff = `${addMonths(today, -(PURGE_AFTER_MONTHS - 1))}T00:00:00.000Z`
    for (const nu of store.radiatedBefore(cutoff)) refresh(nu, now)
  }

  return { refresh, sweep }
}
