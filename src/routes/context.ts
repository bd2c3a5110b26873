/**
 * Everything the data plane's routes use, built once by `buildGateway` and passed to each route
 * plugin as its options (no decorators needed: the routes are the only users).
 */
import type { Logger } from 'pino'
import type { GatewayConfig } from '../config/schema.js'
import type { AuditLog } from '../observability/audit.js'
import type { GatewayMetrics } from '../observability/metrics.js'
import type { Upstreams } from '../proxy/upstreams.js'
import type { MessageChecker } from '../contract/message-check.js'
import type { InterfaceSpec } from '../contract/types.js'
import type { EnvironmentAccess } from './environment-access.js'
import type { GuichetAuthorization } from '../guichets/authorization.js'
import type { OperationPolicy } from './operation-policy.js'
import type { BodyBudget } from '../limits/body-budget.js'
import type { CallLimits } from './call-limits.js'
import type { RestContext } from '../rest/rest-routes.js'

export interface DataPlaneContext {
  config: GatewayConfig
  spec: InterfaceSpec
  upstreams: Upstreams
  /** validates request messages, inline or on worker threads */
  checker: MessageChecker
  access: EnvironmentAccess
  policy: OperationPolicy
  /** who may act for which guichet, decided from the message */
  guichets: GuichetAuthorization
  /** rate and concurrency per identity and per guichet, per environment */
  limits: CallLimits
  /** the request-body bytes held, per identity and in total */
  bodyBudget: BodyBudget
  /** the caller's certificate identity, from the request's socket */
  identityOf: (socket: unknown) => string | undefined
  metrics: GatewayMetrics
  audit: AuditLog
  /** HTTP status of a violation code (413, 415, else 400) */
  statusOf: (code: string) => number
  /**
   * Writes the access lines: a child of the process logger without redaction, because an access
   * line holds allowlisted identifiers and measures only, and the wildcard redaction paths cost a
   * walk of every logged object (about 1.5% of the gateway's CPU under load, bench/RESULTS.md).
   */
  accessLog: Logger
  /** monotonic milliseconds, for durations */
  now: () => number
  /** the REST API's contract, message builder and message certificates */
  rest: RestContext
}
