/**
 * Per-call policy, compiled once from the configuration and the interface specification: whether
 * an operation is a read (retried once on a connection-phase failure) or a write (never
 * retried), and which validation mode applies. The operation is always the one of the message's
 * Body, read by the validation: never what the client declares (content-type action, SOAPAction).
 */
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
  isRead (operation: string | undefined): boolean
  /** the validation mode of an operation in an environment (operation, then environment, then global) */
  mode (env: string, operation: string | undefined): ValidationMode
  /** true when every operation of the environment is in mode `off`: its calls are only identified, not validated */
  identifyOnly (env: string): boolean
  responses (env: string): ResponseValidation
}

export function buildOperationPolicy (config: GatewayConfig, spec: InterfaceSpec): OperationPolicy {
  const envs = config.environments
  const mode = (env: string, operation: string | undefined): ValidationMode => {
    const validation = envs[env]?.validation
    return (operation === undefined ? undefined : validation?.operations[operation]) ?? validation?.mode ?? config.validation.mode
  }
  const allOff = new Set<string>()
  for (const env of Object.keys(envs)) {
    if ([undefined, ...spec.operations.keys()].every((op) => mode(env, op) === 'off')) allOff.add(env)
  }
  return {
    isRead: (operation) => operation !== undefined && READ_OPERATIONS.has(operation),
    mode,
    identifyOnly: (env) => allOff.has(env),
    responses: (env) => envs[env]?.validation.responses ?? config.validation.responses
  }
}
