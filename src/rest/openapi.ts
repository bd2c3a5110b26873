/**
 * The REST API's OpenAPI 3.1 document, derived from the route table (`route-table.ts`) and the
 * JSON contract: every body and answer schema is a `$ref` into the contract's own components
 * (`contract.openapi()`), never a copy, and only the components the API reaches are kept.
 *
 * Pure: the examples and the package version arrive in the options (`openapi-sources.ts` reads
 * them once, at start). Both the data plane's `openapi.json` and the ops plane's reference page
 * publish what this function returns.
 */
import type { JsonContract } from '../contract/json-contract.js'
import type { JsonSchema } from '../contract/json-schema.js'
import { API_INTERFACE_VERSION, API_PREFIX, REST_ROUTES, type RestAnswer, type RestRoute } from './route-table.js'
import type { ExampleObject, RestExamples } from './openapi-examples.js'
import { PROBLEM_TYPE_BASE } from '../routes/error-handler.js'

export { PROBLEM_TYPE_BASE }

/** The members of a DALO decision body: the children of the declarationNouveauDalo wrapper it sets. */
export const DALO_FIELDS = ['dateDecisionDalo', 'statutDalo', 'typologieLogementDalo'] as const


export interface RestOpenApiOptions {
  /** the environment the document describes: its server is `${serverUrl}/${env}/api/v1` */
  env?: string
  /** the gateway's own origin, e.g. `https://sne-gateway.example:8443` (default: a relative URL) */
  serverUrl?: string
  /** `info.version`: the gateway's package version (default `0.0.0`) */
  version?: string
  /** request, answer and problem examples (none without) */
  examples?: RestExamples
}

const REF = '#/components/schemas/'
const ref = (name: string): JsonSchema => ({ $ref: `${REF}${name}` })
const CONTRACT_ID = 'urn:sne-gateway:contract:'

/** A problem status: when it applies and what it means. */
interface ProblemStatus {
  status: number
  description: string
  applies (route: RestRoute): boolean
  headers?: readonly string[]
}

const PROBLEM_STATUSES: readonly ProblemStatus[] = [
  { status: 400, description: 'The request breaks the contract: a body, path, query or header that does not validate (`errors` lists each violation with its JSON Pointer and XSD path), or malformed JSON', applies: () => true },
  { status: 403, description: 'The client certificate may not act for this guichet (GW_GUICHET_FORBIDDEN), or not in this environment', applies: () => true },
  { status: 404, description: 'No demande has this numéro unique', applies: (r) => r.path.includes('{numUnique}') },
  { status: 409, description: 'A call with this Idempotency-Key is in progress (GW_IDEMPOTENCY_IN_FLIGHT), or its outcome is unknown and it is not sent again now (GW_IDEMPOTENCY_OUTCOME_UNKNOWN); retry after `Retry-After` seconds when given', applies: (r) => r.write, headers: ['Retry-After'] },
  { status: 413, description: 'The body is larger than the gateway accepts', applies: (r) => r.body !== undefined },
  { status: 415, description: 'The body is not `application/json`', applies: (r) => r.body !== undefined },
  { status: 422, description: 'The SNE refused the call: `anomalies` lists its listeAnomalie, codes verbatim (e.g. CTRL_DEM_0009); or, on a write, its Idempotency-Key was used for another call (GW_IDEMPOTENCY_KEY_REUSED)', applies: () => true },
  { status: 429, description: 'A rate or concurrency limit of the client identity or the guichet (GW_LIMIT_…): retry after `Retry-After` seconds', applies: () => true, headers: ['Retry-After', 'RateLimit-Policy', 'RateLimit'] },
  { status: 502, description: 'The SNE answered with a Fault or with an answer outside the contract', applies: () => true },
  { status: 503, description: 'The upstream SNE is busy (load shedding): the calls already waiting for a connection to it reach the configured bound, and this one is refused at once (GW_PROXY_QUEUE_FULL), or it waited the longest time allowed for a connection (GW_PROXY_QUEUE_TIMEOUT); or the gateway holds too many request bytes now (GW_LIMIT_BODY_MEMORY). These come with `Retry-After`: retry after that many seconds. Also, without `Retry-After`: the SNE cannot be reached (GW_PROXY_UPSTREAM_DNS, GW_PROXY_UPSTREAM_UNAVAILABLE), message validation or the idempotency store is unavailable (GW_SPEC_VALIDATOR_UNAVAILABLE, GW_STORE_UNAVAILABLE), the environment is disabled (GW_ROUTE_ENVIRONMENT_DISABLED), or the gateway is shutting down (GW_ROUTE_SHUTTING_DOWN)', applies: () => true, headers: ['Retry-After'] },
  { status: 504, description: 'The SNE did not answer in time; for a write, its outcome is unknown: read the demande before sending it again', applies: () => true }
]

