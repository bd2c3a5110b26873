import t from 'tap'
import { parseContentType } from '../../src/soap/content-type.js'
import { DEFAULT_MAX_PARTS, decodeBase64Strict, decodeQuotedPrintable, decodeTransferEncoding, isValidBoundary, parseMultipart, stripAngleBrackets } from '../../src/soap/mime.js'
import { expectCode } from './helpers/expect-error.js'

const ct = (params = '; start="<root>"'): ReturnType<typeof parseContentType> => parseContentType(`multipart/related; boundary="b1"${params}`)
const crlf = (s: string): Buffer => Buffer.from(s.replace(/\n/g, '\r\n'), 'latin1')

const simple = '--b1\nContent-ID: <root>\nContent-Type: application/xop+xml\n\n<root/>\n--b1\nContent-ID: <att>\nContent-Transfer-Encoding: binary\n\n\u0000\u00ff\n--b1--\n'

t.test('splits parts, strips Content-ID brackets, decodes bodies', async (t) => {
  const mp = parseMultipart(crlf(simple), ct())
  t.equal(mp.parts.length, 2)
  t.equal(mp.root.contentId, 'root')
  t.equal(mp.root.body.toString(), '<root/>')
  t.same(mp.root.headers, { 'content-id': '<root>', 'content-type': 'application/xop+xml' })
  t.equal(mp.root.contentType, 'application/xop+xml')
  t.equal(mp.root.transferEncoding, '7bit', 'absent encoding is 7bit')
  const att = mp.attachments.get('att')!
  t.same([...att.body], [0x00, 0xff], 'binary bytes untouched')
  t.equal(att.transferEncoding, 'binary')
  t.same([...mp.attachments.keys()], ['att'])
})

t.test('tolerates bare LF, blank preamble and epilogue, and transport padding', async (t) => {
  const body = '\r\n\n--b1 \t\nContent-ID: <root>\n\nA\nB\n--b1\t\nContent-ID:<att>\n\nx\n--b1--  \n\r\n'
  const mp = parseMultipart(Buffer.from(body), ct())
  t.equal(mp.root.body.toString(), 'A\nB', 'inner LF kept, the LF before the delimiter dropped')
  t.equal(mp.attachments.get('att')!.body.toString(), 'x')
  const crlfBody = crlf('--b1\nContent-ID: <root>\n\nA\n--b1--')
  t.equal(parseMultipart(crlfBody, ct()).root.body.toString(), 'A', 'CRLF before the delimiter dropped; no CRLF after the close delimiter')
})

t.test('what another parser could split differently is refused', async (t) => {
  // JAX-WS stacks find the boundary anywhere, even mid-line: each of these hides a part from one
  // parser or the other.
  const cases: Array<[string, string, RegExp]> = [
    ['This is a preamble\n--b1\nContent-ID: <root>\n\nA\n--b1--\n', 'a preamble', /before the first delimiter/],
    ['x--b1\nContent-ID: <root>\n\nHIDDEN\n--b1\nContent-ID: <root>\n\nA\n--b1--\n', 'a part hidden in the preamble', /before the first delimiter/],
    ['--b1\nContent-ID: <root>\n\nA\n--b1--\nepilogue --b1\n', 'an epilogue', /after the close delimiter/],
    ['--b1\nContent-ID: <root>\n\nx --b1 y\n--b1--\n', 'the boundary mid-line', /inside a part/],
    ['--b1\nContent-ID: <root>\n\n--b1x is not a delimiter here\n--b1--\n', 'the boundary as a line prefix', /inside a part/]
  ]
  for (const [body, name, message] of cases) {
    const err = expectCode(t, () => parseMultipart(crlf(body), ct()), 'GW_SOAP_MIME_AMBIGUOUS', { part: 'multipart' }, name)
    t.match(err?.message, message, name)
  }
})

t.test('empty bodies', async (t) => {
  const noBody = crlf('--b1\nContent-ID: <root>\n\n--b1\nContent-ID: <e>\n\n\n--b1--\n')
  const mp = parseMultipart(noBody, ct())
  t.equal(mp.root.body.length, 0, 'part with headers only')
  t.equal(mp.attachments.get('e')!.body.length, 0, 'part with an empty body')
})

