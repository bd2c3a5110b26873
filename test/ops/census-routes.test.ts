// GET /ops/tls/clients, /ops/tls/report.csv and /ops/tls/summary through Fastify's inject.
import t from 'tap'
import { createHash } from 'node:crypto'
import Fastify from 'fastify'
import { Registry } from 'prom-client'
import { createCensus } from '../../src/census/census.js'
import { createCensusMetrics } from '../../src/census/census-metrics.js'
import { censusRoutes } from '../../src/ops/census-routes.js'
import { legacy, manualClock, rejected, success } from '../census/helpers/records.js'

const DAY = 86_400_000

async function setup (t: { teardown: (fn: () => unknown) => void }) {
  const c = manualClock(Date.UTC(2025, 2, 1, 12, 0, 0))
  const census = createCensus({ readyAfterMs: 7 * DAY }, { clock: c.clock })
  const registry = new Registry()
  const metrics = createCensusMetrics(registry, { census })
  const observe = (r: Parameters<typeof census.observe>[0]): void => { census.observe(r); metrics.observe(r) }
  const start = c.now()
  observe(legacy(start - 10 * DAY, '192.0.2.1', 'a.example', 0x0301))
  observe(legacy(start - 2 * DAY, '192.0.2.2', 'b.example', 0x0302))
  observe(success(start - DAY, '192.0.2.2', 'b.example', 0x0303, 'G1226'))
  observe(success(start - 3600_000, '2001:db8::5', undefined, 0x0304, 'G0042'))
  observe(rejected(start - 60_000, '198.51.100.9', 'plain-http'))
  const app = Fastify()
  await app.register(censusRoutes({ census, registry, clock: c.clock }))
  t.teardown(async () => { await app.close(); census.close() })
  return { app, census, clock: c }
}

t.test('the clients as JSON, every field present', async (t) => {
  const { app } = await setup(t)
  const res = await app.inject('/ops/tls/clients')
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^application\/json/)
  const body = res.json()
  t.equal(body.count, 5)
  t.equal(body.generatedAt, '2025-03-01T12:00:00.000Z')
  const b = body.clients.find((c: { ip: string, maxVersionOffered: string }) => c.ip === '192.0.2.2' && c.maxVersionOffered === 'TLSv1.1')
  t.same(b, {
    ip: '192.0.2.2',
    sni: 'b.example',
    ja4: 't11d090600_c491f621fb4c_195413a0cc0f',
    ja3: createHash('md5').update('770,,,,').digest('hex'),
    identity: 'G1226',
    status: 'migrating',
    firstSeen: '2025-02-27T12:00:00.000Z',
    lastSeen: '2025-02-27T12:00:00.000Z',
    maxVersionOffered: 'TLSv1.1',
    offered: { 'TLSv1.1': 1 },
    outcomes: { failure: 1 },
    lastFailureAt: '2025-02-27T12:00:00.000Z',
    lastFailureReason: 'unsupported-protocol',
    firstLegacyAttempt: '2025-02-27T12:00:00.000Z',
    lastLegacyAttempt: '2025-02-27T12:00:00.000Z',
    lastSuccess: '2025-02-28T12:00:00.000Z',
    lastSuccessVersion: 'TLSv1.2'
  })
  const plain = body.clients.find((c: { ip: string }) => c.ip === '198.51.100.9')
  t.match(plain, { sni: null, ja4: null, ja3: null, identity: null, status: 'other', maxVersionOffered: null, lastSuccess: null })
})

t.test('filters', async (t) => {
  const { app } = await setup(t)
  const ips = async (query: string): Promise<string[]> => {
    const res = await app.inject(`/ops/tls/clients?${query}`)
    t.equal(res.statusCode, 200, query)
    return res.json().clients.map((c: { ip: string }) => c.ip)
  }
  t.same(await ips('status=legacy-only'), ['192.0.2.1'])
  t.same(await ips('status=migrating'), ['192.0.2.2', '192.0.2.2'])
  t.same(await ips('status=ready'), ['2001:db8::5'])
  t.same(await ips('status=other'), ['198.51.100.9'])
  t.same(await ips('version=TLSv1'), ['192.0.2.1'])
  t.same(await ips('version=TLSv1.0'), ['192.0.2.1'], 'TLSv1.0 is TLSv1')
  t.same(await ips('version=TLSv1.3'), ['2001:db8::5'])
  t.same(await ips('ip=192.0.2.2'), ['192.0.2.2', '192.0.2.2'])
  t.same(await ips('ip=192.0.2.0/24'), ['192.0.2.2', '192.0.2.2', '192.0.2.1'])
  t.same(await ips('ip=2001:db8::/32'), ['2001:db8::5'])
  t.same(await ips('ip=::ffff:192.0.2.1'), ['192.0.2.1'], 'an IPv4-mapped address is the IPv4 address')
  t.same(await ips('since=2d'), ['198.51.100.9', '2001:db8::5', '192.0.2.2', '192.0.2.2'])
  t.same(await ips('since=2025-02-28'), ['198.51.100.9', '2001:db8::5', '192.0.2.2'])
  t.same(await ips('since=2025-03-01T11:00:00Z'), ['198.51.100.9', '2001:db8::5'])
  t.same(await ips(`since=${Date.UTC(2025, 2, 1, 11, 59)}`), ['198.51.100.9'])
  t.same(await ips('since=3d&status=migrating&version=TLSv1.2&ip=192.0.2.0/28'), ['192.0.2.2'])
})