/** Response headers, shared by reference. */
const HEADERS: Record<string, JsonSchema> = {
  'X-Request-Id': { description: "The gateway's identifier of the call, also the problem's `instance` (`urn:uuid:<id>`) and in its logs", schema: { type: 'string' } },
  'SNE-Interface-Version': { description: 'The interface version this API speaks', schema: { type: 'string', const: API_INTERFACE_VERSION } },
  Location: { description: 'The created demande: `…/demandes/{numUnique}`', schema: { type: 'string' } },
  'Idempotency-Replayed': { description: '`true` when the answer is that of an earlier call with the same Idempotency-Key (nothing was sent again)', schema: { type: 'string', const: 'true' } },
  'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 0 } },
  'RateLimit-Policy': { description: 'The limit that applies (IETF draft-ietf-httpapi-ratelimit-headers)', schema: { type: 'string' } },
  RateLimit: { description: 'What remains of the limit (IETF draft-ietf-httpapi-ratelimit-headers)', schema: { type: 'string' } }
}

const DEPUIS_PATTERN = '^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]+)?(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$'

/** The gateway's own schemas: problems and the JSON wrappers of answers and DALO bodies. */
function problemSchemas (): Record<string, JsonSchema> {
  return {
    Problem: {
      type: 'object',
      description: 'RFC 9457 problem details (`application/problem+json`)',
      properties: {
        type: { type: 'string', description: `\`${PROBLEM_TYPE_BASE}<code>\`` },
        title: { type: 'string' },
        status: { type: 'integer', minimum: 400, maximum: 599 },
        detail: { type: 'string' },
        instance: { type: 'string', pattern: '^urn:uuid:', description: 'the request id (`X-Request-Id`) as `urn:uuid:<id>`' },
        code: { type: 'string', pattern: '^GW_[A-Z0-9_]+$', description: "the gateway's stable code (docs/errors.md)" },
        errors: { type: 'array', items: ref('ProblemError'), description: 'contract violations' },
        anomalies: { type: 'array', items: ref('ProblemAnomaly'), description: "the SNE's listeAnomalie" }
      },
      required: ['type', 'title', 'status', 'instance', 'code']
    },
    ProblemError: {
      type: 'object',
      properties: {
        pointer: { type: 'string', description: 'JSON Pointer of the value in the request body' },
        path: { type: 'string', description: 'the XSD path of the same field' },
        code: { type: 'string', description: 'GW_SCHEMA_… or an interface rule code' },
        message: { type: 'string' }
      },
      required: ['pointer', 'path', 'code', 'message']
    },
    ProblemAnomaly: {
      type: 'object',
      properties: {
        code: { type: 'string', description: "the SNE's code, verbatim (e.g. CTRL_DEM_0009)" },
        message: { type: 'string' },
        pointer: { type: 'string', description: 'JSON Pointer of the field it names, when known' }
      },
      required: ['code', 'message']
    }
  }
}

/** The name of a standalone contract schema's root component (its `$id` names it). */
function rootName (schema: JsonSchema): string {
  return String(schema.$id).slice(CONTRACT_ID.length)
}

