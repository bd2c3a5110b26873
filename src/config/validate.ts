/**
 * Validation of a configuration object: ajv against `configSchema` (no unknown key, defaults
 * applied, every error with its `instancePath`), then the cross-option rules, then deep-freeze.
 */
import { Ajv, type ErrorObject } from 'ajv'
import { configInvalid, type ConfigIssue } from './errors.js'
import { deepFreeze } from './freeze.js'
import { RULES } from './rules.js'
import { configSchema, type GatewayConfig } from './schema.js'

function describe (error: ErrorObject): ConfigIssue {
  const params = error.params as Record<string, unknown>
  if (error.keyword === 'additionalProperties') {
    return { instancePath: `${error.instancePath}/${String(params.additionalProperty)}`, message: 'is not a known option' }
  }
  if (error.keyword === 'propertyNames') {
    return { instancePath: `${error.instancePath}/${String(params.propertyName)}`, message: 'is not a valid name (lower-case letters, digits and -, starting with a letter, at most 32)' }
  }
  if (error.keyword === 'enum') {
    return { instancePath: error.instancePath, message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` }
  }
  return { instancePath: error.instancePath, message: error.message ?? error.keyword }
}

export type ConfigValidator = (input: unknown) => GatewayConfig

/**
 * Compiles the schema once and returns the validator. The input is cloned first: ajv writes the
 * defaults into the object it validates.
 */
export function createConfigValidator (): ConfigValidator {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true })
  const validate = ajv.compile(configSchema)
  return (input) => {
    const candidate = structuredClone(input)
    if (!validate(candidate)) {
      // propertyNames reports twice (the name, then the keyword): keep the informative one.
      const issues = (validate.errors ?? []).filter((e) => !(e.keyword === 'pattern' && e.propertyName !== undefined)).map(describe)
      throw configInvalid(issues)
    }
    const config = candidate as GatewayConfig
    const issues = RULES.flatMap((rule) => rule(config))
    if (issues.length > 0) throw configInvalid(issues)
    return deepFreeze(config)
  }
}
