/**
 * Typed errors with stable codes, in the manner of fastify's `lib/errors.js`.
 *
 * Every capability declares its errors in its own `errors.ts` with one prefix
 * (`GW_CONFIG_`, `GW_TLS_`, `GW_SOAP_`, `GW_SCHEMA_`, `GW_SPEC_`, `GW_PROXY_`, `GW_SIM_`, ...).
 * A code is never reused: retired codes are listed in a comment of the file that owned them.
 * `test/errors.test.ts` checks that every code is documented in `docs/errors.md` and that
 * every documented code exists.
 */
import { format } from 'node:util'

export interface GatewayErrorOptions {
  cause?: unknown
  /** when the client may try again: answered as `Retry-After` (whole seconds) */
  retryAfterSeconds?: number
  /** extension members of the problem+json answer (RFC 9457 §3.2), e.g. `errors`, `anomalies` */
  problem?: Record<string, unknown>
}

/** Base class of every error the project originates. */
export class GatewayError extends Error {
  readonly code: string
  readonly statusCode: number
  readonly retryAfterSeconds: number | undefined
  readonly problem: Record<string, unknown> | undefined

  constructor (code: string, message: string, statusCode: number, options?: GatewayErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'GatewayError'
    this.code = code
    this.statusCode = statusCode
    this.retryAfterSeconds = options?.retryAfterSeconds
    this.problem = options?.problem
  }
}

export interface GatewayErrorConstructor {
  new (...args: Array<string | number | GatewayErrorOptions>): GatewayError
  readonly code: string
  readonly statusCode: number
  readonly template: string
}

/**
 * Declares an error class. `template` is a `util.format` template: string and number
 * arguments fill its `%s`/`%d`; a trailing object argument is taken as `{ cause, retryAfterSeconds }`.
 */
export function createError (code: string, template: string, statusCode = 500): GatewayErrorConstructor {
  class Err extends GatewayError {
    static readonly code = code
    static readonly statusCode = statusCode
    static readonly template = template
    constructor (...args: Array<string | number | GatewayErrorOptions>) {
      const last = args.at(-1)
      const options = typeof last === 'object' ? (args.pop() as GatewayErrorOptions) : undefined
      super(code, args.length > 0 ? format(template, ...args) : template, statusCode, options)
    }
  }
  Object.defineProperty(Err, 'name', { value: code })
  return Err
}

/** True for an error this project created (any capability). */
export function isGatewayError (err: unknown): err is GatewayError {
  return err instanceof GatewayError
}