/** The component a property of a component refers to (through an array's items), by the XSD names. */
function propertyRef (components: Record<string, JsonSchema>, from: string, property: string): string {
  let schema = components[from]
  // A root element of a named type is a reference to that type.
  for (let i = 0; i < 4 && typeof schema?.$ref === 'string' && schema.$ref.startsWith(REF); i++) schema = components[schema.$ref.slice(REF.length)]
  const props = schema?.properties as Record<string, JsonSchema> | undefined
  let p = props?.[property]
  if (p?.type === 'array') p = p.items as JsonSchema
  const target = typeof p?.$ref === 'string' ? p.$ref : undefined
  if (target === undefined || !target.startsWith(REF)) throw new Error(`the contract has no ${from}/${property} reference`)
  return target.slice(REF.length)
}

/** The definitions the REST API uses, found in the contract by the XSD's element names. */
function contractNames (contract: JsonContract, components: Record<string, JsonSchema>): { demande: string, demandeAnswer: string, doublon: string, dalo: string } {
  const request = rootName(contract.documentSchema(API_INTERFACE_VERSION, 'request'))
  const answer = rootName(contract.documentSchema(API_INTERFACE_VERSION, 'answer'))
  const dalo = REST_ROUTES.find((r) => r.body === 'dalo')
  return {
    demande: propertyRef(components, propertyRef(components, request, 'demande'), 'demandeLogement'),
    demandeAnswer: propertyRef(components, propertyRef(components, answer, 'demande'), 'demandeLogement'),
    doublon: propertyRef(components, propertyRef(components, answer, 'listeDoublons'), 'doublon'),
    dalo: rootName(contract.operationSchema(dalo?.operation ?? 'declarationNouveauDalo', 'request'))
  }
}

/** The DALO body: the wrapper's DALO children, their schemas and requiredness as the WSDL says. */
function daloSchema (wrapper: JsonSchema): JsonSchema {
  const props = wrapper.properties as Record<string, JsonSchema>
  const required = new Set(wrapper.required as string[] | undefined)
  const properties: Record<string, JsonSchema> = {}
  for (const f of DALO_FIELDS) {
    if (props[f] === undefined) throw new Error(`the DALO wrapper has no ${f}`)
    properties[f] = props[f]
  }
  return {
    type: 'object',
    description: 'A DALO decision on the demande of the path (declarationNouveauDalo)',
    properties,
    required: DALO_FIELDS.filter((f) => required.has(f)),
    additionalProperties: false
  }
}

function answerSchemas (names: ReturnType<typeof contractNames>): Record<string, JsonSchema> {
  const demande: JsonSchema = { type: 'object', properties: { demandeLogement: ref(names.demandeAnswer) }, required: ['demandeLogement'], additionalProperties: false }
  return {
    DemandeAnswer: { ...demande, description: 'The demande as the SNE answered it' },
    DoublonsAnswer: {
      type: 'object',
      description: 'The demandes the SNE considers possible duplicates (its listeDoublons)',
      properties: { doublons: { type: 'array', items: ref(names.doublon) } },
      required: ['doublons'],
      additionalProperties: false
    },
    DemandesAnswer: {
      type: 'object',
      description: 'The demandes of the list',
      properties: { demandes: { type: 'array', items: ref('DemandeAnswer') } },
      required: ['demandes'],
      additionalProperties: false
    }
  }
}

const ANSWER_SCHEMA: Record<RestAnswer, string> = { demande: 'DemandeAnswer', doublons: 'DoublonsAnswer', demandes: 'DemandesAnswer' }

