/**
 * What the data plane knows about the call in progress, kept on the request behind a symbol
 * (STYLE rule 5) and read once at the end for the access line and the metrics. Only identifiers
 * and measures: never message content.
 */
import type { SoapVersion } from '../soap/types.js'
import type { Outcome } from '../observability/metrics.js'
import type { BodyReservation } from '../limits/body-budget.js'

export const kCall = Symbol('sne-gateway.call')

export interface CallState {
  /** monotonic start, ms (performance.now) */
  readonly startedAt: number
  /** how errors are rendered: SOAP Fault or problem+json */
  format: 'soap' | 'json'
  env: string | undefined
  operation: string | undefined
  identity: string | undefined
  soapVersion: SoapVersion | undefined
  outcome: Outcome | undefined
  /** the gateway code answered (Fault subcode or problem code), if any */
  faultCode: string | undefined
  /** violation codes found (enforce: refused; report: forwarded anyway) */
  violations: string[]
  /** validation mode applied */
  mode: string | undefined
  /** the guichets the message acts for (numGuichet, file names), once read from it */
  guichets: string[] | undefined
  /** the upstream credential the call went with (`default` or a configured name) */
  credential: string | undefined
  /** the soapAction of the Body's operation, once identified: the SOAPAction sent upstream */
  expectedAction: string | undefined
  /** the client's own X-Request-Id, sanitized and bounded, logged beside the gateway's id */
  clientRequestId: string | undefined
  validationMs: number | undefined
  /** time to the upstream's response headers */
  upstreamMs: number | undefined
  upstreamStatus: number | undefined
  /** the upstream failure code, when the upstream failed */
  upstreamError: string | undefined
  bytesIn: number
  bytesOut: number
  /** the body bytes this call holds (routes/body-reader.ts), given back when the call ends */
  body: BodyReservation | undefined
}

declare module 'fastify' {
  interface FastifyRequest {
    [kCall]: CallState
  }
}

export function newCallState (startedAt: number): CallState {
  return {
    startedAt,
    format: 'soap',
    env: undefined,
    operation: undefined,
    identity: undefined,
    soapVersion: undefined,
    outcome: undefined,
    faultCode: undefined,
    violations: [],
    mode: undefined,
    guichets: undefined,
    credential: undefined,
    expectedAction: undefined,
    clientRequestId: undefined,
    validationMs: undefined,
    upstreamMs: undefined,
    upstreamStatus: undefined,
    upstreamError: undefined,
    bytesIn: 0,
    bytesOut: 0,
    body: undefined
  }
}
