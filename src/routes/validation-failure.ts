/**
 * A message refused by validation: carries every violation found. Its code is the first
 * violation's (so that a single problem is named by the Fault subcode itself) and its HTTP status
 * that code's (413 for a document too large, 415 for a media type, 400 otherwise). Its message,
 * the Fault Reason, is the first violation's code and message: a SOAP client's default exception
 * text (zeep's, JAX-WS's, PHP's) is then what is wrong, not where to look for it.
 */
import { GatewayError } from '../errors.js'
import type { Violation } from '../soap/types.js'

export class ValidationFailure extends GatewayError {
  readonly violations: readonly Violation[]

  constructor (violations: readonly Violation[], statusOf: (code: string) => number) {
    const first = violations[0]
    const code = first?.code ?? 'GW_SOAP_ENVELOPE_STRUCTURE'
    super(code, reasonOf(violations), statusOf(code))
    this.violations = violations
  }
}

/**
 * What the Reason adds when its violation quotes a value masked to its shape (contract/ masks
 * them in every proxied call: personal data never reaches a Fault or a log), lest an integrator
 * read `'9999-99-99'` as what was sent. Each such violation of the Detail says so too
 * (`valuesMasked`). Validate-only answers the values as sent, and says nothing.
 */
export const MASKED_VALUES_NOTE = 'values are shown masked to their shape: letters as A or a, digits as 9'

/** Whether the violation's message quotes a value, masked. */
export function quotesMaskedValue (v: Violation): boolean {
  return v.valuesMasked === true
}

/** `CODE: message`, whether its value is masked, and how many more violations the Detail lists. */
export function reasonOf (violations: readonly Violation[]): string {
  const first = violations[0]
  if (first === undefined) return 'the message is not valid'
  const masked = quotesMaskedValue(first) ? ` (${MASKED_VALUES_NOTE})` : ''
  const more = violations.length > 1 ? ` (and ${violations.length - 1} more violation(s) in the Detail)` : ''
  return `${first.code}: ${first.message}${masked}${more}`
}

/** Builds `statusOf` from error registries (`codes` objects of the capabilities): unknown codes are 400. */
export function statusLookup (...registries: Array<Record<string, { statusCode: number }>>): (code: string) => number {
  const statuses = new Map<string, number>()
  for (const registry of registries) {
    for (const [code, Err] of Object.entries(registry)) statuses.set(code, Err.statusCode)
  }
  return (code) => {
    const status = statuses.get(code)
    // Only client statuses: a violation is always the client's message.
    return status !== undefined && status >= 400 && status < 500 ? status : 400
  }
}
