/**
 * The configuration file of `sne-gateway simulator --config FILE`: JSON, validated by ajv
 * (no unknown key, defaults from the schema, every error with its path), paths resolved
 * against the file's folder, frozen. The CLI turns it into `SimulatorOptions` and listen
 * addresses; command-line flags override it.
 */
import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { Ajv, type ErrorObject } from 'ajv'
import { codes } from './errors.js'
import { type FaultRuleInput, faultRuleSchema } from './faults.js'
import { describeSchemaErrors } from './schema-errors.js'

export interface SimulatorConfigFile {
  host: string
  port: number
  adminPort: number
  /** PEM file paths; absent: the dev PKI under certs/ */
  tls?: { cert: string, key: string, ca: string }
  dataFile?: string
  seed: number
  seedRandom: number
  bodyLimit?: number
  faults: FaultRuleInput[]
  publicUrl?: string
  /** the interface specification folder (default: the package's wsdl/) */
  specDir?: string
  logLevel: string
}

const port = { type: 'integer', minimum: 0, maximum: 65535 } as const

export const configFileSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    host: { type: 'string', minLength: 1, default: '127.0.0.1' },
    port: { ...port, default: 8444 },
    adminPort: { ...port, default: 8445 },
    tls: {
      type: 'object',
      additionalProperties: false,
      required: ['cert', 'key', 'ca'],
      properties: { cert: { type: 'string', minLength: 1 }, key: { type: 'string', minLength: 1 }, ca: { type: 'string', minLength: 1 } }
    },
    dataFile: { type: 'string', minLength: 1 },
    seed: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 },
    seedRandom: { type: 'integer', minimum: 0, maximum: 4_294_967_295, default: 1 },
    bodyLimit: { type: 'integer', minimum: 1024 },
    faults: { type: 'array', items: faultRuleSchema, default: [] },
    publicUrl: { type: 'string', minLength: 1 },
    specDir: { type: 'string', minLength: 1 },
    logLevel: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' }
  }
} as const

function describe (errors: ErrorObject[] | null | undefined): string {
  return describeSchemaErrors(errors, '(root)')
}

/** Validates a parsed configuration, applying defaults; `base` resolves relative paths. */
export function resolveConfigFile (raw: unknown, base: string): Readonly<SimulatorConfigFile> {
  const copy = structuredClone(raw ?? {})
  const validate = new Ajv({ allErrors: true, useDefaults: true }).compile<SimulatorConfigFile>(configFileSchema)
  if (!validate(copy)) throw new codes.GW_SIM_OPTIONS_INVALID(describe(validate.errors))
  const at = (p: string | undefined): string | undefined => (p === undefined || p === ':memory:' ? p : resolve(base, p))
  const config: SimulatorConfigFile = { ...copy }
  if (copy.tls !== undefined) config.tls = { cert: at(copy.tls.cert)!, key: at(copy.tls.key)!, ca: at(copy.tls.ca)! }
  if (copy.dataFile !== undefined) config.dataFile = at(copy.dataFile)!
  if (copy.specDir !== undefined) config.specDir = at(copy.specDir)!
  return Object.freeze(config)
}

/** Reads and validates a configuration file. */
export async function loadConfigFile (file: string): Promise<Readonly<SimulatorConfigFile>> {
  let raw: unknown
  try {
    raw = JSON.parse(await readFile(file, 'utf8'))
  } catch (err) {
    throw new codes.GW_SIM_OPTIONS_INVALID(`${file}: ${(err as Error).message}`, { cause: err })
  }
  return resolveConfigFile(raw, dirname(resolve(file)))
}
