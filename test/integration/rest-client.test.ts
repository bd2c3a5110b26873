// An independent client of the REST API, built from the document the gateway serves: openapi-fetch
// typed by openapi-typescript, every route called over mutual TLS to the école simulator, and every
// answer checked against the schema the document declares for its status and content type by
// @hyperjump/json-schema, a validator that shares nothing with the gateway's ajv. A route added to
// the document without a call here fails the test.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import createClient, { type Middleware } from 'openapi-fetch'
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript'
import { registerSchema, validate, type OutputUnit } from '@hyperjump/json-schema/draft-2020-12'
import { fetch as undiciFetch, Request as UndiciRequest } from 'undici'
import { NOW, startStack, type Stack } from './helpers/gateway-stack.js'
import { exampleDemandes, type Json } from './helpers/rest-examples.js'
import type { paths } from './fixtures/rest-api.js'

const stack: Stack = await startStack({ edit: (c) => { c.environments.ecole.guichets = { identities: { G1226: ['G1226'] } } }, deps: { clock: () => NOW } })
t.teardown(async () => { await stack.close() })
const example = exampleDemandes(stack.spec)

const baseUrl = stack.gatewayUrl + '/ecole/api/v1'
const dispatcher = stack.client
// undici's own Request, so that its fetch takes the request as is (the global Request is another
// undici's class) and sends it with the client certificate's dispatcher.
const clientFetch = async (req: Request): Promise<Response> => await undiciFetch(req as unknown as UndiciRequest, { dispatcher }) as unknown as Response

const served = await undiciFetch(baseUrl + '/openapi.json', { dispatcher })
const doc = await served.json() as Json

// The served components, registered once as one 2020-12 schema resource (the document's
// jsonSchemaDialect), `#/components/schemas/X` becoming `#/$defs/X`.
const BASE = 'https://sne-gateway.test/openapi.json'
function rebase (node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rebase)
  if (node === null || typeof node !== 'object') return node
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/') ? BASE + '#/$defs/' + v.slice('#/components/schemas/'.length) : rebase(v)]))
}
t.equal(doc.jsonSchemaDialect, 'https://json-schema.org/draft/2020-12/schema', 'the document\'s schemas are JSON Schema 2020-12')
registerSchema({ $schema: doc.jsonSchemaDialect, $id: BASE, $defs: rebase(doc.components.schemas) as Json }, BASE)

/** Follows a `#/components/…` reference of the served document. */
function deref (node: Json): Json {
  const ref = node.$ref as string | undefined
  if (ref === undefined) return node
  return ref.slice(2).split('/').reduce<Json>((n, key) => n[key.replace(/~1/g, '/').replace(/~0/g, '~')] as Json, doc)
}

/** The schema URI the served document declares for an answer, registered on first use. */
const registered = new Map<string, string>()
function answerSchema (method: string, template: string, status: number, contentType: string): string {
  const key = `${method} ${template} ${status} ${contentType}`
  const known = registered.get(key)
  if (known !== undefined) return known
  const operation = doc.paths[template]?.[method.toLowerCase()] as Json | undefined
  if (operation === undefined) throw new Error(`${method} ${template} is not in the served document`)
  const declared = (operation.responses[String(status)] ?? operation.responses.default) as Json | undefined
  if (declared === undefined) throw new Error(`${key}: status not declared`)
  const schema = deref(declared).content?.[contentType]?.schema as Json | undefined
  if (schema === undefined) throw new Error(`${key}: content type not declared`)
  const uri = `${BASE}/answers/${registered.size}`
  registerSchema({ $schema: doc.jsonSchemaDialect, ...rebase(schema) as Json }, uri)
  registered.set(key, uri)
  return uri
}

const calls: string[] = []
const validated: string[] = []
// Every answer the client receives is validated here, before the client parses it; an answer off
// its declared schema makes the call throw.
const validating: Middleware = {
  onRequest ({ request, schemaPath }) { calls.push(`${request.method} ${schemaPath}`) },
  async onResponse ({ request, response, schemaPath }) {
    const contentType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim()
    const uri = answerSchema(request.method, schemaPath, response.status, contentType)
    const output = await validate(uri, await response.clone().json() as Json, 'BASIC')
    if (!output.valid) {
      const errors = (output.errors ?? []).slice(0, 5).map((e: OutputUnit) => `${e.instanceLocation} ${e.absoluteKeywordLocation}`)
      throw new Error(`${request.method} ${schemaPath} ${response.status}: the answer does not match its schema: ${errors.join('; ')}`)
    }
    validated.push(`${request.method} ${schemaPath} ${response.status}`)
    return undefined
  }
}
const client = createClient<paths>({ baseUrl, fetch: clientFetch, Request: UndiciRequest as unknown as typeof Request })
client.use(validating)

t.test('the committed types are those openapi-typescript makes of the served document', async (t) => {
  const generated = COMMENT_HEADER + astToString(await openapiTS(structuredClone(doc) as Parameters<typeof openapiTS>[0], { silent: true }))
  const committed = readFileSync(new URL('./fixtures/rest-api.d.ts', import.meta.url), 'utf8')
  t.equal(generated, committed, 'regenerate: npx openapi-typescript <served openapi.json> -o test/integration/fixtures/rest-api.d.ts')
})

