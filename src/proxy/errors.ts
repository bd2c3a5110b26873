/**
 * Upstream failures, as the client sees them: a Fault whose subcode is one of these codes, with
 * the SOAP HTTP binding's gateway statuses (502, 503, 504). The reason never carries the upstream's
 * own text. `upstream-errors.ts` is the one place that maps transport errors to them. No code is
 * retired yet.
 */
import { createError } from '../errors.js'

export const codes = {
  GW_PROXY_UPSTREAM_UNREACHABLE: createError('GW_PROXY_UPSTREAM_UNREACHABLE', 'the upstream of environment %s cannot be reached (connection refused)', 502),
  GW_PROXY_UPSTREAM_RESET: createError('GW_PROXY_UPSTREAM_RESET', 'the upstream of environment %s closed the connection before answering', 502),
  GW_PROXY_UPSTREAM_DNS: createError('GW_PROXY_UPSTREAM_DNS', 'the upstream host name of environment %s cannot be resolved', 503),
  GW_PROXY_UPSTREAM_TLS: createError('GW_PROXY_UPSTREAM_TLS', 'the TLS handshake with the upstream of environment %s failed', 502),
  GW_PROXY_UPSTREAM_TIMEOUT: createError('GW_PROXY_UPSTREAM_TIMEOUT', 'the upstream of environment %s did not answer in time', 504),
  GW_PROXY_UPSTREAM_UNAVAILABLE: createError('GW_PROXY_UPSTREAM_UNAVAILABLE', 'the upstream connection pool of environment %s is closed (the gateway is stopping)', 503),
  GW_PROXY_UPSTREAM_FAILED: createError('GW_PROXY_UPSTREAM_FAILED', 'the call to the upstream of environment %s failed', 502),
  GW_PROXY_QUEUE_FULL: createError('GW_PROXY_QUEUE_FULL', 'the upstream of environment %s is busy: %d calls already wait for a connection; send the call again later', 503),
  GW_PROXY_QUEUE_TIMEOUT: createError('GW_PROXY_QUEUE_TIMEOUT', 'the upstream of environment %s is busy: no connection came free within %d ms; send the call again later', 503),
  GW_PROXY_OUTCOME_UNKNOWN: createError('GW_PROXY_OUTCOME_UNKNOWN', 'the %s call was sent to the upstream of environment %s, which did not answer: it may or may not have been carried out; check before sending it again (request id %s)', 504)
}
