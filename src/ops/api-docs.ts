/**
 * The REST API's reference on the ops plane: `GET /api-docs/` renders the OpenAPI document with
 * Swagger UI, `GET /api-docs/openapi.json[?env=NAME]` is the document of one environment (the
 * first configured by default). On the ops plane, not the data plane, because a browser has no
 * guichet certificate to pass mutual TLS with.
 *
 * Everything is served from here: Swagger UI's prebuilt bundle comes from the swagger-ui-dist
 * package (no CDN: the ops plane may run where nothing outside is reachable), read once when the
 * plugin is made, under a path named by its content's hash so that it can be cached for good.
 * The Content-Security-Policy allows scripts and styles from the ops plane only, and nothing
 * else; "Try it out" is off (the ops plane cannot call the data plane for the browser), and so is
 * the online validator badge Swagger UI would load from outside.
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import { contractOf, type JsonContract } from '../contract/json-contract.js'
import type { JsonSchema } from '../contract/json-schema.js'
import type { InterfaceSpec } from '../contract/types.js'
import { restOpenApi } from '../rest/openapi.js'
import { loadRestOpenApiSources } from '../rest/openapi-sources.js'

export interface ApiDocsOptions {
  /** the OpenAPI document of each environment, in configuration order: the first is the default */
  documents: ReadonlyMap<string, JsonSchema>
  /** the folder of the swagger-ui-dist package (default: resolved from node_modules) */
  swaggerUiDir?: string
}

export const API_DOCS_PREFIX = '/api-docs'

/** Swagger UI's start, from a file so that the CSP needs no inline script. */
const INIT_SCRIPT = `'use strict';
window.addEventListener('load', function () {
  var env = new URLSearchParams(window.location.search).get('env');
  window.ui = SwaggerUIBundle({
    url: 'openapi.json' + (env ? '?env=' + encodeURIComponent(env) : ''),
    dom_id: '#swagger-ui',
    deepLinking: false,
    displayOperationId: true,
    defaultModelsExpandDepth: 0,
    supportedSubmitMethods: [],
    validatorUrl: null,
    onComplete: function () { document.body.setAttribute('data-loaded', 'true'); }
  });
});
`

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'"
].join('; ')

interface Asset { body: Buffer, type: string }

function escapeHtml (text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

function swaggerUiDir (): string {
  return dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))
}

/** The page: Swagger UI's mount point, and links to the other environments' documents. */
function renderPage (assets: string, environments: readonly string[]): string {
  const links = environments.length < 2
    ? ''
    : `<nav>Environment: ${environments.map((e) => `<a href="?env=${encodeURIComponent(e)}">${escapeHtml(e)}</a>`).join(' · ')}</nav>\n`
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>sne-gateway REST API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${assets}/swagger-ui.css">
</head>
<body>
${links}<div id="swagger-ui"></div>
<script src="${assets}/swagger-ui-bundle.js"></script>
<script src="${assets}/init.js"></script>
</body>
</html>
`
}

/** Registers the reference page, its assets and the documents (an encapsulated plugin). */
export function apiDocs (options: ApiDocsOptions): FastifyPluginAsync {
  const environments = [...options.documents.keys()]
  if (environments.length === 0) throw new Error('apiDocs needs the document of one environment at least')
  // Serialized once: a request only sends bytes.
  const documents = new Map([...options.documents].map(([env, doc]) => [env, JSON.stringify(doc)]))
  return async function api_docs (app: FastifyInstance): Promise<void> {
    const dir = options.swaggerUiDir ?? swaggerUiDir()
    const files = new Map<string, Asset>([
      ['swagger-ui-bundle.js', { body: await readFile(join(dir, 'swagger-ui-bundle.js')), type: 'text/javascript; charset=utf-8' }],
      ['swagger-ui.css', { body: await readFile(join(dir, 'swagger-ui.css')), type: 'text/css; charset=utf-8' }],
      ['init.js', { body: Buffer.from(INIT_SCRIPT, 'utf8'), type: 'text/javascript; charset=utf-8' }]
    ])
    const hash = createHash('sha256')
    for (const f of files.values()) hash.update(f.body)
    const assets = `assets/${hash.digest('hex').slice(0, 16)}`
    const html = renderPage(assets, environments)

    app.get(API_DOCS_PREFIX, async (_request, reply) => reply.redirect(`${API_DOCS_PREFIX}/`, 301))
    app.get(`${API_DOCS_PREFIX}/`, async (_request, reply) => {
      return reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', CSP)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'no-cache')
        .send(html)
    })
    app.get<{ Querystring: { env?: string } }>(`${API_DOCS_PREFIX}/openapi.json`, async (request, reply) => {
      const env = request.query.env ?? environments[0]!
      const doc = documents.get(env)
      reply.header('x-content-type-options', 'nosniff').header('cache-control', 'no-cache')
      if (doc === undefined) {
        return reply.code(404).send({ error: 'unknown environment', known: environments })
      }
      return reply.type('application/json; charset=utf-8').send(doc)
    })
    // Content-addressed: a new bundle or initializer is a new path, so the old one may be kept forever.
    app.get<{ Params: { file: string } }>(`${API_DOCS_PREFIX}/${assets}/:file`, async (request, reply) => {
      const asset = files.get(request.params.file)
      if (asset === undefined) return reply.code(404).send({ error: 'not found' })
      return reply
        .type(asset.type)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'public, max-age=31536000, immutable')
        .send(asset.body)
    })
  }
}

/**
 * The reference of the REST API for the spec and the configured environments: the JSON contract
 * (`contract`, or built from `spec`), the examples and one document per environment, made once.
 */
export async function restApiDocs (spec: InterfaceSpec, environments: readonly string[], contract: JsonContract = contractOf(spec)): Promise<FastifyPluginAsync> {
  const sources = await loadRestOpenApiSources(contract, { xmlLimits: spec.xmlLimits })
  return apiDocs({ documents: new Map(environments.map((env) => [env, restOpenApi(contract, { env, ...sources })])) })
}
