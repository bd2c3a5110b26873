/**
 * Configuration errors. Each is raised at start, before anything listens; the CLI prints the
 * message and exits with status 1. No code is retired yet.
 */
import { createError, type GatewayError } from '../errors.js'

export const codes = {
  GW_CONFIG_NOT_READABLE: createError('GW_CONFIG_NOT_READABLE', 'configuration file %s cannot be read: %s', 500),
  GW_CONFIG_NOT_JSON: createError('GW_CONFIG_NOT_JSON', 'configuration file %s is not valid JSON: %s', 500),
  GW_CONFIG_MISSING_VARIABLE: createError('GW_CONFIG_MISSING_VARIABLE', 'configuration %s uses ${%s}, which is not set in the environment', 500),
  GW_CONFIG_BAD_ENV_VALUE: createError('GW_CONFIG_BAD_ENV_VALUE', 'environment variable %s: %s', 500),
  GW_CONFIG_INVALID: createError('GW_CONFIG_INVALID', 'invalid configuration:\n%s', 500),
  GW_CONFIG_UNKNOWN_OPERATION: createError('GW_CONFIG_UNKNOWN_OPERATION', '%s names operation %s, which the interface specification does not define (known: %s)', 500),
  GW_CONFIG_FILE_UNREADABLE: createError('GW_CONFIG_FILE_UNREADABLE', '%s: file %s cannot be read: %s', 500),
  GW_CONFIG_SECRET_WORLD_READABLE: createError('GW_CONFIG_SECRET_WORLD_READABLE', '%s: %s is readable by every user of the machine (mode %s): make it readable by the gateway only (chmod 600; Kubernetes secrets: defaultMode 0400)', 500),
  GW_CONFIG_RELOAD_NEEDS_RESTART: createError('GW_CONFIG_RELOAD_NEEDS_RESTART', 'reload refused, nothing changed: %s changed, which only a restart applies', 500),
  GW_CONFIG_NOT_PEM: createError('GW_CONFIG_NOT_PEM', '%s: file %s is not PEM (%s expected: a -----BEGIN …----- block)', 500),
  GW_CONFIG_KEY_MISMATCH: createError('GW_CONFIG_KEY_MISMATCH', '%s: the private key in %s is not the key of the certificate %s names (%s)', 500),
  GW_CONFIG_TLS_MATERIAL_INVALID: createError('GW_CONFIG_TLS_MATERIAL_INVALID', '%s (%s) and %s (%s): OpenSSL refuses this certificate and key (%s; a wrong passphrase is one cause)', 500),
  GW_CONFIG_LISTEN_FAILED: createError('GW_CONFIG_LISTEN_FAILED', '%s: cannot listen on %s: %s', 500),
  GW_CONFIG_BAD_TICKET_KEYS: createError('GW_CONFIG_BAD_TICKET_KEYS', '/dataPlane/tls/ticketKeys: file %s holds %d bytes, TLS session ticket keys are exactly 48', 500)
}

/** One problem of a configuration: where (a JSON pointer) and what. */
export interface ConfigIssue {
  instancePath: string
  message: string
}

/** A `GW_CONFIG_INVALID` error carrying every issue found, each with its path. */
export type ConfigInvalidError = GatewayError & { readonly issues: readonly ConfigIssue[] }

export function configInvalid (issues: readonly ConfigIssue[]): ConfigInvalidError {
  const list = issues.map((i) => `  ${i.instancePath === '' ? '/' : i.instancePath}: ${i.message}`).join('\n')
  return Object.assign(new codes.GW_CONFIG_INVALID(list), { issues })
}
