/**
 * The lifecycle of a demande as pure rules over dates (docs/sne-reference.md §8): validity, the radiation
 * for non-renewal, the réactivation windows, the purge of radiated demandes, and which step is
 * allowed in which state. No storage and no XML here: `demande-service.ts` applies the results.
 *
 * Windows marked [F] come from the cahier des charges of the systèmes particuliers (docs/sne-reference.md §8,
 * S5); those marked [M] are our model, documented in docs/simulator.md.
 */
import { type Anomaly, anomaly } from './anomalies.js'
import { addMonths } from './clock.js'
import type { DemandeStatus } from './store.js'

/** A demande is valid one year from its creation or last renewal [F R441-2-7]. */
export const VALIDITY_MONTHS = 12

/** A non-renewed demande is radiated one month after its validity ends, t+13 months [F docs/sne-reference.md, source S5]. */
export const NON_RENEWAL_GRACE_MONTHS = 1

/** Radiated demandes are kept one year, then erased [F docs/sne-reference.md, source S5]. */
export const PURGE_AFTER_MONTHS = 12

/**
 * The guichet code written on events the SNE records by itself (the radiation for
 * non-renewal): no real guichet is G0000 [M].
 */
export const SYSTEM_GUICHET = 'G0000'

export type RadiationMotif = 'RADABA' | 'RADATT' | 'RADIRR' | 'RADCON' | 'RADREN'

export const RADIATION_MOTIFS: readonly RadiationMotif[] = ['RADABA', 'RADATT', 'RADIRR', 'RADCON', 'RADREN']

/** How long a radiated demande can be re-activated, counted from its radiation or from the end of its validity. */
export interface ReactivationWindow {
  from: 'radiation' | 'validity'
  months: number
}

/** Réactivation windows by radiation motif; absent: never re-activable. */
export const REACTIVATION_WINDOWS: Readonly<Record<RadiationMotif, ReactivationWindow | undefined>> = {
  // [F docs/sne-reference.md, source S5] radiated at t+13 months, re-activable until t+18: six months after the end of validity
  RADREN: { from: 'validity', months: 6 },
  // [F docs/sne-reference.md, source S5] no answer to a letter: re-activable for five months after the radiation
  RADCON: { from: 'radiation', months: 5 },
  // [M] a renunciation recorded by mistake can be undone within one month
  RADABA: { from: 'radiation', months: 1 },
  // [M] the irrecevabilité is a CAL decision: re-activable within the two months of a recours (CJA R421-1)
  RADIRR: { from: 'radiation', months: 2 },
  // [M] the lease is signed: a new demande is needed
  RADATT: undefined
}

/** The dates of a demande the rules look at. */
export interface LifecycleState {
  nu: string
  status: DemandeStatus
  /** last day of validity, YYYY-MM-DD */
  validUntil: string
  radiationMotif: string | undefined
  /** ISO UTC instant of the radiation */
  radiatedAt: string | undefined
}

/** The last day of validity of a demande created or renewed on `from`. */
export function validityEnd (from: string): string {
  return addMonths(from, VALIDITY_MONTHS)
}

/** The day a demande whose validity ends on `validUntil` is radiated for non-renewal. */
export function nonRenewalRadiationDay (validUntil: string): string {
  return addMonths(validUntil, NON_RENEWAL_GRACE_MONTHS)
}

/** True when an active demande is due for the automatic radiation for non-renewal on `today`. */
export function dueForNonRenewalRadiation (state: LifecycleState, today: string): boolean {
  return state.status === 'ACTIVE' && today >= nonRenewalRadiationDay(state.validUntil)
}

/** True when a radiated demande has been kept long enough to be erased. */
export function dueForPurge (state: LifecycleState, today: string): boolean {
  return state.status === 'RADIEE' && state.radiatedAt !== undefined &&
    today >= addMonths(state.radiatedAt.slice(0, 10), PURGE_AFTER_MONTHS)
}

/** The last day a radiated demande can be re-activated, or undefined when it never can. */
export function reactivationDeadline (state: LifecycleState): string | undefined {
  const window = REACTIVATION_WINDOWS[state.radiationMotif as RadiationMotif]
  if (window === undefined || state.radiatedAt === undefined) return undefined
  const from = window.from === 'validity' ? state.validUntil : state.radiatedAt.slice(0, 10)
  return addMonths(from, window.months)
}

/** The steps a guichet can ask for on an existing demande. */
export type Step = 'MOD' | 'REN' | 'RAD' | 'REACTIVATION' | 'SUP' | 'DALO'

/**
 * Whether `step` is allowed on the demande on `today`: undefined when it is, else the anomaly
 * the SNE answers. `motif` is the radiation motif of a RAD.
 */
export function checkStep (state: LifecycleState, step: Step, today: string, motif?: string): Anomaly | undefined {
  const nu = state.nu
  if (state.status === 'SUPPRIMEE') return anomaly('CTRL_DEM_0002', { nu })
  switch (step) {
    case 'MOD':
    case 'REN':
      return state.status === 'RADIEE' ? anomaly('CTRL_DEM_0009', { nu }) : undefined
    case 'DALO':
      return state.status === 'RADIEE' ? anomaly('CTRL_DEM_0020', { nu }) : undefined
    case 'SUP':
      return undefined
    case 'RAD':
      if (motif === undefined || motif === '') return anomaly('CTRL_DEM_0015')
      if (state.status === 'RADIEE') return anomaly('CTRL_DEM_0010', { nu })
      // A guichet radiates for non-renewal only a demande whose validity has ended.
      if (motif === 'RADREN' && today <= state.validUntil) return anomaly('CTRL_DEM_0014', { nu, validUntil: state.validUntil })
      return undefined
    case 'REACTIVATION': {
      if (state.status !== 'RADIEE') return anomaly('CTRL_DEM_0011', { nu })
      const deadline = reactivationDeadline(state)
      if (deadline === undefined) return anomaly('CTRL_DEM_0013', { motif: state.radiationMotif ?? '' })
      return today > deadline ? anomaly('CTRL_DEM_0012', { nu, motif: state.radiationMotif ?? '', deadline }) : undefined
    }
  }
}
