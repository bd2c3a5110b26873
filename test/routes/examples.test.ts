// The sample requests shipped in examples/requests/ (the first call printed by `npm start`) stay
// valid against wsdl/.
import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import { sharedSpec } from '../integration/helpers/gateway-stack.js'

const dir = new URL('../../examples/requests/', import.meta.url)

t.test('each examples/requests/*.mtom validates with its content type', async (t) => {
  const spec = await sharedSpec()
  const files = readdirSync(dir).filter((f) => f.endsWith('.mtom'))
  t.equal(files.length, 6, 'one per operation')
  const operations = new Set<string>()
  for (const file of files) {
    const body = readFileSync(new URL(file, dir))
    const contentType = readFileSync(new URL(file.replace(/\.mtom$/, '.content-type'), dir), 'utf8').trim()
    const result = spec.validateMessage(body, contentType)
    t.same(result.violations, [], file)
    t.equal(result.soapVersion, '1.2')
    if (result.operation !== undefined) operations.add(result.operation)
    t.ok(body.includes('\r\n--MIME_BOUNDARY--'), `${file}: CRLF multipart as sent`)
  }
  t.same([...operations].sort(), [...spec.operations.keys()].sort(), 'every operation has its sample')
})