t.test('the validator is not a no-op: a wrong demande fails the served schema', async (t) => {
  const wrong = await validate(BASE + '#/$defs/nuu0201.TDemandeLogement', { numUnique: 42, personnePhysique: 'nobody' })
  t.equal(wrong.valid, false)
  const right = await validate(BASE + '#/$defs/nuu0201.TDemandeLogement', example('cre'))
  t.equal(right.valid, true, 'the CRE example is a valid demande')
})

t.test('every route, called by the client, answers what the document declares', async (t) => {
  const cre = example('cre')
  // Every write carries its own Idempotency-Key: the typed client requires it, as the document does.
  const key = (): { 'Idempotency-Key': string } => ({ 'Idempotency-Key': randomUUID() })
  const created = await client.POST('/demandes', { params: { header: key() }, body: cre as never })
  t.equal(created.response.status, 201, 'created')
  const nu = created.data!.demandeLogement.numUnique!
  t.match(nu, /^\d{13}G1226$/)
  t.equal(created.response.headers.get('location'), `/ecole/api/v1/demandes/${nu}`)

  const read = await client.GET('/demandes/{numUnique}', { params: { path: { numUnique: nu } } })
  t.equal(read.response.status, 200)
  t.equal(read.data?.demandeLogement.numUnique, nu)

  const { listeEvenement: _events, dateFinValidite: _end, ...editable } = created.data!.demandeLogement as Json
  const path = { path: { numUnique: nu } }
  const write = (): { path: { numUnique: string }, header: { 'Idempotency-Key': string } } => ({ ...path, header: key() })
  const mod = await client.PUT('/demandes/{numUnique}', { params: write(), body: { ...editable, listeMotifDemande: { motifDemande: ['07'] } } as never })
  t.equal(mod.response.status, 200, 'MOD')
  t.same(mod.data?.demandeLogement.listeMotifDemande, { motifDemande: ['07'] })

  const ren = await client.POST('/demandes/{numUnique}/renouvellement', { params: write(), body: editable as never })
  t.match(ren.response.status, /^(200|422)$/, 'REN')

  const rad = await client.POST('/demandes/{numUnique}/radiation', { params: write(), body: { ...editable, radiation: { motif: 'RADCON' } } as never })
  t.equal(rad.response.status, 200, 'RAD')
  t.equal(rad.data?.demandeLogement.radiation?.motif, 'RADCON')

  const radiations = await client.GET('/radiations', { params: { query: { depuis: '2025-01-01T00:00:00.000+01:00' } } })
  t.equal(radiations.response.status, 200, 'the + of the offset is percent-encoded by the client')
  t.ok(radiations.data?.demandes.some((d) => d.demandeLogement.numUnique === nu), 'the radiation is listed')

  const back = await client.POST('/demandes/{numUnique}/reactivation', { params: write(), body: editable as never })
  t.equal(back.response.status, 200, 'réactivation')
  t.equal(back.data?.demandeLogement.radiation, undefined)

  const dalo = await client.POST('/demandes/{numUnique}/dalo', { params: write(), body: { dateDecisionDalo: '2025-11-28', statutDalo: 'ACTIF', typologieLogementDalo: '23' } as never })
  t.equal(dalo.response.status, 200, 'DALO')

  const doublons = await client.POST('/doublons/recherche', { body: example('doublons-partielle') as never })
  t.equal(doublons.response.status, 200, 'doublons')
  t.ok(doublons.data?.doublons.some((d) => d.numUnique === nu), 'the demande just created is a possible doublon')

  const dalos = await client.GET('/dalo', { params: { query: { depuis: '2025-01-01T00:00:00.000+01:00' } } })
  t.equal(dalos.response.status, 200)
  t.ok(Array.isArray(dalos.data?.demandes))

  const sup = await client.POST('/demandes/{numUnique}/suppression', { params: write(), body: editable as never })
  t.equal(sup.response.status, 200, 'SUP')

  const unknown = await client.GET('/demandes/{numUnique}', { params: { path: { numUnique: '0750124999999G1226' } } })
  t.equal(unknown.response.status, 404)
  t.equal(unknown.response.headers.get('content-type'), 'application/problem+json; charset=utf-8')
  t.match(unknown.error, { code: 'GW_REST_DEMANDE_NOT_FOUND', status: 404 }, 'a problem, validated against Problem')
})

t.test('every operation of the document was called, and every answer validated', async (t) => {
  const operations = Object.entries(doc.paths as Json).flatMap(([template, item]) =>
    ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'].filter((m) => (item as Json)[m] !== undefined).map((m) => `${m.toUpperCase()} ${template}`))
  t.equal(operations.length, 11, 'the routes of the document')
  const called = new Set(calls)
  t.same(operations.filter((op) => !called.has(op)), [], 'no route without a client call')
  t.same([...called].filter((c) => !operations.includes(c)), [], 'no call outside the document')
  t.equal(validated.length, calls.length, 'every answer validated')
  t.ok(validated.length >= operations.length + 1, `${validated.length} answers validated`)
})
