/**
 * What the data plane needs from a message's validation, and the two ways of getting it: inline
 * on the calling thread, or from a pool of worker threads (`validation-pool.ts`). A check is the
 * small, structured-cloneable part of a `ValidationResult`: the decoded message and documents stay
 * where they were decoded.
 */
import { FILE_NAME_ELEMENT } from './message-validator.js'
import type { SoapVersion, Violation, XmlElement } from '../soap/types.js'
import type { InterfaceSpec, ValidateOptions, ValidationResult } from './types.js'
import type { GuichetFacts } from './guichet-facts.js'

export interface MessageCheck {
  /** the operation name when it could be identified */
  operation: string | undefined
  soapVersion: SoapVersion | undefined
  /** empty when the message is valid */
  violations: Violation[]
  /** the request's nomFichierDemande when it has the shape of one (for audit records), else undefined */
  fileName: string | undefined
  /** what the message says of guichets (undefined when its operation could not be identified) */
  guichets: GuichetFacts | undefined
}

/**
 * How to check: `identifyOnly` decodes and identifies the message only, no XSD nor rules
 * (validation mode off); `showValues` quotes its values in schema messages as they are
 * (validate-only). See `ValidateOptions`.
 */
export type CheckOptions = Pick<ValidateOptions, 'identifyOnly' | 'showValues'>

/** Validates messages; `check` never rejects for a bad message (that is a violation), only when validation itself failed. */
export interface MessageChecker {
  check (bytes: Buffer, contentType: string | undefined, soapAction: string | undefined, options?: CheckOptions): Promise<MessageCheck>
  /** worker threads doing the work; 0 when checks run inline */
  readonly workers: number
  /** checks so far, by where they ran: on the calling thread, or sent to a worker */
  readonly checked: Readonly<{ inline: number, worker: number }>
  /** stops the workers, if any; pending checks are rejected */
  close (): Promise<void>
}

/** A guichet code and a timestamp: nothing personal, safe in an audit record. */
const FILE_NAME_SHAPE = /^[A-Za-z0-9._-]{1,80}$/

/** The payload's nomFichierDemande when it has the shape of one (see `MessageCheck.fileName`). */
export function fileNameOf (payload: XmlElement | undefined): string | undefined {
  const name = payload?.children.find((c) => c.local === FILE_NAME_ELEMENT)?.text.trim()
  return name !== undefined && FILE_NAME_SHAPE.test(name) ? name : undefined
}

/** The check of a validation result. */
export function checkOf (result: ValidationResult): MessageCheck {
  return {
    operation: result.operation,
    soapVersion: result.soapVersion,
    violations: result.violations,
    fileName: fileNameOf(result.message?.payload),
    guichets: result.guichets
  }
}

/** The check of `bytes`, made on the calling thread with `spec`. */
export function checkHere (spec: InterfaceSpec, bytes: Buffer, contentType: string | undefined, soapAction: string | undefined, options: CheckOptions = {}): MessageCheck {
  return checkOf(spec.validateMessage(bytes, contentType, soapAction === undefined ? options : { ...options, soapAction }))
}

/** Checks on the calling thread, with `spec`. */
export function inlineChecker (spec: InterfaceSpec): MessageChecker {
  const checked = { inline: 0, worker: 0 }
  return {
    workers: 0,
    checked,
    async check (bytes, contentType, soapAction, options = {}) {
      checked.inline++
      return checkHere(spec, bytes, contentType, soapAction, options)
    },
    async close () {}
  }
}