t.test('a bad filter is a problem+json 400 naming the parameter', async (t) => {
  const { app } = await setup(t)
  const cases: Array<[string, string, RegExp]> = [
    ['stauts=ready', 'stauts', /unknown parameter/],
    ['status=ready&status=other', 'status', /more than once/],
    ['status=', 'status', /empty/],
    ['status=READY', 'status', /not one of legacy-only, migrating, ready, other/],
    ['version=TLSv1.4', 'version', /not one of/],
    ['since=yesterday', 'since', /not an ISO 8601 date/],
    ['since=2025-13-45', 'since', /not an ISO 8601 date/],
    ['ip=192.0.2.300', 'ip', /not an IP address/],
    ['ip=192.0.2.0/33', 'ip', /bad prefix length/],
    ['ip=host.example', 'ip', /not an IP address/]
  ]
  for (const [query, parameter, detail] of cases) {
    for (const path of ['/ops/tls/clients', '/ops/tls/report.csv']) {
      const res = await app.inject(`${path}?${query}`)
      t.equal(res.statusCode, 400, `${path}?${query}`)
      t.match(res.headers['content-type'], /^application\/problem\+json/)
      const body = res.json()
      t.match(body, { type: 'about:blank', title: 'Bad census filter', status: 400, code: 'GW_TLS_CENSUS_BAD_FILTER', instance: path })
      t.match(body.detail, new RegExp(`^bad census filter ${parameter}: `))
      t.match(body.detail, detail)
    }
  }
})

/** A small RFC 4180 reader, for checking the report round-trips. */
function readCsv (text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++ } else if (ch === '"') quoted = false
      else field += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') { row.push(field); field = '' } else if (ch === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++ } else field += ch
  }
  return rows
}

t.test('the CSV report: one row per client, the agreed columns, filters apply', async (t) => {
  const { app } = await setup(t)
  const res = await app.inject('/ops/tls/report.csv?status=migrating')
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'text/csv; charset=utf-8')
  t.equal(res.headers['content-disposition'], 'attachment; filename="tls-census-2025-03-01.csv"')
  const rows = readCsv(res.body)
  t.same(rows[0], ['identity', 'ip', 'sni', 'ja4', 'max_version_offered', 'first_legacy_attempt', 'last_legacy_attempt', 'last_success',
    'last_success_version', 'status', 'first_seen', 'last_seen', 'legacy_attempts', 'last_failure_reason', 'ja3'])
  t.equal(rows.length, 3)
  t.same(rows.slice(1).map((r) => [r[0], r[1], r[2], r[4], r[5], r[6], r[7], r[8], r[9], r[12]]), [
    ['G1226', '192.0.2.2', 'b.example', 'TLSv1.2', '2025-02-27T12:00:00.000Z', '2025-02-27T12:00:00.000Z', '2025-02-28T12:00:00.000Z', 'TLSv1.2', 'migrating', '0'],
    ['G1226', '192.0.2.2', 'b.example', 'TLSv1.1', '2025-02-27T12:00:00.000Z', '2025-02-27T12:00:00.000Z', '2025-02-28T12:00:00.000Z', 'TLSv1.2', 'migrating', '1']
  ])
})

t.test('the CSV report escapes fields and defuses formulas from client-chosen text', async (t) => {
  const { app, census, clock } = await setup(t)
  census.observe(success(clock.now(), '203.0.113.7', 'evil,"quoted"\r\nname', 0x0303, '=HYPERLINK("http://x.example","click")'))
  census.observe(success(clock.now(), '203.0.113.8', '@SUM(1+1)', 0x0303, '-2+3'))
  const res = await app.inject('/ops/tls/report.csv?ip=203.0.113.0/24')
  const rows = readCsv(res.body)
  t.equal(rows.length, 3)
  t.same([rows[1]![0], rows[1]![2]], ['\'-2+3', '\'@SUM(1+1)'])
  t.same([rows[2]![0], rows[2]![2]], ['\'=HYPERLINK("http://x.example","click")', 'evil,"quoted"\r\nname'])
  t.match(res.body, /"'=HYPERLINK\(""http:\/\/x\.example"",""click""\)"/)
})

t.test('the summary: readiness counts, history and the TLS counters', async (t) => {
  const { app, census } = await setup(t)
  census.flush()
  const res = await app.inject('/ops/tls/summary')
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.match(body, {
    generatedAt: '2025-03-01T12:00:00.000Z',
    clients: 5,
    addresses: { 'legacy-only': 1, migrating: 1, ready: 1, other: 1 },
    offered: { TLSv1: 1, 'TLSv1.1': 1, 'TLSv1.2': 1, 'TLSv1.3': 1 },
    outcomes: { failure: 2, success: 2, rejected: 1 },
    history: [{ at: '2025-03-01T12:00:00.000Z', legacyOnly: 1, migrating: 1, ready: 1, other: 1 }]
  })
  t.same(body.handshakes.map((h: Record<string, unknown>) => [h.version, h.outcome, h.value]).sort(), [['TLSv1.2', 'success', 1], ['TLSv1.3', 'success', 1], ['none', 'failure', 2], ['none', 'rejected', 1]].sort())
  t.same(body.rejections.find((r: Record<string, unknown>) => r.reason === 'plain-http'), { offered_version: 'none', reason: 'plain-http', value: 1 })
})
