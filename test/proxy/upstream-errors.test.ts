// The one mapping of upstream failures: kind by code, status and Fault code, and "outcome unknown"
// for a write that failed after it was sent.
import t from 'tap'
import { markRequestSent } from '../../src/proxy/interceptors/request-phase.js'
import { isConnectionPhaseFailure, mapUpstreamError, upstreamErrorKind } from '../../src/proxy/upstream-errors.js'

const err = (code: string): Error => Object.assign(new Error(code), { code })
const read = { env: 'ecole', operation: 'getDemandeLogement', write: false, reqId: 'r1' }
const write = { env: 'production', operation: 'getNumUnique', write: true, reqId: 'r2' }

t.test('kinds by code', async (t) => {
  const table: Record<string, string> = {
    ECONNREFUSED: 'refused',
    EHOSTUNREACH: 'refused',
    ECONNRESET: 'reset',
    EPIPE: 'reset',
    UND_ERR_SOCKET: 'reset',
    ENOTFOUND: 'dns',
    EAI_AGAIN: 'dns',
    UND_ERR_CONNECT_TIMEOUT: 'connect_timeout',
    UND_ERR_HEADERS_TIMEOUT: 'timeout',
    UND_ERR_BODY_TIMEOUT: 'timeout',
    UND_ERR_CLOSED: 'unavailable',
    UND_ERR_DESTROYED: 'unavailable',
    UND_ERR_ABORTED: 'aborted',
    ERR_TLS_CERT_ALTNAME_INVALID: 'tls',
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'tls',
    DEPTH_ZERO_SELF_SIGNED_CERT: 'tls',
    ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: 'tls',
    CERT_HAS_EXPIRED: 'tls',
    SOMETHING_ELSE: 'other'
  }
  for (const [code, kind] of Object.entries(table)) t.equal(upstreamErrorKind(err(code)), kind, code)
  t.equal(upstreamErrorKind(new Error('no code')), 'other')
  t.equal(upstreamErrorKind(Object.assign(new Error('wrapped'), { cause: err('ECONNREFUSED') })), 'refused', 'the code of a cause')
})

t.test('connection-phase failures', async (t) => {
  for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'UND_ERR_CONNECT_TIMEOUT', 'ERR_TLS_CERT_ALTNAME_INVALID']) t.ok(isConnectionPhaseFailure(err(code)), code)
  for (const code of ['ECONNRESET', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_DESTROYED']) t.notOk(isConnectionPhaseFailure(err(code)), code)
})

t.test('statuses and codes for a read', async (t) => {
  const table: Array<[string, number, string]> = [
    ['ECONNREFUSED', 502, 'GW_PROXY_UPSTREAM_UNREACHABLE'],
    ['ECONNRESET', 502, 'GW_PROXY_UPSTREAM_RESET'],
    ['ENOTFOUND', 503, 'GW_PROXY_UPSTREAM_DNS'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 502, 'GW_PROXY_UPSTREAM_TLS'],
    ['UND_ERR_CONNECT_TIMEOUT', 504, 'GW_PROXY_UPSTREAM_TIMEOUT'],
    ['UND_ERR_HEADERS_TIMEOUT', 504, 'GW_PROXY_UPSTREAM_TIMEOUT'],
    ['UND_ERR_DESTROYED', 503, 'GW_PROXY_UPSTREAM_UNAVAILABLE'],
    ['EWEIRD', 502, 'GW_PROXY_UPSTREAM_FAILED']
  ]
  for (const [code, status, gwCode] of table) {
    const cause = err(code)
    const mapped = mapUpstreamError(cause, read)
    t.equal(mapped.error.statusCode, status, code)
    t.equal(mapped.error.code, gwCode, code)
    t.equal(mapped.error.cause, cause, 'the cause is kept')
    t.equal(mapped.outcomeUnknown, false)
    t.equal(mapped.code, code)
  }
  t.equal(mapUpstreamError(err('ECONNREFUSED'), read).error.message, 'the upstream of environment ecole cannot be reached (connection refused)')
})

t.test('a write that failed after it was sent: outcome unknown', async (t) => {
  for (const code of ['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ECONNRESET', 'UND_ERR_SOCKET']) {
    const e = err(code)
    markRequestSent(e, true)
    const mapped = mapUpstreamError(e, write)
    t.equal(mapped.outcomeUnknown, true, code)
    t.equal(mapped.error.code, 'GW_PROXY_OUTCOME_UNKNOWN')
    t.equal(mapped.error.statusCode, 504)
  }
  t.equal(mapUpstreamError(Object.assign(err('UND_ERR_HEADERS_TIMEOUT'), {}), write).error.message,
    'the getNumUnique call was sent to the upstream of environment production, which did not answer: it may or may not have been carried out; check before sending it again (request id r2)')
})

t.test('a write whose phase is unrecorded counts as sent unless its kind proves otherwise', async (t) => {
  t.equal(mapUpstreamError(err('ECONNRESET'), write).outcomeUnknown, true)
  t.equal(mapUpstreamError(err('ECONNREFUSED'), write).outcomeUnknown, false)
})

t.test('a write that failed before it was sent is a plain failure', async (t) => {
  for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'UND_ERR_CONNECT_TIMEOUT', 'ERR_TLS_CERT_ALTNAME_INVALID']) {
    t.equal(mapUpstreamError(err(code), write).outcomeUnknown, false, code)
  }
  const reset = err('ECONNRESET')
  markRequestSent(reset, false)
  t.equal(mapUpstreamError(reset, write).outcomeUnknown, false, 'reset recorded before sending')
  t.equal(mapUpstreamError(reset, write).error.code, 'GW_PROXY_UPSTREAM_RESET')
})