t.test('the root: start with or without brackets, default first part', async (t) => {
  const twoParts = crlf('--b1\nContent-ID: <a>\n\nA\n--b1\nContent-ID: <b>\n\nB\n--b1--\n')
  t.equal(parseMultipart(twoParts, ct('; start="<b>"')).root.contentId, 'b')
  t.equal(parseMultipart(twoParts, ct('; start=b')).root.contentId, 'b', 'start without angle brackets, as the reference client writes it')
  const first = parseMultipart(twoParts, ct(''))
  t.equal(first.root.contentId, 'a', 'default: first part')
  t.same([...first.attachments.keys()], ['b'])
  expectCode(t, () => parseMultipart(twoParts, ct('; start="<c>"')), 'GW_SOAP_MIME_ROOT_NOT_FOUND', { part: 'multipart' })
  expectCode(t, () => parseMultipart(crlf('--b1--\n'), ct()), 'GW_SOAP_MIME_ROOT_NOT_FOUND', {}, 'no part at all')
  t.equal(stripAngleBrackets(' <x@y> '), 'x@y')
  t.equal(stripAngleBrackets('x'), 'x')
})

t.test('boundary parameter', async (t) => {
  expectCode(t, () => parseMultipart(crlf(simple), parseContentType('multipart/related; start="<root>"')), 'GW_SOAP_MIME_INVALID_BOUNDARY', { part: 'multipart' }, 'absent')
  expectCode(t, () => parseMultipart(crlf(simple), parseContentType(`multipart/related; boundary="${'a'.repeat(71)}"`)), 'GW_SOAP_MIME_INVALID_BOUNDARY', {}, 'too long')
  expectCode(t, () => parseMultipart(crlf(simple), parseContentType('multipart/related; boundary="a "')), 'GW_SOAP_MIME_INVALID_BOUNDARY', {}, 'final space')
  expectCode(t, () => parseMultipart(crlf(simple), parseContentType('multipart/related; boundary="a*b"')), 'GW_SOAP_MIME_INVALID_BOUNDARY', {}, 'character outside bchars')
  t.ok(isValidBoundary("uuid:0a1b'()+_,-./:=? x"))
  expectCode(t, () => parseMultipart(crlf(simple), parseContentType('multipart/related; boundary=other')), 'GW_SOAP_MIME_BOUNDARY_NOT_FOUND', { part: 'multipart' }, 'wrong boundary')
  expectCode(t, () => parseMultipart(Buffer.from('x--b1\nContent-ID: <root>\n\nA x--b1--'), ct()), 'GW_SOAP_MIME_BOUNDARY_NOT_FOUND', {}, 'boundary not at a line start')
})

t.test('truncated multipart', async (t) => {
  const whole = crlf(simple)
  expectCode(t, () => parseMultipart(whole.subarray(0, whole.length - 8), ct()), 'GW_SOAP_MIME_TRUNCATED', { part: '#2' }, 'missing closing delimiter')
  expectCode(t, () => parseMultipart(crlf('--b1\nContent-ID: <root>\n\nA\n--b1'), ct()), 'GW_SOAP_MIME_TRUNCATED', {}, 'ends on an open delimiter')
  expectCode(t, () => parseMultipart(crlf('--b1\nContent-ID: <root>'), ct()), 'GW_SOAP_MIME_TRUNCATED', {}, 'ends in headers')
  expectCode(t, () => parseMultipart(Buffer.from('--b1'), ct()), 'GW_SOAP_MIME_TRUNCATED', {}, 'only a delimiter')
})

