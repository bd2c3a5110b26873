import t from 'tap'
import { formatContentType, formatParameterValue, parseContentType } from '../../src/soap/content-type.js'
import { expectCode } from './helpers/expect-error.js'

t.test('media type and parameters', async (t) => {
  t.same(parseContentType('text/xml'), { mediaType: 'text/xml', params: {} })
  const ct = parseContentType('Multipart/Related; TYPE="application/xop+xml"; start="<soaproot>"; start-info="application/soap+xml"; boundary=MIME_BOUNDARY; action="urn:a"')
  t.equal(ct.mediaType, 'multipart/related', 'media type lower-cased')
  t.same({ ...ct.params }, {
    type: 'application/xop+xml', start: '<soaproot>', 'start-info': 'application/soap+xml', boundary: 'MIME_BOUNDARY', action: 'urn:a'
  }, 'names lower-cased, values unquoted, case of values kept')
})

t.test('quoted strings: escapes, separators and OWS', async (t) => {
  const ct = parseContentType('application/soap+xml ;charset=utf-8 ;  action="urn:x;y=\\"z\\"\\\\"  ')
  t.equal(ct.params.action, 'urn:x;y="z"\\', 'escaped quote and backslash, ";" and "=" inside quotes')
  t.equal(ct.params.charset, 'utf-8')
  t.same({ ...parseContentType('text/xml;;charset=utf-8;').params }, { charset: 'utf-8' }, 'empty parameters are allowed (RFC 9110)')
  t.equal(parseContentType('text/xml; a="é"').params.a, 'é', 'obs-text in a quoted string')
  t.equal(parseContentType('text/xml; a=""').params.a, '', 'empty quoted value')
})

t.test('malformed values are refused with GW_SOAP_INVALID_CONTENT_TYPE', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['', /missing media type/],
    ['text', /without "\/"/],
    ['text/', /missing media subtype/],
    ['text/xml charset=utf-8', /expected ";"/],
    ['text/xml; =x', /invalid parameter name/],
    ['text/xml; charset', /without "="/],
    ['text/xml; charset=', /empty or invalid value/],
    ['text/xml; start=<root>', /empty or invalid value/],
    ['text/xml; a="unterminated', /unterminated/],
    ['text/xml; a="x\\', /unterminated/],
    ['text/xml; a="x\u0001"', /control character/],
    ['text/xml; a="x\\\u0001"', /invalid escaped/],
    ['text/xml; Boundary=a; boundary=b', /given twice/]
  ]
  for (const [value, message] of cases) {
    const err = expectCode(t, () => parseContentType(value, { part: 'root' }), 'GW_SOAP_INVALID_CONTENT_TYPE', { part: 'root' }, JSON.stringify(value))
    t.match(err?.message, message, `${JSON.stringify(value)}: reason`)
  }
})

t.test('formatter quotes what is not a token and round-trips', async (t) => {
  t.equal(formatParameterValue('utf-8'), 'utf-8')
  t.equal(formatParameterValue('<soaproot>'), '"<soaproot>"')
  t.equal(formatParameterValue(''), '""')
  t.equal(formatParameterValue('a"b\\c'), '"a\\"b\\\\c"')
  const ct = { mediaType: 'multipart/related', params: { type: 'application/xop+xml', start: '<root>', boundary: 'b1', action: 'a "q"' } }
  const text = formatContentType(ct)
  t.equal(text, 'multipart/related; type="application/xop+xml"; start="<root>"; boundary=b1; action="a \\"q\\""')
  t.same({ ...parseContentType(text).params }, ct.params)
})
