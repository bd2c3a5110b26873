// The legacy-TLS census of two gateway instances sharing one PostgreSQL store (a throw-away
// cluster), over real sockets: a client refused in TLS 1.0 by instance A, then served in TLS 1.2
// by instance B, is one migrating client in the report of either instance.
import t from 'tap'
import { request } from 'undici'
import { guichetCredentials, nodeHandshake, startCensusStack, type CensusStack } from '../census/helpers/census-stack.js'
import { postgresTestSkip, startPostgres } from '../../bench/harness/postgres.js'

const skip = postgresTestSkip()
if (skip !== false) {
  t.plan(0, `shared census: ${skip}`)
} else {
  const cluster = await startPostgres()
  t.teardown(() => { cluster.destroy() })
  const shared = { census: { flushIntervalMs: 100 } }
  const edit = (c: Record<string, any>): void => { // eslint-disable-line @typescript-eslint/no-explicit-any
    c.store = { url: cluster.url, connectTimeoutMs: 500, statementTimeoutMs: 1000 }
  }
  const a: CensusStack = await startCensusStack({ census: shared, stack: { edit } })
  const b: CensusStack = await startCensusStack({ census: shared, stack: { edit, upstreamUrl: a.simulatorUrl } })
  t.teardown(async () => { await b.close(); await a.close() })

  interface Row { ip: string, sni?: string, status: string, maxVersionOffered?: string, offered: Record<string, number>, identity?: string }
  const clients = async (stack: CensusStack): Promise<Row[]> => JSON.parse((await stack.ops('/ops/tls/clients')).body).clients as Row[]
  /** Polls (bounded) the instance's report until `done` holds; the last rows read. */
  const until = async (stack: CensusStack, done: (rows: Row[]) => boolean): Promise<Row[]> => {
    let rows: Row[] = []
    for (let i = 0; i < 100; i++) {
      rows = await clients(stack)
      if (done(rows)) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    return rows
  }

  t.test('TLS 1.0 refused on A, TLS 1.2 served on B: one migrating client in both reports', async (t) => {
    const refused = await nodeHandshake(a.port, { ciphers: 'DEFAULT@SECLEVEL=0', minVersion: 'TLSv1', maxVersion: 'TLSv1', servername: 'legacy.example' })
    t.equal(refused, 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'A refused TLS 1.0')
    t.equal(await nodeHandshake(b.port, { ...guichetCredentials(b.pki), maxVersion: 'TLSv1.2' }), 'TLSv1.2', 'B served TLS 1.2')
    const both = (rows: Row[]): boolean => rows.some((r) => r.sni === 'legacy.example') && rows.some((r) => r.maxVersionOffered === 'TLSv1.2')
    for (const [name, stack] of [['B', b], ['A', a]] as const) {
      const rows = await until(stack, both)
      const old = rows.find((r) => r.sni === 'legacy.example')
      t.match(old, { ip: '127.0.0.1', maxVersionOffered: 'TLSv1', offered: { TLSv1: 1 }, status: 'migrating', identity: 'G1226' }, `${name} shows A's TLS 1.0 row, migrating, with the identity B saw`)
      t.match(rows.find((r) => r.maxVersionOffered === 'TLSv1.2'), { ip: '127.0.0.1', status: 'migrating', offered: { 'TLSv1.2': 1 } }, `${name} shows B's TLS 1.2 row`)
      const summary = JSON.parse((await stack.ops('/ops/tls/summary')).body) as { clients: number, addresses: Record<string, number> }
      t.match(summary, { clients: 2, addresses: { 'legacy-only': 0, migrating: 1, ready: 0, other: 0 } }, `${name}: one migrating client address`)
    }
    const csv = (await b.ops('/ops/tls/report.csv?version=TLSv1')).body.trim().split('\r\n')
    t.equal(csv.length, 2, 'B\'s CSV: the header and A\'s TLS 1.0 row')
    t.match(csv[1], /^G1226,127\.0\.0\.1,legacy\.example,t10d/)
  })

  t.test('the ops plane says where the census is kept and whether that store answers', async (t) => {
    const ready = JSON.parse(await (await request(`${b.opsUrl!}/health/ready`)).body.text()) as { stores: Record<string, unknown> }
    t.match(ready.stores, { idempotency: { backend: 'postgresql', ok: true }, census: { backend: 'postgresql', ok: true } })
    const metrics = await (await request(`${b.opsUrl!}/metrics`)).body.text()
    t.match(metrics, /sne_gateway_store_up\{store="census",backend="postgresql"\} 1/)
  })
}
