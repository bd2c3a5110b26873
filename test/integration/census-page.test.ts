// The ops page in a real, headless Chromium (Debian's, driven by playwright-core): it loads under
// its CSP without an error, and a rejection just made with `openssl s_client -tls1` appears in its
// legacy clients table, while a TLS 1.3 handshake of the same address does not.
import t from 'tap'
import { chromiumSkip, launchChromium } from './helpers/chromium.js'
import { sClient, startCensusStack, waitForRows } from '../census/helpers/census-stack.js'

t.test('the ops page shows a TLS 1.0 rejection made by openssl s_client', { skip: chromiumSkip }, async (t) => {
  const stack = await startCensusStack()
  t.teardown(() => stack.close())
  const context = await launchChromium(t)
  const page = context.pages()[0] ?? await context.newPage()
  const problems: string[] = []
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`) })
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`))
  const outside: string[] = []
  page.on('request', (r) => { if (!r.url().startsWith(stack.opsUrl!) && !r.url().startsWith('data:')) outside.push(r.url()) })

  const res = await page.goto(`${stack.opsUrl!}/`, { waitUntil: 'load', timeout: 30000 })
  t.equal(res?.status(), 200)
  await page.waitForSelector('body[data-loaded="true"]', { timeout: 15000 })
  t.equal(await page.textContent('#legacy-clients'), 'no legacy TLS attempt recorded')
  t.equal(await page.title(), 'sne-gateway ops')

  await sClient(stack.port, ['-tls1', '-cipher', 'DEFAULT@SECLEVEL=0', '-servername', 'guichet-legacy.example'])
  await waitForRows(stack.tlsCensus, 1)
  await page.reload({ waitUntil: 'load' })
  await page.waitForSelector('#legacy-clients tr[data-ip="127.0.0.1"]', { timeout: 15000 })
  const row = await page.$$eval('#legacy-clients tr', (trs) => trs.map((tr) => ({
    ip: tr.getAttribute('data-ip'),
    sni: tr.getAttribute('data-sni'),
    version: tr.getAttribute('data-version'),
    cells: [...tr.querySelectorAll('td')].map((td) => td.textContent)
  })))
  t.equal(row.length, 1)
  t.match(row[0], { ip: '127.0.0.1', sni: 'guichet-legacy.example', version: 'TLSv1' })
  t.match(row[0]!.cells, ['legacy-only', '\u2014', '127.0.0.1', 'guichet-legacy.example', 'TLSv1', '1', /UTC$/, /UTC$/, '\u2014', 'unsupported-protocol', /^t10d/])
  t.equal(await page.textContent('#n-legacy-only'), '1')
  t.match(await page.textContent('#tls-rejections'), /TLSv1\s*unsupported-protocol\s*1/)
  t.equal(await page.$$eval('#readiness-chart polyline', (l) => l.length), 3, 'the readiness chart is drawn')

  // The same address then completes a TLS 1.3 handshake: a second row, with no legacy attempt of
  // its own. The table lists rows with a legacy attempt (docs/tls-census.md): still only the first.
  await sClient(stack.port, ['-tls1_3', '-servername', 'guichet-modern.example'])
  await waitForRows(stack.tlsCensus, 2)
  await page.reload({ waitUntil: 'load' })
  await page.waitForSelector('body[data-loaded="true"]', { timeout: 15000 })
  await page.waitForFunction("document.querySelector('#n-migrating')?.textContent === '1'", undefined, { timeout: 15000 })
  const rows = await page.$$eval('#legacy-clients tr', (trs) => trs.map((tr) => tr.getAttribute('data-sni')))
  t.same(rows, ['guichet-legacy.example'], 'the TLS 1.3-only row is not a legacy client')
  t.equal(await page.textContent('#legacy-count'), '1')
  t.same(problems, [], 'no console error, no CSP violation')
  t.same(outside, [], 'nothing requested outside the ops plane')
})
