/**
 * Environment overrides: `SNE_GATEWAY_…` variables that set one configuration option each, applied
 * after the file (containers and CI set ports, hosts and URLs this way). The mapping is a static
 * table, documented in docs/configuration.md; per-environment options use
 * `SNE_GATEWAY_ENV_<NAME>_<OPTION>` where `<NAME>` is the environment's name upper-cased with `-`
 * written `_`. Values are parsed by the option's type; ajv then validates the result like the file.
 */
import { isAbsolute, resolve } from 'node:path'
import { codes } from './errors.js'

type Kind = 'string' | 'integer' | 'integer-or-auto' | 'boolean' | 'list' | 'path' | 'sqlite-path'

interface Override {
  variable: string
  /** path in the configuration, as property names */
  path: readonly string[]
  kind: Kind
}

/** The variables that name the configuration file itself, not an option. */
export const CONFIG_FILE_VARIABLE = 'SNE_GATEWAY_CONFIG'

/** Global options settable from the environment: variable → option path and type. */
export const GLOBAL_OVERRIDES: readonly Override[] = [
  { variable: 'SNE_GATEWAY_DATA_PLANE_HOST', path: ['dataPlane', 'host'], kind: 'string' },
  { variable: 'SNE_GATEWAY_DATA_PLANE_PORT', path: ['dataPlane', 'port'], kind: 'integer' },
  { variable: 'SNE_GATEWAY_PUBLIC_URL', path: ['dataPlane', 'publicUrl'], kind: 'string' },
  { variable: 'SNE_GATEWAY_BODY_LIMIT', path: ['dataPlane', 'bodyLimit'], kind: 'integer' },
  { variable: 'SNE_GATEWAY_CONNECTIONS_PER_ADDRESS', path: ['dataPlane', 'connections', 'perAddress'], kind: 'integer' },
  { variable: 'SNE_GATEWAY_PROXY_PROTOCOL_ENABLED', path: ['dataPlane', 'proxyProtocol', 'enabled'], kind: 'boolean' },
  { variable: 'SNE_GATEWAY_PROXY_PROTOCOL_TRUSTED_ADDRESSES', path: ['dataPlane', 'proxyProtocol', 'trustedAddresses'], kind: 'list' },
  { variable: 'SNE_GATEWAY_TLS_CERT', path: ['dataPlane', 'tls', 'cert'], kind: 'path' },
  { variable: 'SNE_GATEWAY_TLS_KEY', path: ['dataPlane', 'tls', 'key'], kind: 'path' },
  { variable: 'SNE_GATEWAY_TLS_PASSPHRASE', path: ['dataPlane', 'tls', 'passphrase'], kind: 'string' },
  { variable: 'SNE_GATEWAY_TLS_CLIENT_CA', path: ['dataPlane', 'tls', 'clientCa'], kind: 'path' },
  { variable: 'SNE_GATEWAY_TLS_CLIENT_CRL', path: ['dataPlane', 'tls', 'clientCrl'], kind: 'path' },
  { variable: 'SNE_GATEWAY_TLS_CLIENT_CERTIFICATES', path: ['dataPlane', 'tls', 'clientCertificates'], kind: 'string' },
  { variable: 'SNE_GATEWAY_TLS_TICKET_KEYS', path: ['dataPlane', 'tls', 'ticketKeys'], kind: 'path' },
  { variable: 'SNE_GATEWAY_OPS_ENABLED', path: ['ops', 'enabled'], kind: 'boolean' },
  { variable: 'SNE_GATEWAY_OPS_HOST', path: ['ops', 'host'], kind: 'string' },
  { variable: 'SNE_GATEWAY_OPS_PORT', path: ['ops', 'port'], kind: 'integer' },
  { variable: 'SNE_GATEWAY_OPS_TOKEN_FILE', path: ['ops', 'tokenFile'], kind: 'path' },
  { variable: 'SNE_GATEWAY_LOG_LEVEL', path: ['log', 'level'], kind: 'string' },
  { variable: 'SNE_GATEWAY_LOG_FILE', path: ['log', 'file'], kind: 'path' },
  { variable: 'SNE_GATEWAY_AUDIT_FILE', path: ['audit', 'file'], kind: 'path' },
  { variable: 'SNE_GATEWAY_CENSUS_ENABLED', path: ['census', 'enabled'], kind: 'boolean' },
  { variable: 'SNE_GATEWAY_CENSUS_FILE', path: ['census', 'file'], kind: 'sqlite-path' },
  { variable: 'SNE_GATEWAY_IDEMPOTENCY_FILE', path: ['idempotency', 'file'], kind: 'sqlite-path' },
  { variable: 'SNE_GATEWAY_STORE_URL', path: ['store', 'url'], kind: 'string' },
  { variable: 'SNE_GATEWAY_SPEC_DIR', path: ['spec', 'dir'], kind: 'path' },
  { variable: 'SNE_GATEWAY_VALIDATION_MODE', path: ['validation', 'mode'], kind: 'string' },
  { variable: 'SNE_GATEWAY_RESPONSE_VALIDATION', path: ['validation', 'responses'], kind: 'string' },
  { variable: 'SNE_GATEWAY_VALIDATION_WORKERS', path: ['validation', 'workers'], kind: 'integer-or-auto' },
  { variable: 'SNE_GATEWAY_VALIDATION_INLINE_BELOW', path: ['validation', 'inlineBelow'], kind: 'integer' },
  { variable: 'SNE_GATEWAY_DRAIN_TIMEOUT_MS', path: ['shutdown', 'drainTimeoutMs'], kind: 'integer' }
]

