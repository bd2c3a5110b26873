import t from 'tap'
import { parseXml } from '../../src/soap/xml-reader.js'
import { XmlPositions } from '../../src/soap/xml-positions.js'
import { walkElements } from '../../src/soap/xml-tree.js'
import type { XmlElement } from '../../src/soap/types.js'

/** Line and column of a byte offset the slow, obvious way: decode the bytes before it. */
function reference (buf: Buffer, pos: number, bom: number): { line: number, column: number } {
  const before = buf.subarray(bom, pos).toString('utf8').replace(/\r\n?/g, '\n')
  const lines = before.split('\n')
  // columns count characters, an astral character once
  return { line: lines.length, column: [...lines[lines.length - 1]!].length + 1 }
}

/** A seeded generator (mulberry32), so that a failure is reproducible. */
function random (seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let r = Math.imul(a ^ (a >>> 15), 1 | a)
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296
  }
}

const PIECES = ['a', 'bc', ' ', '\n', '\r\n', '\r', 'é', '€', '😀', 'xyz'.repeat(40)]

t.test('every offset, asked in any order, gets the line and column of a full decoding', async (t) => {
  const seed = 20261206
  const r = random(seed)
  for (let doc = 0; doc < 20; doc++) {
    // documents of a few bytes to about 20 KiB, so that several 4 KiB blocks and long lines are crossed
    let s = ''
    const n = 1 + Math.floor(r() * (doc < 10 ? 40 : 1500))
    for (let i = 0; i < n; i++) s += PIECES[Math.floor(r() * PIECES.length)]!
    const bom = doc % 4 === 0 ? 3 : 0
    const buf = Buffer.concat([Buffer.from(bom === 3 ? [0xef, 0xbb, 0xbf] : []), Buffer.from(s, 'utf8')])
    const ascii = Buffer.from(s, 'utf8').length === s.length
    // offsets at character starts, never inside a CRLF (elements start at a '<'), in a shuffled order
    const offsets: number[] = []
    for (let p = bom; p <= buf.length; p++) {
      if ((p === buf.length || (buf[p]! & 0xc0) !== 0x80) && !(buf[p - 1] === 0x0d && buf[p] === 0x0a)) offsets.push(p)
    }
    for (let i = offsets.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [offsets[i], offsets[j]] = [offsets[j]!, offsets[i]!]
    }
    const positions = new XmlPositions(buf, ascii, bom)
    let wrong = 0
    for (const p of offsets) {
      const got = positions.locate(p)
      const want = reference(buf, p, bom)
      if (got.line !== want.line || got.column !== want.column) {
        if (wrong++ === 0) t.fail(`seed ${seed}, document ${doc}, offset ${p}: ${got.line}:${got.column}, expected ${want.line}:${want.column}`)
      }
    }
    if (wrong === 0) t.pass(`document ${doc} (${buf.length} bytes, ${offsets.length} offsets)`)
  }
})

t.test('elements read their line and column when asked, in any order', async (t) => {
  const lines = Array.from({ length: 300 }, (_, i) => `<e${i} a="é${i}">${'ü'.repeat(i % 7)}</e${i}>`)
  const buf = Buffer.from(`<root>\n${lines.join('\n')}\n</root>`, 'utf8')
  const els: XmlElement[] = []
  walkElements(parseXml(buf).root, (el) => { els.push(el) })
  const forward = els.map((el) => [el.line, el.column])
  const backward = els.slice().reverse().map((el) => [el.line, el.column]).reverse()
  t.same(backward, forward, 'the same answers backwards')
  t.same(forward.slice(0, 3), [[1, 1], [2, 1], [3, 1]])
  t.same(els.map((el) => reference(buf, el.start, 0)).map((p) => [p.line, p.column]), forward)
  t.notOk(Object.keys(els[1]!).includes('line'), 'not computed while parsing: not an own property')
})

t.test('text, attribute values and names beyond ASCII are decoded from UTF-8, ASCII ones as they are', async (t) => {
  const doc = parseXml(Buffer.from('<a é="ça &amp; là" b="x&#233;y"><ñ:b xmlns:ñ="urn:ñ">Élysée &lt; 😀</ñ:b>plain<![CDATA[ü]]></a>', 'utf8'))
  const root = doc.root
  t.same(root.attributes.map((a) => [a.local, a.value]), [['é', 'ça & là'], ['b', 'xéy']])
  const child = root.children[0]!
  t.same([child.prefix, child.local, child.uri, child.text], ['ñ', 'b', 'urn:ñ', 'Élysée < 😀'])
  t.equal(root.text, 'plainü')
})
