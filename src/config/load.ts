/**
 * The configuration pipeline (in the manner of platformatic's): read the file → replace `${VAR}`
 * placeholders → resolve relative file paths against the file's folder → apply `SNE_GATEWAY_…`
 * environment overrides → ajv + rules → deep-freeze. The environment and working directory are
 * arguments: only the CLI reads `process.env`.
 */
import { readFile } from 'node:fs/promises'
import { dirname, isAbsolute, resolve } from 'node:path'
import { applyEnvOverrides, IN_MEMORY } from './env-overrides.js'
import { codes } from './errors.js'
import { replacePlaceholders } from './placeholders.js'
import type { GatewayConfig } from './schema.js'
import { createConfigValidator } from './validate.js'

export type Env = Readonly<Record<string, string | undefined>>

/** Options that name files, relative to the configuration file's folder when not absolute (`*` = any environment). */
export const FILE_OPTIONS: readonly (readonly string[])[] = [
  ['dataPlane', 'tls', 'cert'],
  ['dataPlane', 'tls', 'key'],
  ['dataPlane', 'tls', 'clientCa'],
  ['dataPlane', 'tls', 'passphraseFile'],
  ['dataPlane', 'tls', 'clientCrl'],
  ['dataPlane', 'tls', 'ticketKeys'],
  ['log', 'file'],
  ['audit', 'file'],
  ['census', 'file'],
  ['idempotency', 'file'],
  ['spec', 'dir'],
  ['environments', '*', 'upstream', 'ca'],
  ['environments', '*', 'upstream', 'cert'],
  ['environments', '*', 'upstream', 'key'],
  ['environments', '*', 'upstream', 'passphraseFile'],
  ['environments', '*', 'messageCertificates', '*', 'cert'],
  ['environments', '*', 'upstream', 'credentials', '*', 'cert'],
  ['environments', '*', 'upstream', 'credentials', '*', 'key'],
  ['environments', '*', 'upstream', 'credentials', '*', 'passphraseFile']
]

/** The file options that name a SQLite database, where `IN_MEMORY` is a value of its own. */
export const SQLITE_FILE_OPTIONS: readonly (readonly string[])[] = [['census', 'file'], ['idempotency', 'file']]

function resolveAt (node: unknown, path: readonly string[], base: string, sqlite: boolean): void {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return
  const record = node as Record<string, unknown>
  const [head, ...rest] = path
  if (head === undefined) return
  const keys = head === '*' ? Object.keys(record) : [head]
  for (const key of keys) {
    if (!Object.hasOwn(record, key)) continue
    const value = record[key]
    if (rest.length > 0) resolveAt(value, rest, base, sqlite)
    else if (typeof value === 'string' && value !== '' && !isAbsolute(value) && !(sqlite && value === IN_MEMORY)) record[key] = resolve(base, value)
  }
}

/** Resolves every file option of `config` (in place) against `base`; a SQLite option's `:memory:` stays as it is. */
export function resolveFileOptions (config: Record<string, unknown>, base: string): void {
  for (const path of FILE_OPTIONS) resolveAt(config, path, base, SQLITE_FILE_OPTIONS.some((p) => p.join('.') === path.join('.')))
}

export interface ResolveOptions {
  env: Env
  /** working directory: base of paths given in environment variables */
  cwd: string
  /** base of relative paths found in `raw` (the configuration file's folder) */
  baseDir: string
}

export interface LoadedConfig {
  config: GatewayConfig
  /** the file read, or undefined for a configuration built in code (`npm start` with no file) */
  file: string | undefined
  /** names of the environment variables applied */
  overrides: string[]
  /** `SNE_GATEWAY_…` variables that match no option (the CLI warns about them) */
  unknownVariables: string[]
}

/** Runs the pipeline on an already-parsed configuration object. */
export function resolveConfig (raw: unknown, options: ResolveOptions): Omit<LoadedConfig, 'file'> {
  const replaced = replacePlaceholders(raw, options.env)
  if (replaced === null || typeof replaced !== 'object' || Array.isArray(replaced)) {
    return { config: createConfigValidator()(replaced), overrides: [], unknownVariables: [] }
  }
  const record = replaced as Record<string, unknown>
  resolveFileOptions(record, options.baseDir)
  const { config, applied, unknown } = applyEnvOverrides(record, options.env, options.cwd)
  return { config: createConfigValidator()(config), overrides: applied, unknownVariables: unknown }
}

/** Reads, resolves and validates the configuration file `file`. */
export async function loadConfig (file: string, options: { env: Env, cwd: string }): Promise<LoadedConfig> {
  const path = resolve(options.cwd, file)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new codes.GW_CONFIG_NOT_READABLE(path, (err as Error).message, { cause: err })
  }
  let raw: unknown
  try {
    // A BOM is tolerated: editors on Windows add one.
    raw = JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch (err) {
    throw new codes.GW_CONFIG_NOT_JSON(path, (err as Error).message, { cause: err })
  }
  return { ...resolveConfig(raw, { env: options.env, cwd: options.cwd, baseDir: dirname(path) }), file: path }
}
