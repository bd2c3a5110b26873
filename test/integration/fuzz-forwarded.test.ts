// A seeded, bounded fuzz of the request path: valid messages of the corpus, mutated where parsers
// disagree (inline base64, transfer encodings, part headers, the Body, actions, dates, random
// bytes), are sent through the gateway over TLS; every message the capturing upstream received
// is then checked by test/integration/fixtures/independent_check.py, which shares no code with
// src/ (Python's email parser, base64 with validate=True, lxml against wsdl/). The gateway must
// never forward a message that decoder finds invalid.
//
// FUZZ_COUNT (default 300) messages; FUZZ_SEED (default 12345, so that CI is repeatable;
// `random` for a fresh one) replays a run (the seed is printed).
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startStack, type Stack } from './helpers/gateway-stack.js'
import { startCapturingUpstream, type CapturingUpstream } from './helpers/capturing-upstream.js'
import { testPki } from '../helpers/pki.js'
import { createPrng } from '../../src/simulator/seed.js'

const SERVICE = '/ecole/services/DemandeLogementImplService/'
const WS = 'http://ws.metier.nuu.application.i2/'
const COUNT = Math.min(Number(process.env.FUZZ_COUNT ?? 300), 100_000)
const SEED = process.env.FUZZ_SEED === 'random' ? Math.floor(Math.random() * 2 ** 31) : Number(process.env.FUZZ_SEED ?? 12345)
const PYTHON = '/usr/bin/python3'
const CHECKER = fileURLToPath(new URL('./fixtures/independent_check.py', import.meta.url))
const WSDL = fileURLToPath(new URL('../../wsdl/', import.meta.url))
const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url))

interface Message { body: string, contentType: string, headers: Record<string, string> }
type Mutator = (m: Message, rnd: () => number) => Message | undefined

