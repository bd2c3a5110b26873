// The REST API's OpenAPI document, checked by tools that did not write it: @readme/openapi-parser
// for OpenAPI 3.1, a walk of every $ref, and a fresh strict ajv for every example against the
// schema it illustrates. The route table is the reference: each route must be there as it says.
import t from 'tap'
import { validate } from '@readme/openapi-parser'
import { Ajv2020 } from 'ajv/dist/2020.js'
import type { OpenAPIV3_1 } from 'openapi-types'
import { defaultSpecDir, loadSpec } from '../../src/contract/index.js'
import { buildJsonContract } from '../../src/contract/json-contract.js'
import { EXTRA_KEYWORDS, type JsonSchema } from '../../src/contract/json-schema.js'
import { DALO_FIELDS, PROBLEM_TYPE_BASE, restOpenApi } from '../../src/rest/openapi.js'
import { restExamples } from '../../src/rest/openapi-examples.js'
import { defaultExamplesDir, loadRestOpenApiSources, packageVersion } from '../../src/rest/openapi-sources.js'
import { API_INTERFACE_VERSION, REST_ROUTES } from '../../src/rest/route-table.js'
import { codes as proxyCodes } from '../../src/proxy/errors.js'
import { codes as limitCodes } from '../../src/limits/errors.js'
import { codes as routeCodes } from '../../src/routes/errors.js'
import { codes as contractCodes } from '../../src/contract/errors.js'
import { codes as idempotencyCodes } from '../../src/idempotency/errors.js'

const spec = await loadSpec({ dir: defaultSpecDir() })
t.teardown(() => spec.dispose())
const contract = buildJsonContract(spec)
const sources = await loadRestOpenApiSources(contract)
const doc = restOpenApi(contract, { env: 'ecole', serverUrl: 'https://gateway.example:8443/', ...sources })

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
const paths = doc.paths as Json
const components = doc.components as Json

/** The value at a local reference `#/a/b`, or undefined. */
function resolveLocal (ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined
  let cur: unknown = doc
  for (const raw of ref.slice(2).split('/')) {
    const token = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~')
    if (typeof cur !== 'object' || cur === null || !Object.hasOwn(cur, token)) return undefined
    cur = (cur as Json)[token]
  }
  return cur
}

/** Follows a `$ref` to a component (response, parameter, header), once. */
const deref = (v: Json): Json => typeof v.$ref === 'string' ? resolveLocal(v.$ref) as Json : v

/** Every `$ref` under `value`, with where it is. */
function refs (value: unknown, at = ''): Array<{ at: string, ref: unknown }> {
  if (Array.isArray(value)) return value.flatMap((v, i) => refs(v, `${at}/${i}`))
  if (typeof value !== 'object' || value === null) return []
  return Object.entries(value).flatMap(([k, v]) => k === '$ref' ? [{ at, ref: v }] : refs(v, `${at}/${k}`))
}

/** A fresh strict ajv holding the document's schemas, as the contract's own ajv is set up. */
function documentAjv (): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false })
  for (const keyword of EXTRA_KEYWORDS) ajv.addKeyword({ keyword })
  const defs = JSON.parse(JSON.stringify(components.schemas).replaceAll('"#/components/schemas/', '"#/$defs/')) as JsonSchema
  ajv.addSchema({ $id: 'urn:test:rest', $defs: defs })
  return ajv
}

