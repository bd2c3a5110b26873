import t from 'tap'
import Fastify from 'fastify'
import { addRawBodyParser } from '../../src/routes/soap-service.js'

t.test('SOAP media types are registered by name (cached lookup); anything else still reads raw', async (t) => {
  const app = Fastify()
  t.teardown(async () => { await app.close() })
  addRawBodyParser(app, 1024)
  for (const type of ['multipart/related', 'application/soap+xml', 'text/xml']) {
    t.ok(app.hasContentTypeParser(type), type)
  }
  app.post('/', async (request) => ({ isBuffer: Buffer.isBuffer(request.body), length: (request.body as Buffer).length }))
  for (const type of ['multipart/related; type="application/xop+xml"; boundary="B"', 'application/json', 'x-whatever/thing']) {
    const res = await app.inject({ method: 'POST', url: '/', headers: { 'content-type': type }, payload: '{"a":1}' })
    t.same(res.json(), { isBuffer: true, length: 7 }, type)
  }
  const big = await app.inject({ method: 'POST', url: '/', headers: { 'content-type': 'text/xml' }, payload: Buffer.alloc(2048) })
  t.equal(big.statusCode, 413, 'bodyLimit applies to the named types too')
})