const pick = <T>(rnd: () => number, items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!
const FOREIGN = ['*', '-', '_', '!', '%', '.', '\u007f', '=', ' ', '\t', '\n', '\r', 'é', '\\', '+', '/', 'A', '==']
const INLINE = /(<fichierDemande[^>]*>)([^<]*)(<)/

/** Edits the inline base64 of fichierDemande, if the message has one. */
const inlineBase64 = (edit: (b64: string, rnd: () => number) => string): Mutator => (m, rnd) => {
  const match = INLINE.exec(m.body)
  if (match === null) return undefined
  return { ...m, body: m.body.replace(INLINE, (_s, open: string, b64: string, close: string) => open + edit(b64, rnd) + close) }
}

/** Edits the interfaceNuu document, inline (decoded, edited, encoded again) or in its MTOM part. */
const documentEdit = (edit: (doc: string, rnd: () => number) => string): Mutator => (m, rnd) => {
  const match = INLINE.exec(m.body)
  if (match !== null) {
    const doc = Buffer.from(match[2]!, 'base64').toString('latin1')
    return { ...m, body: m.body.replace(INLINE, (_s, open: string, _b: string, close: string) => open + Buffer.from(edit(doc, rnd), 'latin1').toString('base64') + close) }
  }
  const start = m.body.indexOf('<ns1:interfaceNuu')
  if (start < 0) return undefined
  return { ...m, body: m.body.slice(0, start) + edit(m.body.slice(start), rnd) }
}

const at = (s: string, rnd: () => number): number => Math.floor(rnd() * (s.length + 1))

const MUTATORS: Record<string, Mutator> = {
  base64Insert: inlineBase64((b, rnd) => { const i = at(b, rnd); return b.slice(0, i) + pick(rnd, FOREIGN) + b.slice(i) }),
  base64Delete: inlineBase64((b, rnd) => { const i = at(b, rnd); return b.slice(0, i) + b.slice(i + 1) }),
  base64Whitespace: inlineBase64((b, rnd) => { const i = at(b, rnd); return b.slice(0, i) + pick(rnd, [' ', '\n', '\r\n', '\t']) + b.slice(i) }),
  base64Replace: inlineBase64((b, rnd) => { const i = Math.floor(rnd() * b.length); return b.slice(0, i) + pick(rnd, ['A', 'z', '0', '+', '/']) + b.slice(i + 1) }),
  transferEncoding: (m, rnd) => m.body.includes('Content-Transfer-Encoding: 8bit')
    ? { ...m, body: m.body.replace('Content-Transfer-Encoding: 8bit', `Content-Transfer-Encoding: ${pick(rnd, ['7bit', 'binary', 'base64', 'quoted-printable', 'x-unknown', '7BIT'])}`) }
    : undefined,
  headerControl: (m, rnd) => {
    const i = m.body.indexOf('Content-ID: <')
    return i < 0 ? undefined : { ...m, body: m.body.slice(0, i + 12) + pick(rnd, ['\r', '\u0000', '\u000b', '\r\n ', '\n']) + m.body.slice(i + 12) }
  },
  secondBodyElement: (m) => m.body.includes('</soap:Body>') ? { ...m, body: m.body.replace('</soap:Body>', '<ws:numUniqueParametres xmlns:ws="http://ws.metier.nuu.application.i2/"/></soap:Body>') } : undefined,
  contentTypeAction: (m, rnd) => ({ ...m, contentType: m.contentType.replace(/action="[^"]*"/, `action="${pick(rnd, [`${WS}getDoublons`, 'getDemandeLogement', `${WS}getNumUnique`, 'getNumUnique', ''])}"`) }),
  soapActionHeader: (m, rnd) => ({ ...m, headers: { ...m.headers, soapaction: pick(rnd, [`"${WS}getDoublons"`, `"${WS}getNumUnique"`, 'getNumUnique', '""']) } }),
  wsaAction: (m, rnd) => m.body.includes('<soap:Header/>')
    ? { ...m, body: m.body.replace('<soap:Header/>', `<soap:Header><wsa:Action xmlns:wsa="http://www.w3.org/2005/08/addressing">${pick(rnd, [`${WS}getDoublons`, `${WS}getNumUnique`])}</wsa:Action></soap:Header>`) }
    : undefined,
  farYear: documentEdit((d, rnd) => d.replace(/>(20\d\d)-/, `>${pick(rnd, ['1', '9', '12', '99999'])}$1-`)),
  documentCode: documentEdit((d, rnd) => d.replace(/code="([^"]*)"/, `code="${pick(rnd, ['9', 'ZZ', '', '1 '])}"`)),
  preamble: (m, rnd) => m.contentType.startsWith('multipart/')
    ? { ...m, body: pick(rnd, ['\r\n', 'x', 'x--MIME_BOUNDARY\r\nContent-ID: <soaproot>\r\n\r\n<a/>\r\n']) + m.body }
    : undefined,
  boundaryInside: (m, rnd) => {
    const i = m.body.indexOf('</soap:Body>')
    return i < 0 || !m.contentType.startsWith('multipart/') ? undefined : { ...m, body: m.body.slice(0, i) + pick(rnd, [' --MIME_BOUNDARY ', '\r\n--MIME_BOUNDARYx ']) + m.body.slice(i) }
  },
  contentTypeParameter: (m, rnd) => ({ ...m, contentType: m.contentType + pick(rnd, [`; xaction="${WS}getDoublons"`, `; action*=utf-8''${encodeURIComponent(`${WS}getDoublons`)}`, '; foo=bar', `; x-a="action=${WS}getDoublons"`, '; charset=utf-8']) }),
  byteFlip: (m, rnd) => {
    const i = Math.floor(rnd() * m.body.length)
    return { ...m, body: m.body.slice(0, i) + String.fromCharCode(Math.floor(rnd() * 256)) + m.body.slice(i + 1) }
  }
}

interface Base { name: string, message: Message }

function bases (): Base[] {
  const out: Base[] = []
  for (const name of readdirSync(FIXTURES).filter((n) => n.startsWith('valid-')).sort()) {
    const meta = JSON.parse(readFileSync(join(FIXTURES, name, 'case.json'), 'utf8')) as { contentType?: string, soapAction?: string, generate?: string }
    if (meta.contentType === undefined || meta.generate !== undefined) continue
    const headers: Record<string, string> = meta.soapAction === undefined ? {} : { soapaction: meta.soapAction }
    out.push({ name, message: { body: readFileSync(join(FIXTURES, name, 'message')).toString('latin1'), contentType: meta.contentType, headers } })
  }
  return out
}

const checker = spawnSync(PYTHON, ['-c', 'import lxml'], { encoding: 'utf8' })
const available = checker.status === 0

t.test('every message the gateway forwards is valid for an independent decoder', { skip: !available && process.env.CI !== 'true' ? `${PYTHON} with lxml (Debian python3-lxml) is needed` : false }, async (t) => {
  t.comment(`fuzz seed ${SEED} (replay with FUZZ_SEED=${SEED}), ${COUNT} messages`)
  const upstream: CapturingUpstream = await startCapturingUpstream(await testPki())
  const stack: Stack = await startStack({ upstreamUrl: upstream.url })
  t.teardown(async () => {
    await stack.close()
    await upstream.close()
  })
  const rnd = createPrng(SEED)
  const all = bases()
  t.ok(all.length >= 20, `${all.length} valid messages to mutate`)
  const tally = { forwarded: 0, refused: 0, other: 0, mutations: new Map<string, number>() }
  for (let i = 0; i < COUNT; i++) {
    const base = pick(rnd, all)
    let message = base.message
    const names = Object.keys(MUTATORS)
    const rounds = 1 + Math.floor(rnd() * 2)
    for (let r = 0; r < rounds; r++) {
      const name = pick(rnd, names)
      const next = MUTATORS[name]!(message, rnd)
      if (next !== undefined) {
        message = next
        tally.mutations.set(name, (tally.mutations.get(name) ?? 0) + 1)
      }
    }
    const res = await stack.post(SERVICE, Buffer.from(message.body, 'latin1'), message.contentType, message.headers)
    if (res.status === 200) tally.forwarded++
    else if (res.status === 400 || res.status === 413 || res.status === 415) tally.refused++
    else tally.other++
  }
  const forwarded = upstream.received.filter((r) => r.method === 'POST')
  t.equal(forwarded.length, tally.forwarded, 'every 200 was one forwarded call, and nothing else was forwarded')
  t.ok(tally.refused > COUNT / 10, `${tally.refused} refused: the mutations reach the checks`)
  t.ok(tally.forwarded > COUNT / 20, `${tally.forwarded} forwarded: some mutations keep a message valid`)
  t.equal(tally.other, 0, 'every call was answered 200 or refused as the client\'s fault')
  t.comment(`forwarded ${tally.forwarded}, refused ${tally.refused}; mutations: ${[...tally.mutations].map(([k, v]) => `${k} ${v}`).join(', ')}`)

  const dir = mkdtempSync(join(tmpdir(), 'sne-fuzz-'))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  forwarded.forEach((r, i) => {
    writeFileSync(join(dir, `${String(i).padStart(6, '0')}.ct`), String(r.headers['content-type'] ?? ''), 'latin1')
    writeFileSync(join(dir, `${String(i).padStart(6, '0')}.body`), r.body)
  })
  const run = spawnSync(PYTHON, [CHECKER, WSDL, dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  t.equal(run.status, 0, `the independent checker ran: ${run.stderr.slice(0, 500)}`)
  const report = JSON.parse(run.stdout) as { checked: number, invalid: Array<{ message: string, reason: string }> }
  t.equal(report.checked, forwarded.length, 'it checked every forwarded message')
  for (const bad of report.invalid) {
    const r = forwarded[Number(bad.message)]
    t.comment(`forwarded but invalid: ${bad.reason}; Content-Type ${String(r?.headers['content-type'])}; SOAPAction ${String(r?.headers.soapaction)}`)
  }
  t.same(report.invalid, [], `no forwarded message is invalid for the independent decoder (seed ${SEED})`)
})