/** Validates `value` against a schema of the document (its `$ref`s resolved in it). */
function violations (ajv: Ajv2020, schema: JsonSchema, value: unknown): string[] {
  const rebased = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"urn:test:rest#/$defs/')) as JsonSchema
  const validate = ajv.compile(rebased)
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? e.keyword}`)
}

t.test('the document is valid OpenAPI 3.1 for @readme/openapi-parser', async (t) => {
  t.equal(doc.openapi, '3.1.0')
  const before = JSON.stringify(doc)
  const result = await validate(structuredClone(doc) as unknown as OpenAPIV3_1.Document, { resolve: { external: false } })
  t.same(result.valid ? [] : result.errors.map((e) => e.message), [], 'no errors')
  t.same(result.warnings.map((w) => w.message), [], 'no warnings')
  t.equal(JSON.stringify(doc), before, 'the validator worked on a copy')
  t.same(restOpenApi(contract, { env: 'ecole', serverUrl: 'https://gateway.example:8443/', ...sources }), doc, 'deterministic')

  // the check can fail: a response without its description is refused
  const broken = structuredClone(doc) as Json
  delete broken.paths['/demandes'].post.responses['201'].description
  const refused = await validate(broken as unknown as OpenAPIV3_1.Document, { resolve: { external: false } })
  t.equal(refused.valid, false, 'a broken document is refused')
})

t.test('info, servers and security', async (t) => {
  t.match(doc.info, { title: 'sne-gateway REST API', version: packageVersion() })
  t.equal(packageVersion(), '0.1.0')
  t.same(doc.servers, [{ url: 'https://gateway.example:8443/ecole/api/v1', description: 'the ecole environment' }])
  t.same(doc.security, [{ mutualTLS: [] }])
  t.same(components.securitySchemes.mutualTLS.type, 'mutualTLS')
  const bare = restOpenApi(contract)
  t.same(bare.servers, [{ url: '/api/v1', description: 'the environment chosen by host name' }], 'no env: the host-name base')
  t.equal((bare.info as Json).version, '0.0.0')
  t.same(refs(bare.paths).filter(({ ref }) => String(ref).includes('examples')), [])
  t.notOk(JSON.stringify(bare).includes('"examples"'), 'no examples without sources')
})

t.test('every route of the table is there, with its method, status and operationId', async (t) => {
  const operations = Object.entries(paths).flatMap(([path, item]) => Object.entries(item as Json).map(([method, op]) => ({ path, method, op: op as Json })))
  t.equal(operations.length, REST_ROUTES.length, 'one operation per route, no other')
  for (const route of REST_ROUTES) {
    const op = paths[route.path]?.[route.method.toLowerCase()] as Json | undefined
    if (op === undefined) {
      t.fail(`${route.method} ${route.path} is missing`)
      continue
    }
    t.equal(op.operationId, route.id, `${route.id}: operationId`)
    t.equal(op.summary, route.summary, `${route.id}: summary`)
    t.equal(op['x-sneOperation'], route.operation)
    const success = op.responses[String(route.status)] as Json
    t.ok(success, `${route.id}: answers ${route.status}`)
    t.same(Object.keys(op.responses).filter((s) => s.startsWith('2')), [String(route.status)], `${route.id}: one success status`)
    t.ok(success.headers['X-Request-Id'] && success.headers['SNE-Interface-Version'], `${route.id}: the headers of every answer`)
    t.equal(success.headers.Location !== undefined, route.status === 201, `${route.id}: Location on 201 only`)
    const params = ((op.parameters ?? []) as Json[]).map(deref)
    const named = (name: string): Json | undefined => params.find((p) => p.name === name)
    t.equal(named('numUnique')?.in, route.path.includes('{numUnique}') ? 'path' : undefined, `${route.id}: numUnique`)
    t.equal(named('depuis')?.required, route.since === true ? true : undefined, `${route.id}: depuis`)
    t.equal(named('typeFichier') !== undefined, route.typeFichierQuery !== undefined, `${route.id}: typeFichier`)
    t.equal(named('SNE-Guichet') !== undefined, route.body === undefined || route.body === 'dalo', `${route.id}: SNE-Guichet where no numGuichet says it`)
    t.equal(op.requestBody !== undefined, route.body !== undefined, `${route.id}: a body iff the route takes one`)
    if (route.body !== undefined) t.ok(op.requestBody.content['application/json'].schema.$ref, `${route.id}: the body by reference`)
  }
  const depuis = components.parameters.depuis.schema.pattern as string
  t.match('2025-06-01T00:00:00+02:00', new RegExp(depuis))
  t.notMatch('2025-06-01T00:00:00', new RegExp(depuis), 'depuis needs its offset')
  t.same(components.parameters.typeFichier.schema.enum, ['CRE', 'CRS'])
})

t.test('bodies and answers reuse the contract\'s components', async (t) => {
  const schemas = components.schemas as Json
  const contractSchemas = (contract.openapi().components as Json).schemas as Json
  const create = paths['/demandes'].post.requestBody.content['application/json'].schema.$ref as string
  t.equal(create, '#/components/schemas/nuu0201.TDemandeLogement', 'a demande body is the contract\'s TDemandeLogement')
  for (const [name, schema] of Object.entries(schemas)) {
    if (contractSchemas[name] !== undefined) t.same(schema, contractSchemas[name], `${name} is the contract's, unchanged`)
  }
  t.notOk(Object.keys(schemas).some((k) => k.startsWith('nuu0200.')), 'no component of another interface version: only what the API reaches')
  t.ok(Object.keys(schemas).length < Object.keys(contractSchemas).length)
  t.same(Object.keys(schemas.DaloDecision.properties), [...DALO_FIELDS])
  t.same(schemas.DaloDecision.required, ['dateDecisionDalo', 'statutDalo'], 'required as the WSDL says')
  t.equal(schemas.DaloDecision.properties.statutDalo.$ref, '#/components/schemas/ws.statutDalo')
  t.same(schemas.DemandeAnswer.properties.demandeLogement, { $ref: '#/components/schemas/nuu0201.answer.TDemandeLogement' }, 'answers are the tolerant flavour')
  t.same(schemas.DoublonsAnswer.properties.doublons.items, { $ref: '#/components/schemas/nuu0201.answer.TDoublon' })
  t.same(schemas.DemandesAnswer.properties.demandes.items, { $ref: '#/components/schemas/DemandeAnswer' })
  t.equal(components.parameters.numUnique.schema.$ref, '#/components/schemas/nuu0201.TNumUnique', 'numUnique: the XSD\'s TNumUnique')
})

