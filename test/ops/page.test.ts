// The ops page: self-contained, under a strict CSP that admits exactly its inline script and style;
// /ops/overview reads the gateway's own counters (names from observability/metrics.ts).
import t from 'tap'
import { createHash } from 'node:crypto'
import Fastify from 'fastify'
import { createMetrics } from '../../src/observability/metrics.js'
import { opsPage, renderOpsPage } from '../../src/ops/page.js'
import { PAGE_CSS, PAGE_SCRIPT } from '../../src/ops/page-assets.js'

const hash = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`

t.test('GET / serves the page under a CSP that admits its inline script and style only', async (t) => {
  const metrics = createMetrics()
  const app = Fastify()
  await app.register(opsPage({ registry: metrics.registry }))
  t.teardown(() => app.close())
  const res = await app.inject('/')
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'text/html; charset=utf-8')
  const csp = String(res.headers['content-security-policy'])
  t.match(csp, /default-src 'none'/)
  t.match(csp, `script-src ${hash(PAGE_SCRIPT)}`)
  t.match(csp, `style-src ${hash(PAGE_CSS)}`)
  t.match(csp, "connect-src 'self'")
  const scripts = [...res.body.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1])
  t.same(scripts, [PAGE_SCRIPT], 'one inline script, the hashed one')
  t.same([...res.body.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]), [PAGE_CSS])
})

t.test('the page is self-contained: no external script, style, font, image or fetch', async (t) => {
  const { html } = renderOpsPage()
  t.notMatch(html, /<script[^>]+src=/i)
  t.notMatch(html, /<link[^>]+rel="?stylesheet/i)
  t.notMatch(html, /@import|@font-face|url\(/i)
  t.notMatch(html, /(src|href)="(https?:)?\/\//i, 'no absolute or protocol-relative resource')
  const fetched = [...PAGE_SCRIPT.matchAll(/getJson\('([^']+)'\)/g)].map((m) => m[1])
  t.same(fetched.sort(), ['/ops/overview', '/ops/tls/clients', '/ops/tls/summary'], 'only the ops plane\'s own JSON')
  t.notMatch(PAGE_SCRIPT, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/, 'text only: client-chosen strings never become markup')
})

t.test('the title is escaped', async (t) => {
  t.match(renderOpsPage('<b>x</b> & "y"').html, '<title>&#60;b&#62;x&#60;/b&#62; &#38; &#34;y&#34;</title>')
})

t.test('GET /ops/overview: the gateway\'s traffic and validation-failure counters', async (t) => {
  const metrics = createMetrics()
  metrics.requests.inc({ env: 'ecole', operation: 'getNumUnique', outcome: 'forwarded', status: '200' }, 3)
  metrics.requests.inc({ env: 'ecole', operation: 'getNumUnique', outcome: 'invalid', status: '400' })
  metrics.validationFailures.inc({ env: 'ecole', operation: 'getNumUnique', code: 'GW_SCHEMA_PATTERN', mode: 'enforce' })
  const app = Fastify()
  await app.register(opsPage({ registry: metrics.registry }))
  t.teardown(() => app.close())
  const res = await app.inject('/ops/overview')
  t.equal(res.statusCode, 200)
  t.same(res.json(), {
    requests: [
      { env: 'ecole', operation: 'getNumUnique', outcome: 'forwarded', status: '200', value: 3 },
      { env: 'ecole', operation: 'getNumUnique', outcome: 'invalid', status: '400', value: 1 }
    ],
    validationFailures: [{ env: 'ecole', operation: 'getNumUnique', code: 'GW_SCHEMA_PATTERN', mode: 'enforce', value: 1 }]
  })
})