t.test('part headers', async (t) => {
  const folded = crlf('--b1\nContent-ID: <root>\nContent-Type: application/xop+xml;\n\ttype="text/xml"\nX-A: 1\nX-A: 2\n\nA\n--b1--\n')
  const root = parseMultipart(folded, ct()).root
  t.equal(root.contentType, 'application/xop+xml; type="text/xml"', 'folded header unfolded')
  t.equal(root.headers['x-a'], '1, 2', 'repeated ordinary header joined')
  for (const [headers, name] of [
    ['Content-ID: <root>\nnot a header', 'line without colon'],
    ['Content-ID: <root>\n: value', 'empty name'],
    ['Content-ID: <root>\nBad Name: x', 'space in name'],
    [' folded first\nContent-ID: <root>', 'continuation first'],
    ['Content-ID: <root>\nContent-Type: a/b\nContent-Type: c/d', 'Content-Type twice'],
    ['Content-ID: <root>\nContent-ID: <root>', 'Content-ID twice'],
    [`Content-ID: <root>\nX-Big: ${'x'.repeat(17 * 1024)}`, 'header block too long'],
    // parsers disagree on a bare CR: some end the header line there, and read X-Evil as a header
    ['Content-ID: <root>\rContent-Transfer-Encoding: base64', 'a bare CR inside a header line'],
    ['Content-ID: <root>\u0000', 'a NUL in a header line'],
    ['Content-Type: text/xml\u000b', 'a vertical tab in a header line']
  ]) {
    expectCode(t, () => parseMultipart(crlf(`--b1\n${headers}\n\nA\n--b1--\n`), ct()), 'GW_SOAP_MIME_INVALID_HEADERS', { part: '#1' }, name)
  }
})

t.test('part header names read on the bytes: any case, the known ones told from their look-alikes', async (t) => {
  const part = (headers: string): ReturnType<typeof parseMultipart>['root'] => parseMultipart(crlf(`--b1\n${headers}\n\nA\n--b1--\n`), ct()).root
  const root = part('CONTENT-ID: <root>\ncontent-TYPE: text/xml\nContent-Transfer-Encoding: 8BIT\nContent-Typf: x\nContent-IE: y')
  t.same(root.headers, { 'content-id': '<root>', 'content-type': 'text/xml', 'content-transfer-encoding': '8BIT', 'content-typf': 'x', 'content-ie': 'y' })
  t.equal(root.contentId, 'root')
  t.equal(root.contentType, 'text/xml')
  t.equal(root.transferEncoding, '8bit')
  t.equal(part('Content-ID: <root>\nX-Value:  \u00a0a b\u00a0 ').headers['x-value'], 'a b', 'a value trimmed as before, no-break spaces included')
  for (const [headers, name] of [
    ['Content-ID: <root>\nCONTENT-TYPE: a/b\ncontent-type: c/d', 'Content-Type twice, in two cases'],
    ['Content-ID: <root>\nContent\u00c9ID: x', 'a byte above 0x7F in a name'],
    ['Content-ID: <root>\nContent\rID: x', 'a CR in a name'],
    ['Content-ID: <root>\u007f', 'a DEL in a header line']
  ] as const) {
    expectCode(t, () => parseMultipart(Buffer.from(`--b1\r\n${headers.replace(/\n/g, '\r\n')}\r\n\r\nA\r\n--b1--\r\n`, 'latin1'), ct()), 'GW_SOAP_MIME_INVALID_HEADERS', { part: '#1' }, name)
  }
})

t.test('Content-ID uniqueness and part count', async (t) => {
  expectCode(t, () => parseMultipart(crlf('--b1\nContent-ID: <root>\n\nA\n--b1\nContent-ID: < root >\n\nB\n--b1--\n'), ct()), 'GW_SOAP_MIME_DUPLICATE_CONTENT_ID', { part: 'root' })
  expectCode(t, () => parseMultipart(crlf('--b1\nContent-ID: <root>\n\nA\n--b1\n\nB\n--b1\n\nC\n--b1--\n'), ct()), 'GW_SOAP_MIME_DUPLICATE_CONTENT_ID', { part: 'multipart' }, 'two attachments without Content-ID')
  t.equal(DEFAULT_MAX_PARTS, 32)
  const parts = (n: number): Buffer => crlf(Array.from({ length: n }, (_, i) => `--b1\nContent-ID: <p${i}>\n\n${i}\n`).join('') + '--b1--\n')
  t.equal(parseMultipart(parts(32), ct('')).parts.length, 32)
  expectCode(t, () => parseMultipart(parts(33), ct('')), 'GW_SOAP_MIME_TOO_MANY_PARTS', {}, 'default limit')
  expectCode(t, () => parseMultipart(parts(3), ct(''), { maxParts: 2 }), 'GW_SOAP_MIME_TOO_MANY_PARTS', {}, 'configured limit')
  const huge = parts(10_000)
  expectCode(t, () => parseMultipart(huge, ct('')), 'GW_SOAP_MIME_TOO_MANY_PARTS', {}, '10 000 parts refused at the 33rd')
})