t.test('every $ref resolves inside the document', async (t) => {
  const all = refs(doc)
  t.ok(all.length > 100, `${all.length} $refs`)
  t.same(all.filter(({ ref }) => typeof ref !== 'string' || resolveLocal(ref) === undefined), [], 'none dangling')
  const used = new Set(all.map(({ ref }) => ref))
  const unused = Object.keys(components.schemas).filter((k) => !used.has(`#/components/schemas/${k}`))
  t.same(unused, [], 'every component schema is used')
  t.equal(resolveLocal('#/components/schemas/nuu0200.TDemandeLogement'), undefined, 'the check finds a missing one')
})

t.test('every write requires its Idempotency-Key header, and says when its answer is a replay', async (t) => {
  for (const route of REST_ROUTES) {
    const op = paths[route.path][route.method.toLowerCase()] as Json
    const params = ((op.parameters ?? []) as Json[]).map((p) => deref(p))
    const key = params.find((p) => p.name === 'Idempotency-Key')
    if (route.write) {
      t.match(key, { in: 'header', required: true }, `${route.id}: Idempotency-Key`)
      t.ok(op.responses[String(route.status)].headers['Idempotency-Replayed'], `${route.id}: Idempotency-Replayed`)
    } else {
      t.equal(key, undefined, `${route.id} takes no key`)
    }
  }
})

t.test('every problem status is documented, as application/problem+json with the Problem schema', async (t) => {
  for (const route of REST_ROUTES) {
    const op = paths[route.path][route.method.toLowerCase()] as Json
    const statuses = Object.keys(op.responses).filter((s) => !s.startsWith('2'))
    const expected = ['400', '403', ...(route.path.includes('{numUnique}') ? ['404'] : []), ...(route.write ? ['409'] : []), ...(route.body === undefined ? [] : ['413', '415']), '422', '429', '502', '503', '504']
    t.same(statuses, expected, `${route.id}: ${expected.join(' ')}`)
    for (const s of statuses) {
      const response = deref(op.responses[s] as Json)
      t.same(response.content['application/problem+json'].schema, { $ref: '#/components/schemas/Problem' }, `${route.id} ${s}`)
      t.ok(response.headers['X-Request-Id'], `${route.id} ${s}: X-Request-Id`)
    }
  }
  t.same(Object.keys(components.responses.Problem429.headers), ['X-Request-Id', 'SNE-Interface-Version', 'Retry-After', 'RateLimit-Policy', 'RateLimit'])
  t.ok(components.responses.Problem503.headers['Retry-After'])
  t.ok(components.responses.Problem409.headers['Retry-After'])
  t.same(components.schemas.Problem.required, ['type', 'title', 'status', 'instance', 'code'])
  t.equal(components.headers['SNE-Interface-Version'].schema.const, API_INTERFACE_VERSION)
})

t.test('the 503 says when the upstream is busy (load shedding), and names every 503 code a REST call can get', async (t) => {
  const description = String(components.responses.Problem503.description)
  t.match(description, /upstream SNE is busy \(load shedding\)/)
  t.match(description, /waiting for a connection to it reach the configured bound, and this one is refused at once \(GW_PROXY_QUEUE_FULL\)/)
  t.match(description, /waited the longest time allowed for a connection \(GW_PROXY_QUEUE_TIMEOUT\)/)
  t.match(description, /These come with `Retry-After`/)
  const unavailable = Object.values({ ...proxyCodes, ...limitCodes, ...routeCodes, ...contractCodes, ...idempotencyCodes }).filter((E) => E.statusCode === 503)
  t.ok(unavailable.length >= 8, 'the 503 codes are found')
  for (const E of unavailable) t.ok(description.includes(E.code), `${E.code} is named`)
})

