// The REST API's reference page in a real, headless Chromium (Debian's, driven by playwright-core):
// served by the ops plane of a running gateway, it renders every route of the route table under
// its strict CSP, without a console error, and nothing is requested beyond the loopback.
import t from 'tap'
import { chromiumSkip, launchChromium } from './helpers/chromium.js'
import { restApiDocs } from '../../src/ops/api-docs.js'
import { REST_ROUTES } from '../../src/rest/route-table.js'
import { sharedSpec, startStack } from './helpers/gateway-stack.js'

/** Loopback only: 127.0.0.0/8, ::1, and data: URLs (nothing leaves the machine). */
function isLoopback (url: string): boolean {
  if (url.startsWith('data:')) return true
  const { hostname } = new URL(url)
  return /^127\.\d+\.\d+\.\d+$/.test(hostname) || hostname === '[::1]' || hostname === 'localhost'
}

t.test('the API reference page shows every route of the REST API', { skip: chromiumSkip }, async (t) => {
  const spec = await sharedSpec()
  const stack = await startStack({ deps: { opsPlugins: [await restApiDocs(spec, ['ecole'])] } })
  t.teardown(() => stack.close())
  const context = await launchChromium(t)
  // Every request beyond the loopback is refused and recorded: the page must need none.
  const outside: string[] = []
  await context.route('**/*', async (route) => {
    const url = route.request().url()
    if (isLoopback(url)) await route.continue()
    else {
      outside.push(url)
      await route.abort('blockedbyclient')
    }
  })
  const page = context.pages()[0] ?? await context.newPage()
  const problems: string[] = []
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`) })
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`))
  const served: Array<{ url: string, status: number }> = []
  page.on('response', (r) => { served.push({ url: r.url(), status: r.status() }) })

  const res = await page.goto(`${stack.opsUrl!}/api-docs/`, { waitUntil: 'load', timeout: 30000 })
  t.equal(res?.status(), 200)
  t.match(res?.headers()['content-security-policy'], /script-src 'self'/)
  await page.waitForSelector('body[data-loaded="true"]', { timeout: 30000 })
  await page.waitForSelector('.opblock', { timeout: 15000 })
  t.equal(await page.title(), 'sne-gateway REST API')

  const operations = await page.$$eval('.opblock', (blocks) => blocks.map((b) => ({
    method: b.querySelector('.opblock-summary-method')?.textContent?.trim(),
    path: b.querySelector('.opblock-summary-path')?.getAttribute('data-path'),
    operationId: b.querySelector('.opblock-summary-operation-id')?.textContent?.trim(),
    summary: b.querySelector('.opblock-summary-description')?.textContent?.trim()
  })))
  t.equal(operations.length, REST_ROUTES.length, 'one block per route')
  for (const route of REST_ROUTES) {
    t.ok(operations.some((o) => o.method === route.method && o.path === route.path && o.operationId === route.id && o.summary === route.summary),
      `${route.method} ${route.path} (${route.id}) is shown with its summary`)
  }
  t.match(await page.textContent('.servers, .scheme-container') ?? '', /\/ecole\/api\/v1/, 'the environment\'s server')
  t.same(served.filter((r) => r.status >= 400), [], 'every asset served')
  t.same(problems, [], 'no console error, no CSP violation')
  t.same(outside, [], 'nothing requested beyond the loopback')
})
