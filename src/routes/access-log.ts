/**
 * One access line and one set of metrics per data-plane call, written when the response closes
 * (delivered or not). Fields are identifiers and measures only — request id, environment,
 * operation, client identity, status, outcome, violation codes, bytes, durations — never bodies,
 * headers beyond the logged allowlist, or anything a message contains.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Logger } from 'pino'
import type { GatewayMetrics } from '../observability/metrics.js'
import { clientAddressOf } from '../tls/client-address.js'
import { kCall, type CallState } from './call-state.js'

const round = (ms: number | undefined): number | undefined => ms === undefined ? undefined : Math.round(ms * 1000) / 1000

export function accessLine (request: FastifyRequest, reply: FastifyReply, state: CallState, durationMs: number): Record<string, unknown> {
  return {
    access: true,
    reqId: request.id,
    clientRequestId: state.clientRequestId,
    method: request.method,
    path: request.url.split('?')[0],
    env: state.env,
    operation: state.operation,
    identity: state.identity,
    guichets: state.guichets,
    credential: state.credential,
    // Not request.ip: behind a balancer sending PROXY headers, the socket's peer is the balancer.
    remoteAddress: clientAddressOf(request.raw.socket),
    status: reply.raw.statusCode,
    outcome: state.outcome,
    code: state.faultCode,
    mode: state.mode,
    violations: state.violations.length === 0 ? undefined : state.violations,
    upstreamStatus: state.upstreamStatus,
    upstreamError: state.upstreamError,
    bytesIn: state.bytesIn,
    bytesOut: state.bytesOut,
    durationMs: round(durationMs),
    validationMs: round(state.validationMs),
    upstreamMs: round(state.upstreamMs)
  }
}

/** Records the call once its response has closed. */
export function recordCall (request: FastifyRequest, reply: FastifyReply, metrics: GatewayMetrics, now: () => number, log: Logger): void {
  const state = request[kCall]
  const durationMs = now() - state.startedAt
  if (!reply.raw.writableEnded && state.outcome !== 'upstream_error') state.outcome = 'aborted'
  state.outcome ??= reply.raw.statusCode >= 500 ? 'error' : 'refused'
  const env = state.env ?? 'none'
  const operation = state.operation ?? 'unknown'
  metrics.requests.inc({ env, operation, outcome: state.outcome, status: String(reply.raw.statusCode) })
  metrics.duration.observe({ env, operation, outcome: state.outcome }, durationMs / 1000)
  log.info(accessLine(request, reply, state, durationMs), 'access')
}
