// The API reference's routes on the ops plane, through inject(): the page with its strict CSP, the
// document of each environment, and Swagger UI's assets with their types and cache headers.
import t from 'tap'
import Fastify from 'fastify'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { apiDocs } from '../../src/ops/api-docs.js'

const documents = new Map([
  ['ecole', { openapi: '3.1.0', info: { title: 'a', version: '1' }, servers: [{ url: '/ecole/api/v1' }] }],
  ['production', { openapi: '3.1.0', info: { title: 'b', version: '1' }, servers: [{ url: '/production/api/v1' }] }]
])

async function app (docs: ReadonlyMap<string, Record<string, unknown>> = documents): Promise<ReturnType<typeof Fastify>> {
  const a = Fastify()
  await a.register(apiDocs({ documents: docs }))
  t.teardown(() => a.close())
  return a
}

t.test('the page: HTML under a strict CSP, its assets by content hash, links to the other environments', async (t) => {
  const a = await app()
  const res = await a.inject({ method: 'GET', url: '/api-docs/' })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'text/html; charset=utf-8')
  t.equal(res.headers['cache-control'], 'no-cache')
  t.equal(res.headers['x-content-type-options'], 'nosniff')
  const csp = String(res.headers['content-security-policy'])
  t.match(csp, /default-src 'none'/)
  t.match(csp, /script-src 'self'(;|$)/, 'scripts from the ops plane only, none inline')
  t.match(csp, /style-src 'self'(;|$)/)
  t.match(csp, /frame-ancestors 'none'/)
  t.notMatch(csp, /unsafe|https?:/, 'no unsafe-*, no other origin')
  const scripts = [...res.body.matchAll(/<script src="([^"]+)">/g)].map((m) => m[1]!)
  t.match(scripts, [/^assets\/[0-9a-f]{16}\/swagger-ui-bundle\.js$/, /^assets\/[0-9a-f]{16}\/init\.js$/])
  t.notMatch(res.body, /<script>|<style>|style="/, 'no inline script or style')
  t.match(res.body, /<a href="\?env=ecole">ecole<\/a> · <a href="\?env=production">production<\/a>/)
  const single = await (await app(new Map([['ecole', documents.get('ecole')!]]))).inject({ method: 'GET', url: '/api-docs/' })
  t.notMatch(single.body, /<nav>/, 'no environment links for one environment')

  const redirect = await a.inject({ method: 'GET', url: '/api-docs' })
  t.equal(redirect.statusCode, 301)
  t.equal(redirect.headers.location, '/api-docs/')
})

t.test('the assets: Swagger UI from swagger-ui-dist, typed, cached for good', async (t) => {
  const a = await app()
  const page = await a.inject({ method: 'GET', url: '/api-docs/' })
  const base = /href="(assets\/[0-9a-f]{16})\/swagger-ui\.css"/.exec(page.body)![1]!
  const dist = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))
  for (const [file, type] of [['swagger-ui-bundle.js', 'text/javascript; charset=utf-8'], ['swagger-ui.css', 'text/css; charset=utf-8'], ['init.js', 'text/javascript; charset=utf-8']] as const) {
    const res = await a.inject({ method: 'GET', url: `/api-docs/${base}/${file}` })
    t.equal(res.statusCode, 200, file)
    t.equal(res.headers['content-type'], type, `${file}: ${type}`)
    t.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable', `${file}: immutable`)
    t.equal(res.headers['x-content-type-options'], 'nosniff')
    if (file !== 'init.js') t.ok(res.rawPayload.equals(readFileSync(join(dist, file))), `${file}: the package's file`)
  }
  const init = await a.inject({ method: 'GET', url: `/api-docs/${base}/init.js` })
  t.match(init.body, /supportedSubmitMethods: \[\]/, 'no "Try it out"')
  t.match(init.body, /validatorUrl: null/, 'no online validator badge')
  t.equal((await a.inject({ method: 'GET', url: `/api-docs/${base}/package.json` })).statusCode, 404, 'only the three assets')
  t.equal((await a.inject({ method: 'GET', url: '/api-docs/assets/0000000000000000/init.js' })).statusCode, 404, 'only under the current hash')
})

t.test('openapi.json: the first environment by default, another by ?env=, 404 for an unknown one', async (t) => {
  const a = await app()
  const first = await a.inject({ method: 'GET', url: '/api-docs/openapi.json' })
  t.equal(first.statusCode, 200)
  t.equal(first.headers['content-type'], 'application/json; charset=utf-8')
  t.equal(first.headers['cache-control'], 'no-cache')
  t.same(first.json(), documents.get('ecole'))
  const other = await a.inject({ method: 'GET', url: '/api-docs/openapi.json?env=production' })
  t.same(other.json(), documents.get('production'))
  const unknown = await a.inject({ method: 'GET', url: '/api-docs/openapi.json?env=nope' })
  t.equal(unknown.statusCode, 404)
  t.same(unknown.json(), { error: 'unknown environment', known: ['ecole', 'production'] })
})

t.test('at least one environment is needed', async (t) => {
  t.throws(() => apiDocs({ documents: new Map() }), /one environment at least/)
})
