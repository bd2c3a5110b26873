/** The configuration capability: schema and types, the loading pipeline, and the rules. */
export { configSchema, MOZILLA_INTERMEDIATE_CIPHERS, MOZILLA_INTERMEDIATE_CURVES } from './schema.js'
export type { GatewayConfig, EnvironmentConfig, UpstreamConfig, ValidationMode, ResponseValidation } from './schema.js'
export { loadConfig, resolveConfig, type LoadedConfig, type Env } from './load.js'
export { createConfigValidator } from './validate.js'
export { devConfig } from './dev.js'
export { GLOBAL_OVERRIDES, ENVIRONMENT_OVERRIDES, CONFIG_FILE_VARIABLE } from './env-overrides.js'
