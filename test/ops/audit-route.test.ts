// GET /ops/audit on one instance without the shared store: its audit file's records since a date,
// bounded; bad parameters are 400; an unreadable source is 503.
import t from 'tap'
import Fastify from 'fastify'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { auditRoute, fileAuditSource } from '../../src/ops/audit-route.js'

t.test('the file source: records since the date, a torn line skipped, limit', async (t) => {
  const dir = t.testdir({})
  const file = join(dir, 'audit.jsonl')
  writeFileSync(file, [
    JSON.stringify({ time: '2026-01-01T00:00:00.000Z', event: 'outcome_unknown', reqId: 'old' }),
    '{"torn',
    JSON.stringify({ time: '2026-01-02T00:00:00.000Z', event: 'outcome_unknown', reqId: 'a' }),
    JSON.stringify({ time: '2026-01-03T00:00:00.000Z', event: 'answer_not_delivered', reqId: 'b' })
  ].join('\n') + '\n')
  const app = Fastify()
  await app.register(auditRoute(fileAuditSource(file), false))
  const get = async (qs: string): Promise<{ status: number, json: any }> => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const res = await app.inject({ method: 'GET', url: `/ops/audit${qs}` })
    return { status: res.statusCode, json: res.json() }
  }
  t.same((await get('?since=2026-01-02T00:00:00Z')).json, { scope: 'this instance', records: [{ time: '2026-01-02T00:00:00.000Z', event: 'outcome_unknown', reqId: 'a' }, { time: '2026-01-03T00:00:00.000Z', event: 'answer_not_delivered', reqId: 'b' }] })
  t.equal((await get('?since=2026-01-01T00:00:00Z&limit=1')).json.records.length, 1)
  t.equal((await get('')).status, 400)
  t.equal((await get('?since=2026-01-01')).status, 400)
  t.equal((await get('?since=2026-01-01T00:00:00Z&limit=0')).status, 400)
  t.same((await app.inject({ method: 'GET', url: '/ops/audit?since=2026-01-01T00:00:00Z' })).statusCode, 200)
  const missing = Fastify()
  await missing.register(auditRoute(fileAuditSource(join(dir, 'none.jsonl')), false))
  t.same((await missing.inject({ method: 'GET', url: '/ops/audit?since=2026-01-01T00:00:00Z' })).json(), { scope: 'this instance', records: [] })
  const failing = Fastify({ logger: false })
  await failing.register(auditRoute(async () => { throw Object.assign(new Error('down'), { code: 'ECONNREFUSED' }) }, true))
  const res = await failing.inject({ method: 'GET', url: '/ops/audit?since=2026-01-01T00:00:00Z' })
  t.equal(res.statusCode, 503)
  t.equal(res.headers['retry-after'], '5')
})
