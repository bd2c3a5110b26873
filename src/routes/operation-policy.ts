/**
 * Per-call policy, compiled once from the configuration and the interface specification: which
 * operation a request names (from its action, before any parsing), whether it is a read (retried
 * once on a connection-phase failure) or a write (never retried), and which validation mode applies.
 */
import { parseContentType } from '../soap/content-type.js'
import type { InterfaceSpec } from '../contract/types.js'
import type { GatewayConfig, ResponseValidation, ValidationMode } from '../config/schema.js'

/**
 * The operations that only read: everything else — getNumUnique (creations, updates,
 * radiations), declarationNouveauDalo, and any operation a new WSDL adds — is treated as a write.
 * An allowlist, so that an unknown operation is never retried.
 */
export const READ_OPERATIONS: ReadonlySet<string> = new Set([
  'getDemandeLogement',
  'getDoublons',
  'getNouveauxDaloDepuisLe',
  'getDemandesRadieesDepuisLe'
])

export interface OperationPolicy {
  /** the operation named by the request's action (content-type `action` or SOAPAction), if any */
  operationOf (contentType: string | undefined, soapAction: string | undefined): string | undefined
  isRead (operation: string | undefined): boolean
  /** the validation mode of an operation in an environment (operation, then environment, then global) */
  mode (env: string, operation: string | undefined): ValidationMode
  responses (env: string): ResponseValidation
}

function unquote (value: string): string {
  const v = value.trim()
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v
}

export function buildOperationPolicy (config: GatewayConfig, spec: InterfaceSpec): OperationPolicy {
  const byAction = new Map<string, string>()
  for (const op of spec.operations.values()) {
    byAction.set(op.action, op.name)
    // libsne writes the bare operation name as the root part's action (docs/sne-reference.md §2.1).
    byAction.set(op.name, op.name)
  }
  const envs = config.environments
  // One-entry memo of the last Content-Type's action: a client software sends the same MTOM
  // Content-Type on every call, and parsing it here as well as in validation showed in the
  // profile (bench/RESULTS.md). One entry, so client text cannot grow it.
  let lastContentType: string | undefined
  let lastAction: string | undefined
  const actionOf = (contentType: string): string | undefined => {
    if (contentType === lastContentType) return lastAction
    let action: string | undefined
    try {
      action = parseContentType(contentType).params.action
    } catch {
      // A malformed Content-Type is validation's business; here it only names no operation.
    }
    lastContentType = contentType
    lastAction = action
    return action
  }
  return {
    operationOf (contentType, soapAction) {
      let action = contentType === undefined ? undefined : actionOf(contentType)
      if (action === undefined && soapAction !== undefined) action = unquote(soapAction)
      return action === undefined ? undefined : byAction.get(action)
    },
    isRead: (operation) => operation !== undefined && READ_OPERATIONS.has(operation),
    mode (env, operation) {
      const validation = envs[env]?.validation
      return (operation === undefined ? undefined : validation?.operations[operation]) ?? validation?.mode ?? config.validation.mode
    },
    responses: (env) => envs[env]?.validation.responses ?? config.validation.responses
  }
}