function parameters (numUniqueSchema: string, examples: RestExamples | undefined): Record<string, JsonSchema> {
  const withExample = (p: JsonSchema, value: string | undefined): JsonSchema => value === undefined ? p : { ...p, example: value }
  return {
    numUnique: withExample({ name: 'numUnique', in: 'path', required: true, description: 'The numéro unique of the demande', schema: ref(numUniqueSchema) }, examples?.numUnique),
    depuis: withExample({
      name: 'depuis',
      in: 'query',
      required: true,
      description: 'An RFC 3339 date-time with its offset; a `+` must be percent-encoded (`%2B`)',
      schema: { type: 'string', pattern: DEPUIS_PATTERN }
    }, examples?.depuis),
    guichet: withExample({
      name: 'SNE-Guichet',
      in: 'header',
      required: false,
      description: 'The guichet the call acts for; required when the client certificate may act for several guichets',
      schema: { type: 'string', pattern: '^G[0-9]{4}$' }
    }, examples?.guichet),
    idempotencyKey: {
      name: 'Idempotency-Key',
      in: 'header',
      required: true,
      description: 'A unique value per call (a UUID), sent again unchanged on each retry of that call: a retry is answered from the first call, never carried out twice (docs/rest.md, "Idempotent writes"). 1 to 255 printable ASCII characters, bare or as a quoted string',
      schema: { type: 'string', minLength: 1, maxLength: 257 }
    },
    typeFichier: {
      name: 'typeFichier',
      in: 'query',
      required: false,
      description: 'CRS for a création following a couple\'s separation; CRE by default',
      schema: { type: 'string', enum: ['CRE', 'CRS'], default: 'CRE' }
    }
  }
}

function headerRefs (names: readonly string[]): Record<string, JsonSchema> {
  return Object.fromEntries(names.map((n) => [n, { $ref: `#/components/headers/${n}` }]))
}

function operation (route: RestRoute, names: ReturnType<typeof contractNames>, examples: RestExamples | undefined): JsonSchema {
  const params: JsonSchema[] = []
  if (route.path.includes('{numUnique}')) params.push({ $ref: '#/components/parameters/numUnique' })
  if (route.since === true) params.push({ $ref: '#/components/parameters/depuis' })
  if (route.typeFichierQuery !== undefined) params.push({ $ref: '#/components/parameters/typeFichier' })
  // A demande names its guichet (numGuichet); a call without one says it in a header.
  if (route.body === undefined || route.body === 'dalo') params.push({ $ref: '#/components/parameters/guichet' })
  if (route.write) params.push({ $ref: '#/components/parameters/idempotencyKey' })
  const sne = route.typeFichier === undefined ? route.operation : `${route.operation}, typeFichier ${route.typeFichier}`
  const op: JsonSchema = {
    operationId: route.id,
    summary: route.summary,
    description: `The SNE operation ${sne}.${route.radiationMotif === 'empty' ? ' The radiation motif must be empty (a réactivation).' : route.radiationMotif === 'any' ? ' The radiation carries its motif.' : ''}`,
    tags: [route.path.split('/')[1]],
    'x-sneOperation': route.operation
  }
  if (params.length > 0) op.parameters = params
  if (route.body !== undefined) {
    const media: JsonSchema = { schema: ref(route.body === 'dalo' ? 'DaloDecision' : names.demande) }
    const ex = examples?.requests[route.id]
    if (ex !== undefined && Object.keys(ex).length > 0) media.examples = ex
    op.requestBody = { required: true, content: { 'application/json': media } }
  }
  const success: JsonSchema = { schema: ref(ANSWER_SCHEMA[route.answer]) }
  const answer = examples?.answers[route.answer]
  if (answer !== undefined) success.examples = { [route.answer]: answer }
  const responses: Record<string, JsonSchema> = {
    [String(route.status)]: {
      description: route.status === 201 ? 'Created' : 'OK',
      headers: headerRefs(['X-Request-Id', 'SNE-Interface-Version', ...(route.status === 201 ? ['Location'] : []), ...(route.write ? ['Idempotency-Replayed'] : [])]),
      content: { 'application/json': success }
    }
  }
  for (const p of PROBLEM_STATUSES) {
    if (p.applies(route)) responses[String(p.status)] = { $ref: `#/components/responses/Problem${p.status}` }
  }
  op.responses = responses
  return op
}