t.test('transfer encodings', async (t) => {
  const enc = (cte: string, body: string): Buffer => parseMultipart(crlf(`--b1\nContent-ID: <root>\nContent-Transfer-Encoding: ${cte}\n\n${body}\n--b1--\n`), ct()).root.body
  t.equal(enc('BASE64', 'aGVs\nbG8=').toString(), 'hello', 'base64, any case, with line breaks')
  t.equal(enc('8Bit', 'é').toString('latin1'), 'é', '8bit as is')
  t.equal(enc('7bit', 'abc').toString(), 'abc')
  t.equal(enc('quoted-printable', 'caf=C3=A9 =\nsuite  \nx').toString(), 'café suite\r\nx', 'quoted-printable: escapes, soft break, trailing blanks')
  expectCode(t, () => enc('x-uuencode', 'abc'), 'GW_SOAP_MIME_UNSUPPORTED_TRANSFER_ENCODING', { part: 'root' })
  expectCode(t, () => enc('base64', 'aGVs bG8='), 'GW_SOAP_MIME_INVALID_BASE64', { part: 'root' }, 'space inside base64')
})

t.test('strict base64', async (t) => {
  const d = (s: string): Buffer => decodeBase64Strict(Buffer.from(s, 'latin1'), { part: 'p' })
  t.equal(d('').length, 0)
  t.equal(d('QQ==').toString(), 'A')
  t.equal(d('QUI=').toString(), 'AB')
  t.equal(d('QUJD\r\nREVG').toString(), 'ABCDEF')
  t.same([...d('//79')], [0xff, 0xfe, 0xfd])
  for (const [bad, reason] of [['QQ=', /multiple of 4/], ['QUJ', /multiple of 4/], ['QQ==QQ==', /after the padding/], ['Q===', /after the padding/], ['QU-D', /outside the base64 alphabet/], ['QU_D', /outside/], ['====', /after the padding/], ['QUJD=', /multiple of 4/], ['QUJD\u00e9', /outside/]] as Array<[string, RegExp]>) {
    const err = expectCode(t, () => d(bad), 'GW_SOAP_MIME_INVALID_BASE64', { part: 'p' }, JSON.stringify(bad))
    t.match(err?.message, reason)
  }
})

t.test('strict base64 decodes as Node does: every length, wrapped at 76 or not, up to a 1 MiB attachment', async (t) => {
  const d = (s: string): Buffer => decodeBase64Strict(Buffer.from(s, 'latin1'), { part: 'p' })
  const wrap = (s: string): string => s.replace(/(.{76})/g, '$1\r\n')
  let seed = 7
  const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff))
  let same = 0
  for (let n = 0; n <= 200; n++) {
    const data = bytes(n)
    const text = data.toString('base64')
    if (d(text).equals(data) && d(wrap(text)).equals(data)) same++
  }
  t.equal(same, 201, 'lengths 0 to 200, with and without line breaks')
  const large = bytes(1 << 20)
  t.ok(d(wrap(large.toString('base64'))).equals(large), '1 MiB')
})

