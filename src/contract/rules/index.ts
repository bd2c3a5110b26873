/**
 * The interface rules that XSD cannot express, run in this order after XSD validation. Each
 * is a pure function of the document (see its file for the source of the rule) with a stable
 * GW_SPEC_ code documented in docs/errors.md.
 */
import { attributionRequired, radiationMotifRequired, sousMotifRequired } from './radiation.js'
import { communesLimit } from './communes-limit.js'
import { guichetMatchesFileName } from './guichet-matches-file-name.js'
import { noFutureDate } from './no-future-date.js'
import { numUniqueRequired } from './num-unique-required.js'
import type { Rule, RuleContext } from './types.js'
import type { Violation } from '../../soap/types.js'

export type { Rule, RuleContext } from './types.js'
export { versionOfDocument } from './version-supported.js'

export const rules: readonly Rule[] = [
  numUniqueRequired,
  radiationMotifRequired,
  sousMotifRequired,
  attributionRequired,
  guichetMatchesFileName,
  communesLimit,
  noFutureDate
]

/** Runs every rule on one document. */
export function runRules (ctx: RuleContext): Violation[] {
  return rules.flatMap((rule) => rule(ctx))
}
