import t from 'tap'
import { readFileSync, readdirSync } from 'node:fs'
import { GatewayError, createError } from '../../src/errors.js'
import { annotateSoapError, codes, errorToViolation, soapError, soapVersionOf } from '../../src/soap/errors.js'

t.test('soapError attaches the detail it is given, nothing else', async (t) => {
  const err = soapError(codes.GW_SOAP_XML_TOO_DEEP, { line: 1, column: 2, offset: 3, part: 'root', path: '/a', soapVersion: '1.2' }, 50)
  t.ok(err instanceof GatewayError)
  t.match(err, { code: 'GW_SOAP_XML_TOO_DEEP', statusCode: 400, message: 'element nesting deeper than 50', line: 1, column: 2, offset: 3, part: 'root', path: '/a', soapVersion: '1.2' })
  const bare = soapError(codes.GW_SOAP_XOP_MISSING_PART, { line: undefined })
  t.notOk('line' in bare, 'undefined fields are not set')
  t.equal(bare.message, 'xop:Include refers to a part the message does not contain')
})

t.test('annotateSoapError fills only what is missing, on gateway errors only', async (t) => {
  const err = soapError(codes.GW_SOAP_XML_MALFORMED, { part: 'inner' }, 'x')
  annotateSoapError(err, { part: 'outer', soapVersion: '1.1' })
  t.equal(err.part, 'inner', 'the innermost layer knows best')
  t.equal(err.soapVersion, '1.1')
  const plain = new Error('x')
  annotateSoapError(plain, { soapVersion: '1.2' })
  t.notOk('soapVersion' in plain)
})

t.test('soapVersionOf', async (t) => {
  t.equal(soapVersionOf(soapError(codes.GW_SOAP_XML_MALFORMED, { soapVersion: '1.1' }, 'x')), '1.1')
  t.equal(soapVersionOf(soapError(codes.GW_SOAP_XML_MALFORMED, {}, 'x')), undefined)
  t.equal(soapVersionOf(Object.assign(new Error('x'), { soapVersion: '1.2' })), undefined, 'only errors of the project')
  const Other = createError('GW_TEST_X', 'x', 500)
  t.equal(soapVersionOf(Object.assign(new Other(), { soapVersion: '2.0' })), undefined, 'only known versions')
})

t.test('errorToViolation maps code, message and position', async (t) => {
  t.same(errorToViolation(soapError(codes.GW_SOAP_XML_TAG_MISMATCH, { line: 4, column: 5, offset: 9, part: 'soaproot', path: '/a/b' }, 'c', 'b')), {
    code: 'GW_SOAP_XML_TAG_MISMATCH', message: 'end tag </c> does not match the open element <b>', path: '/a/b', line: 4, column: 5, part: 'soaproot'
  })
  const Other = createError('GW_TEST_Y', 'other %s', 502)
  t.same(errorToViolation(new Other('thing')), { code: 'GW_TEST_Y', message: 'other thing' }, 'any project error')
})

t.test('every GW_SOAP_ code is produced by a test of test/soap', async (t) => {
  const dir = new URL('./', import.meta.url)
  const sources = readdirSync(dir).filter((f) => f.endsWith('.test.ts') && f !== 'errors.test.ts')
    .map((f) => readFileSync(new URL(f, dir), 'utf8')).join('\n')
  for (const code of Object.keys(codes)) {
    t.ok(new RegExp(`'${code}'`).test(sources), `${code} is expected by a test`)
  }
})