t.test('strict base64: any mix of alphabet, padding, line breaks and stray bytes is refused or decoded as Node does, as the grammar says', async (t) => {
  // the grammar once line breaks are dropped; Node's decoder gives the bytes of what it accepts
  const STRICT = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
  const symbols = 'QUJDRV0129+/AAAAAAAAAAAAAAAA====\r\n\r\n-_ \u00e9\u0000'
  let seed = 11
  const next = (n: number): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n
  let accepted = 0
  let refused = 0
  let wrong = 0
  for (let round = 0; round < 20_000; round++) {
    const text = Array.from({ length: next(14) }, () => symbols[next(symbols.length)]).join('')
    const compact = text.replace(/[\r\n]/g, '')
    let got: Buffer | undefined
    try {
      got = decodeBase64Strict(Buffer.from(text, 'latin1'), { part: 'p' })
    } catch (err) {
      if ((err as { code?: string }).code !== 'GW_SOAP_MIME_INVALID_BASE64') wrong++
    }
    if (STRICT.test(compact)) {
      accepted++
      if (got === undefined || !got.equals(Buffer.from(compact, 'base64'))) wrong++
    } else {
      refused++
      if (got !== undefined) wrong++
    }
  }
  t.equal(wrong, 0, `${accepted} accepted and ${refused} refused, each as the grammar says`)
  t.ok(accepted > 1000 && refused > 1000, 'both outcomes well covered')
})

t.test('7bit holds US-ASCII without NUL; 8bit and binary hold any byte', async (t) => {
  t.equal(decodeTransferEncoding(Buffer.from('plain ASCII\r\n'), '7bit', {}).toString(), 'plain ASCII\r\n')
  for (const [bytes, offset] of [[Buffer.from('caf\u00e9', 'utf8'), 3], [Buffer.from([0x41, 0x00, 0x42]), 1], [Buffer.from([0xff]), 0]] as const) {
    expectCode(t, () => decodeTransferEncoding(bytes, '7bit', { part: 'doc' }), 'GW_SOAP_MIME_INVALID_7BIT', { part: 'doc', offset }, bytes.toString('hex'))
    t.same(decodeTransferEncoding(bytes, '8bit', {}), bytes, '8bit keeps them')
    t.same(decodeTransferEncoding(bytes, 'binary', {}), bytes, 'binary keeps them')
  }
  // a part that declares no encoding is passed as it is (clients that omit it send UTF-8 and binary)
  t.equal(parseMultipart(crlf('--b1\nContent-ID: <root>\n\n\u00e9t\u00e9\n--b1--\n'), ct()).root.body.toString('latin1'), '\u00e9t\u00e9', 'no declared encoding: not held to 7bit')
  expectCode(t, () => parseMultipart(crlf('--b1\nContent-ID: <root>\nContent-Transfer-Encoding: 7bit\n\n\u00e9t\u00e9\n--b1--\n'), ct()), 'GW_SOAP_MIME_INVALID_7BIT', { part: 'root' }, 'a declared 7bit is')
})

t.test('quoted-printable', async (t) => {
  const q = (s: string): string => decodeQuotedPrintable(Buffer.from(s, 'latin1'), {}).toString('latin1')
  t.equal(q('a=3Db=3d'), 'a=b=', 'hex digits in either case')
  t.equal(q('soft=\r\nbreak'), 'softbreak')
  t.equal(q('soft= \t\r\nbreak'), 'softbreak', 'padding after the soft break =')
  t.equal(q('end='), 'end')
  t.equal(q('a \t\r\nb'), 'a\r\nb', 'trailing blanks dropped')
  t.equal(q('a b'), 'a b')
  t.equal(q('trailing  '), 'trailing')
  for (const bad of ['=4', '=G1', '=\u00e9A', 'x=1']) {
    expectCode(t, () => decodeQuotedPrintable(Buffer.from(bad, 'latin1'), {}), 'GW_SOAP_MIME_INVALID_QUOTED_PRINTABLE', {}, JSON.stringify(bad))
  }
  expectCode(t, () => decodeTransferEncoding(Buffer.from('=zz'), 'quoted-printable', { part: 'x' }), 'GW_SOAP_MIME_INVALID_QUOTED_PRINTABLE', { part: 'x' })
})
