/**
 * One line for the ajv errors of the simulator's options, configuration file and fault rules: each
 * error at its path, and an unknown key named (`/faults/0: unknown key 'extra'`), not ajv's bare
 * "must NOT have additional properties".
 */
import type { ErrorObject } from 'ajv'

export function describeSchemaErrors (errors: ErrorObject[] | null | undefined, root: string): string {
  return (errors ?? []).map((e) => {
    const at = e.instancePath === '' ? root : e.instancePath
    if (e.keyword === 'additionalProperties') return `${at} has unknown key '${String((e.params as { additionalProperty?: unknown }).additionalProperty)}' (must NOT have additional properties)`
    return `${at} ${e.message ?? ''}`
  }).join('; ')
}
