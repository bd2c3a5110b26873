// Upstream failures through the route, with a scripted upstream: the status and Fault code of
// each kind, the read retried once on a connection-phase failure, the write never retried, and the
// write that failed after it was sent answered "outcome unknown" with an audit record.
import t, { type Test } from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { corpusCase } from '../integration/helpers/gateway-stack.js'
import { codedError, FakeUpstream, type Step } from './helpers/fake-upstream.js'
import { faultCode, SERVICE, unitGateway } from './helpers/unit-gateway.js'

const write = corpusCase('valid-getNumUnique-cre-mtom')!
const read = corpusCase('valid-getDemandeLogement-mtom')!

async function call (t: Test, steps: Step[], message = read, audit?: string) {
  const upstream = new FakeUpstream(steps)
  const gw = await unitGateway((c) => { if (audit !== undefined) c.audit = { file: audit } }, { createDispatcher: () => upstream })
  t.teardown(gw.close)
  const res = await gw.gateway.app.inject({ method: 'POST', url: SERVICE, payload: message.message, headers: { 'content-type': message.contentType, 'x-request-id': 'req-1' } })
  return { res, upstream, gw }
}

const table: Array<{ name: string, step: Step, status: number, code: string, kind: string }> = [
  { name: 'connection refused', step: { kind: 'fail-connecting', error: codedError('ECONNREFUSED') }, status: 502, code: 'GW_PROXY_UPSTREAM_UNREACHABLE', kind: 'refused' },
  { name: 'reset', step: { kind: 'fail-after-send', error: codedError('ECONNRESET') }, status: 502, code: 'GW_PROXY_UPSTREAM_RESET', kind: 'reset' },
  { name: 'DNS', step: { kind: 'fail-connecting', error: codedError('ENOTFOUND') }, status: 503, code: 'GW_PROXY_UPSTREAM_DNS', kind: 'dns' },
  { name: 'TLS', step: { kind: 'fail-connecting', error: codedError('UNABLE_TO_VERIFY_LEAF_SIGNATURE') }, status: 502, code: 'GW_PROXY_UPSTREAM_TLS', kind: 'tls' },
  { name: 'connect timeout', step: { kind: 'fail-connecting', error: codedError('UND_ERR_CONNECT_TIMEOUT') }, status: 504, code: 'GW_PROXY_UPSTREAM_TIMEOUT', kind: 'connect_timeout' },
  { name: 'headers timeout', step: { kind: 'fail-after-send', error: codedError('UND_ERR_HEADERS_TIMEOUT') }, status: 504, code: 'GW_PROXY_UPSTREAM_TIMEOUT', kind: 'timeout' },
  { name: 'pool closed', step: { kind: 'fail-connecting', error: codedError('UND_ERR_DESTROYED') }, status: 503, code: 'GW_PROXY_UPSTREAM_UNAVAILABLE', kind: 'unavailable' },
  { name: 'anything else', step: { kind: 'fail-after-send', error: codedError('EWHATEVER') }, status: 502, code: 'GW_PROXY_UPSTREAM_FAILED', kind: 'other' }
]

for (const row of table) {
  t.test(`read, ${row.name}: ${row.status} ${row.code}`, async (t) => {
    // Connection-phase failures of a read are retried once: fail twice to see the mapping.
    const { res, gw } = await call(t, [row.step, row.step])
    t.equal(res.statusCode, row.status)
    t.equal(faultCode(res.body), row.code)
    t.match(res.body, '<env:Value>env:Receiver</env:Value>')
    t.notMatch(res.body, 'internal detail 42', 'the upstream\'s text is not echoed')
    t.match(await gw.gateway.metrics.registry.metrics(), `sne_gateway_upstream_errors_total{env="ecole",kind="${row.kind}"} 1`)
    t.match(gw.logs.access().at(-1), { outcome: 'upstream_error', status: row.status, code: row.code })
  })
}

t.test('an answer that fails in the tick of its headers ends the call and frees its upstream slot', async (t) => {
  const { res, gw } = await call(t, [{ kind: 'fail-after-headers', status: 200, error: codedError('UND_ERR_SOCKET') }])
  t.not(res.statusCode, 0, 'answered, not left hanging')
  t.equal(gw.gateway.upstreams.byName.get('ecole')?.queue.active(), 0, 'the upstream slot is free')
  t.match(await gw.gateway.metrics.registry.metrics(), 'sne_gateway_upstream_errors_total{env="ecole",kind="reset"} 1')
})

t.test('a read is retried once after a connection-phase failure', async (t) => {
  const { res, upstream, gw } = await call(t, [
    { kind: 'fail-connecting', error: codedError('ECONNREFUSED') },
    { kind: 'answer', status: 200, body: '<ok/>' }
  ])
  t.equal(res.statusCode, 200)
  t.equal(res.body, '<ok/>')
  t.equal(upstream.calls.length, 2)
  t.match(await gw.gateway.metrics.registry.metrics(), 'sne_gateway_upstream_retries_total{env="ecole"} 1')
})