/** Per-environment options: `SNE_GATEWAY_ENV_<NAME>_` + suffix → option path under the environment. */
export const ENVIRONMENT_OVERRIDES: ReadonlyArray<{ suffix: string, path: readonly string[], kind: Kind }> = [
  { suffix: 'ENABLED', path: ['enabled'], kind: 'boolean' },
  { suffix: 'UPSTREAM_URL', path: ['upstream', 'url'], kind: 'string' },
  { suffix: 'UPSTREAM_CA', path: ['upstream', 'ca'], kind: 'path' },
  { suffix: 'UPSTREAM_CERT', path: ['upstream', 'cert'], kind: 'path' },
  { suffix: 'UPSTREAM_KEY', path: ['upstream', 'key'], kind: 'path' },
  { suffix: 'UPSTREAM_PASSPHRASE', path: ['upstream', 'passphrase'], kind: 'string' },
  { suffix: 'UPSTREAM_SERVERNAME', path: ['upstream', 'servername'], kind: 'string' },
  { suffix: 'HOSTNAMES', path: ['hostnames'], kind: 'list' },
  { suffix: 'ALLOWED_IDENTITIES', path: ['allowedIdentities'], kind: 'list' },
  { suffix: 'VALIDATION_MODE', path: ['validation', 'mode'], kind: 'string' }
]

// Longest suffix first, so that `…_UPSTREAM_URL` is never read as an environment named `…_UPSTREAM`.
const BY_LONGEST_SUFFIX = [...ENVIRONMENT_OVERRIDES].sort((a, b) => b.suffix.length - a.suffix.length)
const PREFIX = 'SNE_GATEWAY_'
const ENV_PREFIX = 'SNE_GATEWAY_ENV_'

/** SQLite's name for a database kept in memory: never a path, whatever the option's folder. */
export const IN_MEMORY = ':memory:'

function parse (variable: string, raw: string, kind: Kind, cwd: string): unknown {
  switch (kind) {
    case 'integer':
      if (!/^[0-9]{1,15}$/.test(raw)) throw new codes.GW_CONFIG_BAD_ENV_VALUE(variable, `'${raw}' is not a non-negative integer`)
      return Number(raw)
    case 'integer-or-auto':
      if (raw === 'auto') return raw
      if (!/^[0-9]{1,15}$/.test(raw)) throw new codes.GW_CONFIG_BAD_ENV_VALUE(variable, `'${raw}' is neither auto nor a non-negative integer`)
      return Number(raw)
    case 'boolean':
      if (raw !== 'true' && raw !== 'false') throw new codes.GW_CONFIG_BAD_ENV_VALUE(variable, `'${raw}' is not true or false`)
      return raw === 'true'
    case 'list':
      return raw.split(',').map((s) => s.trim()).filter((s) => s !== '')
    case 'path':
    case 'sqlite-path':
      // SQLite's in-memory database is a name, not a path.
      if (kind === 'sqlite-path' && raw === IN_MEMORY) return raw
      // Relative to the working directory, as a shell user expects (file paths are relative to the file).
      return isAbsolute(raw) ? raw : resolve(cwd, raw)
    default:
      return raw
  }
}

function setPath (target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target
  for (const key of path.slice(0, -1)) {
    const next = node[key]
    if (next === undefined) {
      const created: Record<string, unknown> = {}
      node[key] = created
      node = created
    } else if (next !== null && typeof next === 'object' && !Array.isArray(next)) {
      node = next as Record<string, unknown>
    } else {
      // Leave the wrong type in place: ajv reports it with its path.
      return
    }
  }
  node[path.at(-1) as string] = value
}

export interface OverrideResult {
  /** the configuration with every override applied (a new object; the input is not modified) */
  config: Record<string, unknown>
  /** the variables applied, for the start log line (names only: values may be secrets) */
  applied: string[]
  /** `SNE_GATEWAY_` variables that match no option: probably typos */
  unknown: string[]
}

/**
 * Applies every `SNE_GATEWAY_…` override found in `env` to `config`. Per-environment variables
 * address environments by name, including one that the file does not define (the result then
 * fails validation with the missing options' paths).
 */
export function applyEnvOverrides (config: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>, cwd: string): OverrideResult {
  const out = structuredClone(config)
  const applied: string[] = []
  const unknown: string[] = []
  const globals = new Map(GLOBAL_OVERRIDES.map((o) => [o.variable, o]))
  const envNames = new Map<string, string>()
  const configured = out.environments
  if (configured !== null && typeof configured === 'object') {
    for (const name of Object.keys(configured)) envNames.set(name.toUpperCase().replaceAll('-', '_'), name)
  }

  for (const variable of Object.keys(env).filter((v) => v.startsWith(PREFIX)).sort()) {
    const raw = env[variable]
    if (raw === undefined || variable === CONFIG_FILE_VARIABLE) continue
    const global = globals.get(variable)
    if (global !== undefined) {
      setPath(out, global.path, parse(variable, raw, global.kind, cwd))
      applied.push(variable)
      continue
    }
    const perEnv = variable.startsWith(ENV_PREFIX)
      ? BY_LONGEST_SUFFIX.find((o) => variable.endsWith(`_${o.suffix}`) && variable.length > ENV_PREFIX.length + o.suffix.length + 1)
      : undefined
    if (perEnv === undefined) {
      unknown.push(variable)
      continue
    }
    const upper = variable.slice(ENV_PREFIX.length, -(perEnv.suffix.length + 1))
    const name = envNames.get(upper) ?? upper.toLowerCase().replaceAll('_', '-')
    setPath(out, ['environments', name, ...perEnv.path], parse(variable, raw, perEnv.kind, cwd))
    applied.push(variable)
  }
  return { config: out, applied, unknown }
}
