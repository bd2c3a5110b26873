// The census: aggregation per IP + JA4 + SNI, readiness per address with an injected clock,
// identities joined, filters, bounds and eviction, persistence across a restart.
import t from 'tap'
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { createCensus } from '../../src/census/census.js'
import { legacy, manualClock, rejected, success } from './helpers/records.js'

const DAY = 86_400_000

function tempFile (t: { teardown: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'census-store-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return join(dir, 'census.sqlite')
}

t.test('a client that moves from TLS 1.0 to 1.2: legacy-only, migrating, then ready after the period', async (t) => {
  const c = manualClock()
  const census = createCensus({ readyAfterMs: 7 * DAY }, { clock: c.clock })
  t.teardown(() => census.close())
  census.observe(legacy(c.now()))
  c.advance(1000)
  census.observe(legacy(c.now()))
  t.same(census.clients().map((r) => r.status), ['legacy-only'])
  t.match(census.clients()[0], { maxVersionOffered: 'TLSv1', offered: { TLSv1: 2 }, outcomes: { failure: 2 }, lastFailureReason: 'unsupported-protocol', lastSuccess: undefined })

  c.advance(DAY)
  const upgradedAt = c.now()
  census.observe(success(upgradedAt, '192.0.2.10', 'gw.example', 0x0303, 'G1226'))
  const rows = census.clients()
  t.equal(rows.length, 2, 'the new TLS stack is a new fingerprint: a second row')
  t.same(rows.map((r) => r.status), ['migrating', 'migrating'], 'both rows of the address are migrating')
  const legacyRow = rows.find((r) => r.maxVersionOffered === 'TLSv1')!
  t.match(legacyRow, { identity: 'G1226', lastSuccess: upgradedAt, lastSuccessVersion: 'TLSv1.2', firstLegacyAttempt: upgradedAt - DAY - 1000, lastLegacyAttempt: upgradedAt - DAY })

  c.advance(6 * DAY - 1)
  census.observe(success(c.now(), '192.0.2.10', 'gw.example', 0x0303, 'G1226'))
  t.same(census.clients().map((r) => r.status), ['migrating', 'migrating'], 'one millisecond short of the period')
  c.advance(1)
  t.same(census.clients().map((r) => r.status), ['ready', 'ready'], 'seven days without a legacy offer')
  t.same(census.summary().addresses, { 'legacy-only': 0, migrating: 0, ready: 1, other: 0 })

  census.observe(legacy(c.now()))
  t.same(census.clients().map((r) => r.status), ['migrating', 'migrating'], 'a legacy offer again: back to migrating')
})

t.test('other: only non-TLS bytes, or TLS 1.2+ failures; empty connections are not stored', async (t) => {
  const c = manualClock()
  const census = createCensus({}, { clock: c.clock })
  t.teardown(() => census.close())
  census.observe(rejected(c.now(), '198.51.100.1', 'plain-http'))
  census.observe(rejected(c.now(), '198.51.100.1', 'garbage'))
  census.observe({ ...success(c.now(), '198.51.100.2'), outcome: 'failure', reason: 'certificate-unable-to-verify-leaf-signature', negotiatedVersion: undefined })
  census.observe(rejected(c.now(), '198.51.100.3', 'empty'))
  census.observe(rejected(c.now(), '198.51.100.4', 'sslv2-hello', 0x0301))
  const rows = census.clients()
  t.same(rows.map((r) => [r.ip, r.status, r.ja4 === undefined, r.sni]), [
    ['198.51.100.4', 'legacy-only', true, undefined],
    ['198.51.100.2', 'other', false, 'gw.example'],
    ['198.51.100.1', 'other', true, undefined]
  ])
  t.match(rows[2], { outcomes: { rejected: 2 }, lastFailureReason: 'garbage', maxVersionOffered: undefined, offered: {} })
  t.match(rows[0], { maxVersionOffered: 'TLSv1', offered: { TLSv1: 1 } }, 'an SSLv2-format hello offering TLS 1.0 is a legacy attempt')
})

t.test('filters: since, status, version, ip', async (t) => {
  const c = manualClock()
  const census = createCensus({}, { clock: c.clock })
  t.teardown(() => census.close())
  census.observe(legacy(c.now(), '192.0.2.1', 'a.example', 0x0301))
  c.advance(1000)
  census.observe(legacy(c.now(), '192.0.2.2', 'b.example', 0x0302))
  c.advance(1000)
  census.observe(success(c.now(), '192.0.2.2', 'b.example', 0x0304))
  census.observe(success(c.now(), '2001:db8::1', undefined, 0x0304))
  const ips = (rows: Array<{ ip: string }>): string[] => rows.map((r) => r.ip)
  t.same(ips(census.clients({ since: c.now() - 1000 })), ['2001:db8::1', '192.0.2.2', '192.0.2.2'])
  t.same(ips(census.clients({ status: 'legacy-only' })), ['192.0.2.1'])
  t.same(ips(census.clients({ status: 'ready' })), ['2001:db8::1'])
  t.same(ips(census.clients({ version: 'TLSv1.1' })), ['192.0.2.2'])
  t.same(ips(census.clients({ version: 'TLSv1.3' })), ['2001:db8::1', '192.0.2.2'])
  t.same(ips(census.clients({ ip: (ip) => ip.startsWith('192.0.2.1') })), ['192.0.2.1'])
  t.same(ips(census.clients({ status: 'migrating', version: 'TLSv1.1' })), ['192.0.2.2'])
})

t.test('bounded: the least recently seen row is evicted, in memory and in the store', async (t) => {
  const file = tempFile(t)
  const c = manualClock()
  const census = createCensus({ file, maxClients: 3 }, { clock: c.clock })
  for (const ip of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) {
    census.observe(legacy(c.now(), ip))
    c.advance(1000)
  }
  census.flush()
  census.observe(legacy(c.now(), '192.0.2.1')) // seen again: now the most recent
  c.advance(1000)
  census.observe(legacy(c.now(), '192.0.2.4')) // evicts 192.0.2.2
  t.same(census.clients().map((r) => r.ip), ['192.0.2.4', '192.0.2.1', '192.0.2.3'])
  census.close()
  const reopened = createCensus({ file, maxClients: 3 }, { clock: c.clock })
  t.teardown(() => reopened.close())
  t.same(reopened.clients().map((r) => r.ip), ['192.0.2.4', '192.0.2.1', '192.0.2.3'], 'the store evicted it too')
})

t.test('a flood of 10,000 hellos from one address with random server names leaves every other address\'s rows in place', async (t) => {
  // With the new-row rate out of the way the row budget alone holds the flood (each new row evicts
  // one of the address's own); with the default rate the flood makes no row beyond the burst.
  for (const [name, newRowsPerAddress, reason] of [
    ['the row budget alone', { burst: 1_000_000, ratePerHour: 3_600_000 }, 'address_budget'],
    ['the default new-row rate', undefined, 'address_rate']
  ] as const) {
    const file = tempFile(t)
    const c = manualClock()
    const reasons: string[] = []
    const census = createCensus({ file, maxClients: 1000, ...(newRowsPerAddress === undefined ? {} : { newRowsPerAddress }) }, { clock: c.clock, onEvict: (reason) => { reasons.push(reason) } })
    const others = Array.from({ length: 200 }, (_, i) => `198.51.100.${i}`)
    for (const ip of others) {
      census.observe(legacy(c.now(), ip))
      c.advance(1)
    }
    census.flush()
    let seed = 12345
    const random = (): string => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed.toString(36) }
    for (let i = 0; i < 10000; i++) {
      census.observe(legacy(c.now(), '203.0.113.66', `${random()}.example`))
      c.advance(1)
    }
    const rows = census.clients()
    t.same(new Set(rows.filter((r) => r.ip !== '203.0.113.66').map((r) => r.ip)), new Set(others), `${name}: every other address keeps its row`)
    t.equal(rows.filter((r) => r.ip === '203.0.113.66').length, 32, `${name}: the flooding address holds its budget of rows, no more`)
    t.equal(reasons.length, 10000 - 32, `${name}: every hello beyond the 32 first is counted`)
    t.ok(reasons.every((r) => r === reason), `${name}: counted as ${reason}, never as capacity`)
    census.close()
    const reopened = createCensus({ file, maxClients: 1000 }, { clock: c.clock })
    t.teardown(() => reopened.close())
    t.equal(reopened.clients().length, 200 + 32, `${name}: the store did not grow with the flood`)
  }
})