function problemResponses (examples: RestExamples | undefined): Record<string, JsonSchema> {
  return Object.fromEntries(PROBLEM_STATUSES.map((p) => {
    const media: JsonSchema = { schema: ref('Problem') }
    const ex: ExampleObject | undefined = examples?.problems[p.status]
    if (ex !== undefined) media.examples = { [`problem${p.status}`]: ex }
    return [`Problem${p.status}`, {
      description: p.description,
      headers: headerRefs(['X-Request-Id', 'SNE-Interface-Version', ...(p.headers ?? [])]),
      content: { 'application/problem+json': media }
    }]
  }))
}

/** Every `$ref` string under `value`. */
function refsOf (value: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const v of value) refsOf(v, out)
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.add(v)
      else refsOf(v, out)
    }
  }
  return out
}

/** The schemas reachable from `roots`: the components the API uses, and nothing else. */
function reachable (all: Record<string, JsonSchema>, roots: unknown): Record<string, JsonSchema> {
  const kept = new Map<string, JsonSchema>()
  const queue = [...refsOf(roots, new Set())]
  while (queue.length > 0) {
    const r = queue.pop()!
    if (!r.startsWith(REF)) continue
    const name = r.slice(REF.length)
    if (kept.has(name)) continue
    const schema = all[name]
    if (schema === undefined) throw new Error(`dangling reference ${r}`)
    kept.set(name, schema)
    queue.push(...refsOf(schema, new Set()))
  }
  return Object.fromEntries([...kept].sort(([a], [b]) => a.localeCompare(b)))
}

/** The REST API's OpenAPI 3.1 document. */
export function restOpenApi (contract: JsonContract, options: RestOpenApiOptions = {}): JsonSchema {
  const base = contract.openapi()
  const contractSchemas = (base.components as { schemas: Record<string, JsonSchema> }).schemas
  const names = contractNames(contract, contractSchemas)
  const numUnique = propertyRef(contractSchemas, names.demande, 'numUnique')
  const examples = options.examples
  const all: Record<string, JsonSchema> = {
    ...contractSchemas,
    ...problemSchemas(),
    ...answerSchemas(names),
    DaloDecision: daloSchema(contractSchemas[names.dalo]!)
  }
  const paths: Record<string, Record<string, JsonSchema>> = {}
  for (const route of REST_ROUTES) {
    paths[route.path] ??= {}
    paths[route.path]![route.method.toLowerCase()] = operation(route, names, examples)
  }
  const components = {
    parameters: parameters(numUnique, examples),
    headers: HEADERS,
    responses: problemResponses(examples)
  }
  const prefix = options.env === undefined ? API_PREFIX : `/${encodeURIComponent(options.env)}${API_PREFIX}`
  const serverUrl = `${(options.serverUrl ?? '').replace(/\/+$/, '')}${prefix}`
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: base.jsonSchemaDialect,
    info: {
      title: 'sne-gateway REST API',
      version: options.version ?? '0.0.0',
      description: [
        `The SNE webservice (DemandeLogementImplService) as JSON, interface version ${API_INTERFACE_VERSION}.`,
        'Bodies and answers are the JSON form of the interfaceNuu XSD: property names are the XSD local names, arrays exactly where an element may repeat, codes as strings.',
        'Errors are RFC 9457 problem details with a stable `code`.',
        'Every call presents a client certificate (mutual TLS).'
      ].join(' ')
    },
    servers: [{
      url: serverUrl,
      description: options.env === undefined ? 'the environment chosen by host name' : `the ${options.env} environment`
    }],
    security: [{ mutualTLS: [] }],
    tags: [...new Set(REST_ROUTES.map((r) => r.path.split('/')[1]!))].map((name) => ({ name })),
    paths,
    components: {
      schemas: reachable(all, { paths, components }),
      ...components,
      securitySchemes: {
        mutualTLS: { type: 'mutualTLS', description: 'A client certificate the gateway trusts; it decides which guichets the call may act for' }
      }
    }
  }
}