t.test('every example validates against its schema, and is coherent with its route', async (t) => {
  const ajv = documentAjv()
  let checked = 0
  const check = (where: string, schema: JsonSchema, examples: Json | undefined): void => {
    for (const [name, ex] of Object.entries(examples ?? {})) {
      t.same(violations(ajv, schema, (ex as Json).value), [], `${where} ${name}`)
      checked++
    }
  }
  for (const route of REST_ROUTES) {
    const op = paths[route.path][route.method.toLowerCase()] as Json
    if (route.body !== undefined) {
      const media = op.requestBody.content['application/json'] as Json
      t.ok(Object.keys(media.examples ?? {}).length > 0, `${route.id}: has request examples`)
      check(`${route.id} request`, media.schema, media.examples)
      for (const ex of Object.values(media.examples as Json)) {
        const value = (ex as Json).value as Json
        if (route.body !== 'demandeLogement') continue
        // MOD, REN, RAD, SUP name their demande; a creation does not have one yet.
        t.equal(typeof value.numUnique === 'string', route.path.includes('{numUnique}'), `${route.id}: numUnique iff the path has one`)
        const motif = value.radiation?.motif as string | undefined
        if (route.radiationMotif === 'empty') t.equal(motif, '', `${route.id}: a réactivation has an empty motif`)
        else if (route.radiationMotif === 'any') t.match(motif, /^RAD[A-Z]{3}$/, `${route.id}: a radiation has its motif`)
        else t.equal(value.radiation, undefined, `${route.id}: no radiation`)
      }
    }
    for (const [status, r] of Object.entries(op.responses as Json)) {
      const response = deref(r as Json)
      for (const media of Object.values(response.content as Json)) check(`${route.id} ${status}`, (media as Json).schema, (media as Json).examples)
    }
    t.ok(Object.keys(op.responses[String(route.status)].content['application/json'].examples ?? {}).length > 0, `${route.id}: has an answer example`)
  }
  for (const [name, p] of Object.entries(components.parameters as Json)) {
    const param = p as Json
    if (param.example !== undefined) check(`parameter ${name}`, param.schema, { example: { value: param.example } })
  }
  t.ok(checked > 30, `${checked} examples checked`)
  const problem422 = components.responses.Problem422.content['application/problem+json'].examples.problem422.value as Json
  t.match(problem422, { status: 422, code: 'GW_REST_SNE_ANOMALY', type: `${PROBLEM_TYPE_BASE}GW_REST_SNE_ANOMALY`, instance: /^urn:uuid:/, anomalies: [{ code: 'CTRL_DEM_0033' }] })

  // the check can fail: a demande example with an unknown property, a DALO decision without its date
  t.not(violations(ajv, { $ref: '#/components/schemas/nuu0201.TDemandeLogement' }, { ...(paths['/demandes'].post.requestBody.content['application/json'].examples.cre.value as Json), bogus: 1 }).length, 0)
  t.not(violations(ajv, { $ref: '#/components/schemas/DaloDecision' }, { statutDalo: 'ACTIF' }).length, 0)
})

t.test('examples come from the example documents: a route without a matching document has none', async (t) => {
  const { readFile } = await import('node:fs/promises')
  const only = new Map([['mod.xml', await readFile(`${defaultExamplesDir()}/mod.xml`)]])
  const few = restExamples(contract, only)
  t.same(Object.keys(few.requests), ['updateDemande'], 'mod.xml is a MOD, without a DALO decision')
  t.same(few.answers, {})
  const v0200 = restExamples(contract, new Map([['cre-v0200.xml', await readFile(`${defaultExamplesDir()}/cre-v0200.xml`)]]))
  t.same(v0200.requests, {}, 'a document of another interface version is left out')
})

t.test('the examples are dated for the day the document is made: a demande created from one is live', async (t) => {
  const creation = (s: typeof sources): Json => ((restOpenApi(contract, { env: 'ecole', ...s }).paths as Json)['/demandes'].post.requestBody.content['application/json'].examples.cre.value as Json)
  const later = creation(await loadRestOpenApiSources(contract, { now: new Date('2031-06-15T06:40:00Z') }))
  t.equal(later.dateCreationDemande, '2031-06-14', 'created yesterday, valid a year')
  t.equal(later.dalo?.dateDecisionDalo, '2031-04-28', 'its other dates moved with it')
  // the day before today (or before the day the sources were made, should midnight fall between)
  const yesterday = (ms: number): string => new Date(ms - 86_400_000).toISOString().slice(0, 10)
  t.ok([yesterday(Date.now()), yesterday(Date.now() - 3_600_000)].includes(String(creation(sources).dateCreationDemande)), 'by default, for today')
})