t.test('the new-row rate bounds the churn an address under its row budget can make', async (t) => {
  const c = manualClock()
  const reasons: string[] = []
  const newRowsPerAddress = { burst: 4, ratePerHour: 60 }
  const census = createCensus({ maxRowsPerAddress: 8, newRowsPerAddress }, { clock: c.clock, onEvict: (reason) => { reasons.push(reason) } })
  t.teardown(() => census.close())
  const count = (reason: string): number => reasons.filter((r) => r === reason).length
  census.observe(legacy(c.now(), '192.0.2.2', 'kept.example'))
  // Ten minutes of a fingerprint a second from one address: a burst of 4, then one a minute.
  census.observe(legacy(c.now(), '203.0.113.66', 'first.example'))
  for (let i = 1; i < 600; i++) {
    c.advance(1000)
    census.observe(legacy(c.now(), '203.0.113.66', `cycle-${i}.example`))
  }
  const flooder = census.clients().filter((r) => r.ip === '203.0.113.66')
  t.equal(flooder.length, 8, 'the address fills its row budget…')
  t.equal(count('address_rate'), 600 - 4 - 9, '…but makes only the burst and one row a minute: 13 rows in 10 minutes')
  t.equal(count('address_budget'), 4 + 9 - 8, 'so it evicts only 5 of its own rows, not 592')
  t.equal(count('capacity'), 0)

  const latest = flooder[0]!.sni
  census.observe(legacy(c.now(), '203.0.113.66', latest))
  t.match(census.clients().find((r) => r.sni === latest), { outcomes: { failure: 2 } }, 'an existing row of the address goes on counting')
  census.observe(legacy(c.now(), '192.0.2.2', 'new.example'))
  t.same(census.clients().filter((r) => r.ip === '192.0.2.2').map((r) => r.sni).sort(), ['kept.example', 'new.example'], 'another address has its own bucket')
  t.equal(count('address_rate'), 600 - 4 - 9)

  c.advance(4 * 60_000)
  for (let i = 0; i < 6; i++) census.observe(legacy(c.now(), '203.0.113.66', `later-${i}.example`))
  t.equal(census.clients().filter((r) => r.sni?.startsWith('later-') === true).length, 4, 'four minutes later: four new rows')
})

