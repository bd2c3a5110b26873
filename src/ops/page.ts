/**
 * The ops page at `/` of the ops plane, and `GET /ops/overview`, the gateway's own counters it
 * shows beside the census (data-plane calls by outcome, validation failures by code).
 *
 * The page is built once, when the plugin is made. Its inline script and style are allowed by
 * their SHA-256 in a strict Content-Security-Policy: nothing else runs, nothing is fetched but the
 * ops plane's own JSON.
 */
import { createHash } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import type { Registry } from 'prom-client'
import { counterValues } from './census-counters.js'
import { PAGE_BODY, PAGE_CSS, PAGE_SCRIPT } from './page-assets.js'

export interface OpsPageOptions {
  /** the gateway's registry */
  registry: Registry
  metricsPrefix?: string
  /** shown in the title, e.g. the instance name */
  title?: string
}

function sha256 (text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`
}

function escapeHtml (text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** The page and its Content-Security-Policy. */
export function renderOpsPage (title = 'sne-gateway ops'): { html: string, csp: string } {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<style>${PAGE_CSS}</style>
</head>
<body>
${PAGE_BODY}
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(PAGE_SCRIPT)}`,
    `style-src ${sha256(PAGE_CSS)}`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'"
  ].join('; ')
  return { html, csp }
}

/** Registers `GET /` (the page) and `GET /ops/overview` (an encapsulated plugin). */
export function opsPage (options: OpsPageOptions) {
  const { registry } = options
  const prefix = options.metricsPrefix ?? 'sne_gateway_'
  const { html, csp } = renderOpsPage(options.title)
  return async function ops_page (app: FastifyInstance): Promise<void> {
    app.get('/', async (_request, reply) => {
      return reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', csp)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'no-store')
        .send(html)
    })
    app.get('/ops/overview', async () => {
      return {
        requests: await counterValues(registry, `${prefix}requests_total`),
        validationFailures: await counterValues(registry, `${prefix}validation_failures_total`)
      }
    })
  }
}