t.test('a read is retried at most once', async (t) => {
  const { res, upstream } = await call(t, [
    { kind: 'fail-connecting', error: codedError('ECONNREFUSED') },
    { kind: 'fail-connecting', error: codedError('ECONNREFUSED') },
    { kind: 'answer', status: 200, body: '<never/>' }
  ])
  t.equal(res.statusCode, 502)
  t.equal(upstream.calls.length, 2)
})

t.test('a read is not retried once the request was sent', async (t) => {
  const { res, upstream } = await call(t, [
    { kind: 'fail-after-send', error: codedError('ECONNRESET') },
    { kind: 'answer', status: 200, body: '<never/>' }
  ])
  t.equal(res.statusCode, 502)
  t.equal(upstream.calls.length, 1)
})

t.test('getNumUnique is never retried, even on a connection-phase failure', async (t) => {
  const { res, upstream } = await call(t, [
    { kind: 'fail-connecting', error: codedError('ECONNREFUSED') },
    { kind: 'answer', status: 200, body: '<never/>' }
  ], write)
  t.equal(res.statusCode, 502)
  t.equal(faultCode(res.body), 'GW_PROXY_UPSTREAM_UNREACHABLE')
  t.equal(upstream.calls.length, 1)
})

t.test('getNumUnique timing out after it was sent: outcome unknown, audit record', async (t) => {
  const dir = t.testdir({})
  const audit = join(dir, 'audit.jsonl')
  const { res, upstream, gw } = await call(t, [{ kind: 'fail-after-send', error: codedError('UND_ERR_HEADERS_TIMEOUT') }], write, audit)
  t.equal(res.statusCode, 504)
  t.equal(faultCode(res.body), 'GW_PROXY_OUTCOME_UNKNOWN')
  t.match(res.body, 'it may or may not have been carried out')
  const id = res.headers['x-request-id'] as string
  t.match(res.body, `request id ${id}`)
  t.equal(upstream.calls.length, 1)
  const records = readFileSync(audit, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
  t.equal(records.length, 1)
  t.match(records[0], {
    event: 'outcome_unknown',
    reqId: id,
    clientRequestId: 'req-1',
    env: 'ecole',
    operation: 'getNumUnique',
    fileName: 'DEMG1226-202501141032-000000.xml',
    cause: 'UND_ERR_HEADERS_TIMEOUT',
    bodySha256: /^[0-9a-f]{64}$/
  })
  t.ok(gw.logs.lines().some((l) => l.audit === true && l.event === 'outcome_unknown'), 'logged as well')
  t.match(gw.logs.access().at(-1), { outcome: 'outcome_unknown', status: 504 })
})

t.test('getNumUnique reset after it was sent: outcome unknown too', async (t) => {
  const { res } = await call(t, [{ kind: 'fail-after-send', error: codedError('ECONNRESET') }], write)
  t.equal(res.statusCode, 504)
  t.equal(faultCode(res.body), 'GW_PROXY_OUTCOME_UNKNOWN')
})

t.test('mode off: a write is still known as a write from its Body, never retried, and audited when its outcome is unknown', async (t) => {
  const dir = t.testdir({})
  const audit = join(dir, 'audit.jsonl')
  const upstream = new FakeUpstream([
    { kind: 'fail-connecting', error: codedError('ECONNREFUSED') },
    { kind: 'fail-after-send', error: codedError('UND_ERR_HEADERS_TIMEOUT') }
  ])
  const gw = await unitGateway((c) => { c.audit = { file: audit }; c.environments.ecole.validation = { mode: 'off' } }, { createDispatcher: () => upstream })
  t.teardown(gw.close)
  // A getNumUnique in plain SOAP 1.2 without any declared action: only its Body names it.
  const plain = write.contentType.startsWith('multipart/') ? corpusCase('valid-getNumUnique-cre-inline')! : write
  const contentType = plain.contentType.replace(/; *action="[^"]*"/, '')
  t.notMatch(contentType, /action=/)
  const res = await gw.gateway.app.inject({ method: 'POST', url: SERVICE, payload: plain.message, headers: { 'content-type': contentType } })
  t.equal(res.statusCode, 502, 'refused connection: a write is not retried')
  t.equal(upstream.calls.length, 1)
  t.match(gw.logs.access().at(-1), { operation: 'getNumUnique', mode: 'off' })
  const again = await gw.gateway.app.inject({ method: 'POST', url: SERVICE, payload: plain.message, headers: { 'content-type': contentType } })
  t.equal(faultCode(again.body), 'GW_PROXY_OUTCOME_UNKNOWN')
  const records = readFileSync(audit, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
  t.match(records, [{ event: 'outcome_unknown', operation: 'getNumUnique' }], 'audited as the write it is')
})