t.test('the bucket of an address outlives the rows its budget evicts, and only lives while the address has rows', async (t) => {
  const c = manualClock()
  const reasons: string[] = []
  const census = createCensus({ maxRowsPerAddress: 1, maxClients: 50, newRowsPerAddress: { burst: 2, ratePerHour: 0 } }, { clock: c.clock, onEvict: (reason) => { reasons.push(reason) } })
  t.teardown(() => census.close())
  for (let i = 0; i < 5; i++) census.observe(legacy(c.now(), '203.0.113.66', `${i}.example`))
  t.same(reasons, ['address_budget', 'address_rate', 'address_rate', 'address_rate'], 'one row at a time: its budget evicted the first, yet the bucket remembers both')
  t.same(census.clients().map((r) => r.sni), ['1.example'])

  // Many addresses, several fingerprints each: the limiter holds no more addresses than the rows.
  let most = 0
  for (let a = 0; a < 1000; a++) {
    for (let i = 0; i < 3; i++) census.observe(legacy(c.now(), `10.0.${a >> 8}.${a & 255}`, `${i}.example`))
    most = Math.max(most, census.addressCount)
  }
  t.equal(most, 50, 'never more addresses held than maxClients')
  t.equal(census.clients().length, 50)
})

t.test('capacity: beyond maxClients the least recently seen row of all goes, counted as such', async (t) => {
  const c = manualClock()
  const reasons: string[] = []
  const census = createCensus({ maxClients: 2, maxRowsPerAddress: 2 }, { clock: c.clock, onEvict: (reason) => { reasons.push(reason) } })
  t.teardown(() => census.close())
  census.observe(legacy(c.now(), '192.0.2.1', 'a.example'))
  census.observe(legacy(c.now(), '192.0.2.1', 'b.example'))
  census.observe(legacy(c.now(), '192.0.2.1', 'c.example'))
  t.same(reasons, ['address_budget'])
  census.observe(legacy(c.now(), '192.0.2.2', 'a.example'))
  t.same(reasons, ['address_budget', 'capacity'])
  t.same(census.clients().map((r) => [r.ip, r.sni]), [['192.0.2.2', 'a.example'], ['192.0.2.1', 'c.example']])
})

