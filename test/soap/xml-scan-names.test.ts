// The scanner's table of strings (ScanNames), shared by every scan of a process: whatever a client
// sends, a lookup compares its bytes with at most one kept string, and names keep being kept after
// any number of one-off values (a client's per-message attachment Content-IDs).
import t from 'tap'
import { ScanNames } from '../../src/soap/xml-scan-bytes.js'

const of = (names: ScanNames, s: string): string => {
  // inside a larger buffer, as scans read them
  const b = Buffer.from(`<${s}>`, 'latin1')
  return names.of(b, 1, b.length - 1)
}

t.test('every lookup gives the string of its bytes, kept or not', async (t) => {
  const names = new ScanNames()
  let seed = 7
  const next = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n }
  const pool = Array.from({ length: 2000 }, (_, i) => 'n' + 'x'.repeat(next(140)) + String(i % 700))
  for (let i = 0; i < 20000; i++) {
    const s = pool[next(pool.length)]!
    if (of(names, s) !== s) {
      t.fail(`wrong string for ${s}`)
      return
    }
  }
  t.equal(of(names, ''), '')
  t.ok(names.stats.hits > 0, `${names.stats.hits} hits`)
})

t.test('names crafted to share a bucket cost one comparison each, not one per name kept', async (t) => {
  // 128-byte names of one length, first and last byte, differing only near their end: the
  // shape that made a table keyed on those three a list walked byte by byte.
  const h = 'cdefghijklmnopqr'
  const crafted = (i: number): string => 'a' + 'b'.repeat(124) + h[i % 16]! + h[(i >> 4) % 16]! + 'z'
  const names = new ScanNames()
  for (let i = 0; i < 256; i++) of(names, crafted(i))
  const before = names.stats.compared
  const lookups = 490
  const other = 'a' + 'b'.repeat(124) + 'xxz'
  let wrong = 0
  for (let i = 0; i < lookups; i++) if (of(names, other) !== other) wrong++
  t.equal(wrong, 0)
  t.ok(names.stats.compared - before <= lookups, `${names.stats.compared - before} comparisons for ${lookups} lookups`)
})

t.test('one-off values take a slot for a while, never the table: a name seen twice is found', async (t) => {
  const names = new ScanNames()
  // a client whose MTOM stack makes a Content-ID per attachment
  for (let i = 0; i < 5000; i++) of(names, `${i.toString(16).padStart(8, '0')}-1@cxf.apache.org`)
  const hits = names.stats.hits
  of(names, 'numGuichet')
  t.equal(names.stats.hits, hits, 'first seen: made')
  of(names, 'numGuichet')
  t.equal(names.stats.hits, hits + 1, 'seen again: found')
})

t.test('strings over 128 bytes are made each time and never kept', async (t) => {
  const names = new ScanNames()
  const long = 'l'.repeat(129)
  of(names, long)
  of(names, long)
  t.equal(names.stats.compared, 0)
  t.equal(names.stats.hits, 0)
})
