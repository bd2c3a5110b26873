/**
 * The simulator's options: checked once, defaults applied, frozen. Everything JSON-shaped is
 * validated by one ajv schema (every error with its instancePath); the TLS material, which may
 * be Buffers, is checked by hand.
 */
import { Ajv, type ErrorObject } from 'ajv'
import { codes } from './errors.js'
import { type FaultRuleInput, faultRuleSchema } from './faults.js'
import { describeSchemaErrors } from './schema-errors.js'

/** PEM material: file contents, not paths (the CLI reads the files). */
export type Pem = string | Buffer

export interface SimulatorTlsOptions {
  /** the simulator's server certificate (chain) */
  cert: Pem
  key: Pem
  /** the CA that signs the client certificates the simulator accepts */
  ca: Pem | Pem[]
}

/** What `buildSimulator` accepts. */
export interface SimulatorOptions {
  tls: SimulatorTlsOptions
  /** SQLite file for the state; absent or ':memory:': in memory */
  dataFile?: string
  /** generate this many demandes at start when the store is empty (default 0) */
  seed?: number
  /** seed of the generator's PRNG, for reproducible demos (default 1) */
  seedRandom?: number
  /** largest request body, in bytes (default 10 MiB, the XML reader's document limit) */
  bodyLimit?: number
  /** fault rules active from the start */
  faults?: FaultRuleInput[]
  /**
   * the public base URL written as soap:address of the published WSDL
   * (default: from the request's Host header, https)
   */
  publicUrl?: string
}

/** The options after checking: defaults applied, frozen. */
export interface ResolvedSimulatorOptions {
  readonly tls: Readonly<SimulatorTlsOptions>
  readonly dataFile: string | undefined
  readonly seed: number
  readonly seedRandom: number
  readonly bodyLimit: number
  readonly faults: readonly FaultRuleInput[]
  readonly publicUrl: string | undefined
}

export const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['tls'],
  properties: {
    tls: { type: 'object' },
    dataFile: { type: 'string', minLength: 1 },
    seed: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 },
    seedRandom: { type: 'integer', minimum: 0, maximum: 4_294_967_295, default: 1 },
    bodyLimit: { type: 'integer', minimum: 1024, maximum: 1024 * 1024 * 1024, default: DEFAULT_BODY_LIMIT },
    faults: { type: 'array', items: faultRuleSchema, default: [] },
    publicUrl: { type: 'string', pattern: '^https?://[^\\s/?#]+(/[^\\s?#]*)?$' }
  }
} as const

function describe (errors: ErrorObject[] | null | undefined): string {
  return describeSchemaErrors(errors, '(options)')
}

function isPem (value: unknown): value is Pem {
  return (typeof value === 'string' || Buffer.isBuffer(value)) && value.length > 0
}

/**
 * Checks the options and applies the defaults. Throws GW_SIM_OPTIONS_INVALID listing every
 * problem with its path.
 */
export function resolveOptions (options: SimulatorOptions): ResolvedSimulatorOptions {
  // A shallow copy: ajv writes the defaults into what it validates, never into the caller's object.
  const copy: Record<string, unknown> = { ...options }
  const validate = new Ajv({ allErrors: true, useDefaults: true }).compile(schema)
  const problems: string[] = []
  if (!validate(copy)) problems.push(describe(validate.errors))
  const tls = options.tls as Partial<SimulatorTlsOptions> | undefined
  if (tls !== undefined && typeof tls === 'object') {
    for (const name of ['cert', 'key'] as const) {
      if (!isPem(tls[name])) problems.push(`/tls/${name} must be PEM text or a Buffer`)
    }
    const cas = Array.isArray(tls.ca) ? tls.ca : [tls.ca]
    if (cas.length === 0 || !cas.every(isPem)) problems.push('/tls/ca must be PEM text, a Buffer, or a non-empty array of them')
    const extra = Object.keys(tls).filter((k) => !['cert', 'key', 'ca'].includes(k))
    if (extra.length > 0) problems.push(`/tls must NOT have additional properties (${extra.join(', ')})`)
  }
  if (problems.length > 0) throw new codes.GW_SIM_OPTIONS_INVALID(problems.join('; '))
  return Object.freeze({
    tls: Object.freeze({ cert: tls!.cert!, key: tls!.key!, ca: tls!.ca! }),
    dataFile: copy.dataFile === ':memory:' ? undefined : copy.dataFile as string | undefined,
    seed: copy.seed as number,
    seedRandom: copy.seedRandom as number,
    bodyLimit: copy.bodyLimit as number,
    faults: Object.freeze((copy.faults as FaultRuleInput[]).map((f) => Object.freeze({ ...f }))),
    publicUrl: copy.publicUrl as string | undefined
  })
}