t.test('every row has an address: a record without one makes no row', async (t) => {
  const c = manualClock()
  const census = createCensus({}, { clock: c.clock })
  t.teardown(() => census.close())
  census.observe(legacy(c.now(), ''))
  census.observe({ ...success(c.now(), ''), outcome: 'failure', reason: 'certificate-unable-to-verify-leaf-signature', negotiatedVersion: undefined })
  t.same(census.clients(), [])
})

t.test('the store is readable by the gateway\'s user only (0600), its WAL too', async (t) => {
  const file = tempFile(t)
  const previous = process.umask(0o022)
  t.teardown(() => { process.umask(previous) })
  const census = createCensus({ file }, { clock: manualClock().clock })
  census.observe(legacy(Date.now()))
  census.flush()
  t.equal(statSync(file).mode & 0o777, 0o600)
  t.equal(statSync(`${file}-wal`).mode & 0o777, 0o600)
  census.close()
  chmodSync(file, 0o644)
  createCensus({ file }, { clock: manualClock().clock }).close()
  t.equal(statSync(file).mode & 0o777, 0o600, 'an existing world-readable store is made private at start')
})

t.test('persistence across a restart: rows, counts, identities and history', async (t) => {
  const file = tempFile(t)
  const c = manualClock()
  const first = createCensus({ file, snapshotIntervalMs: 3_600_000 }, { clock: c.clock })
  first.observe(legacy(c.now()))
  first.observe(legacy(c.now(), '192.0.2.99', undefined, 0x0302))
  first.flush() // first history point
  c.advance(3_600_000)
  first.observe(success(c.now(), '192.0.2.10', 'gw.example', 0x0304, 'G1226'))
  const before = first.clients()
  first.close() // flushes the rest, and the second history point
  t.equal(first.history().length, 2)

  const second = createCensus({ file }, { clock: c.clock })
  t.teardown(() => second.close())
  t.same(second.clients(), before, 'the same rows after a restart')
  t.same(second.history(), first.history(), 'the same history')
  t.same(second.history().map((p) => [p.legacyOnly, p.migrating]), [[2, 0], [1, 1]])
})

t.test('writes are batched: nothing reaches the store before a flush, everything after', async (t) => {
  const file = tempFile(t)
  const c = manualClock()
  const census = createCensus({ file, flushIntervalMs: 60_000 }, { clock: c.clock })
  t.teardown(() => census.close())
  const db = new Database(file, { readonly: true })
  t.teardown(() => db.close())
  const count = (): number => db.prepare('SELECT count(*) FROM census_clients').pluck().get() as number
  for (let i = 0; i < 100; i++) census.observe(legacy(c.now(), `192.0.2.${i}`))
  t.equal(count(), 0, 'the connection path wrote nothing')
  census.flush()
  t.equal(count(), 100)
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal')
})

t.test('the flush interval writes on its own', async (t) => {
  const file = tempFile(t)
  const census = createCensus({ file, flushIntervalMs: 20 })
  t.teardown(() => census.close())
  census.observe(legacy(Date.now()))
  const db = new Database(file, { readonly: true })
  t.teardown(() => db.close())
  for (let i = 0; i < 200; i++) {
    if ((db.prepare('SELECT count(*) FROM census_clients').pluck().get() as number) === 1) break
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  t.equal(db.prepare('SELECT count(*) FROM census_clients').pluck().get(), 1)
})

t.test('history is bounded by maxSnapshots', async (t) => {
  const c = manualClock()
  const census = createCensus({ snapshotIntervalMs: 1000, maxSnapshots: 3 }, { clock: c.clock })
  t.teardown(() => census.close())
  for (let i = 0; i < 5; i++) {
    census.flush()
    c.advance(1000)
  }
  t.same(census.history().map((p) => p.at - census.history()[0]!.at), [0, 1000, 2000])
})

t.test('a store that cannot be opened is GW_TLS_CENSUS_STORE', async (t) => {
  const notADir = tempFile(t)
  writeFileSync(notADir, 'a file, not a folder')
  const file = join(notADir, 'census.sqlite')
  t.throws(() => createCensus({ file }), { code: 'GW_TLS_CENSUS_STORE', statusCode: 500, message: `the TLS census store ${file} cannot be opened: ` })
})

t.test('the store\'s folder is made when missing', async (t) => {
  const file = join(tempFile(t), 'nested', 'census.sqlite')
  const census = createCensus({ file })
  census.observe(legacy(Date.now()))
  census.close()
  t.ok(existsSync(file))
})
