/**
 * The REST API: every SNE operation as JSON over HTTPS, under `/{env}/api/v1/` (and `/api/v1/` by
 * host name), one route per row of `route-table.ts`. A call's JSON is checked against the JSON
 * contract (each error with its JSON Pointer and XSD path), turned into the SOAP message the SNE
 * expects (`message-builder.ts`), then checked and sent by the very path SOAP calls take
 * (`routes/soap-call.ts`: validation, guichets, credential, limits, forwarding, audit); the SNE's
 * answer comes back as JSON (`answers.ts`), its anomalies as a 422 problem. Errors are
 * `application/problem+json` (the data plane's error handler, `format: 'json'`).
 */
import { createHash } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { JsonContract } from '../contract/json-contract.js'
import { pointerOfPath } from '../contract/json-contract.js'
import { kCall } from '../routes/call-state.js'
import type { DataPlaneContext } from '../routes/context.js'
import { soapCall } from '../routes/soap-call.js'
import { environmentHook } from '../routes/soap-service.js'
import { ValidationFailure } from '../routes/validation-failure.js'
import { restIdempotency, type IdempotencyDeps } from '../idempotency/rest-idempotency.js'
import { readAnswer } from './answers.js'
import { codes } from './errors.js'
import { parsedBody } from './json-body.js'
import type { MessageBuilder, MessageCertificate, MessageInput } from './message-builder.js'
import { API_INTERFACE_VERSION, API_PREFIX, fastifyPath, REST_ROUTES, type RestRoute } from './route-table.js'

export interface RestContext {
  contract: JsonContract
  builder: MessageBuilder
  /** the OpenAPI document of an environment's REST API (JSON text, made once per environment) */
  openapi: (env: string) => Promise<string>
  /** the certificat/nomCertificat of the messages built for `guichet` in `env` */
  certificateOf: (env: string, guichet: string) => MessageCertificate
  /** the Idempotency-Key records of the writes (idempotency/) */
  idempotency: IdempotencyDeps
}

type Json = Record<string, unknown>
const GUICHET = /^G[0-9]{4}$/
/** RFC 3339 date-time with its offset (the SNE's dateTime parameters are written with one). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/
const DOC_PREFIX = '/demande/0/demandeLogement'

function header (request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** The request's JSON object (parsed once per request: `json-body.ts`); the media type must be JSON (`application/json` or `…+json`). */
function jsonBody (request: FastifyRequest): Json {
  const type = (header(request, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
  if (type !== 'application/json' && !/^application\/[a-z0-9.+-]+\+json$/.test(type)) throw new codes.GW_REST_UNSUPPORTED_MEDIA_TYPE()
  const parsed = parsedBody(request)
  if (!parsed.ok) {
    // The parser's message quotes the body: only the position is passed on.
    const at = /position (\d+)/.exec(parsed.error.message)?.[1]
    throw new codes.GW_REST_INVALID_JSON(at === undefined ? 'it does not parse' : `it does not parse (at position ${at})`)
  }
  const value = parsed.value
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new codes.GW_REST_INVALID_JSON('a JSON object is expected')
  return value as Json
}

export function restRoutes (ctx: DataPlaneContext, rest: RestContext) {
  const call = soapCall(ctx)
  const idempotency = restIdempotency(ctx, rest, call, rest.idempotency)
  const { contract, builder } = rest
  const numUniquePattern = numUniqueRegExp(contract)

  /** A demandeLogement body, checked as the demande of a document of its route's typeFichier. */
  function checkDemande (route: RestRoute, body: Json, typeFichier: string): void {
    const doc = { versionInterface: API_INTERFACE_VERSION, entete: { typeFichier, dateFichier: '2000-01-01T00:00:00.000+00:00' }, demande: [{ demandeLogement: body }] }
    const violations = contract.validateDocument(doc, 'request')
    if (violations.length === 0) return
    const errors = violations.map((v) => ({
      pointer: v.pointer.startsWith(DOC_PREFIX) ? v.pointer.slice(DOC_PREFIX.length) : v.pointer,
      path: v.path,
      code: v.code,
      message: v.message
    }))
    throw new codes.GW_REST_CONTRACT(errors.length, { problem: { errors } })
  }

  /** The acting guichet: the demande's numGuichet, else the SNE-Guichet header, else the identity's only one. */
  function actingGuichet (request: FastifyRequest, body: Json | undefined): string {
    const inBody = body?.numGuichet
    if (typeof inBody === 'string') return inBody
    const named = header(request, 'sne-guichet')
    if (named !== undefined) {
      if (!GUICHET.test(named)) throw new codes.GW_REST_INVALID_PARAMETER('the SNE-Guichet header is a guichet code: G and four digits')
      return named
    }
    const state = request[kCall]
    const mine = ctx.guichets.guichetsOf(state.env as string, state.identity)
    if (mine !== undefined && mine.length === 1 && mine[0] !== '*') return mine[0] as string
    throw new codes.GW_REST_GUICHET_REQUIRED()
  }

  function numUniqueParam (request: FastifyRequest): string {
    const nu = (request.params as { numUnique?: string }).numUnique ?? ''
    if (!numUniquePattern.test(nu)) throw new codes.GW_REST_INVALID_PARAMETER(`the path's numUnique is not a numéro unique (${numUniquePattern.source})`)
    return nu
  }

  function sinceParam (request: FastifyRequest): string {
    const raw = (request.query as { depuis?: unknown }).depuis
    if (typeof raw !== 'string' || raw === '') throw new codes.GW_REST_INVALID_PARAMETER('the depuis query parameter is required: an RFC 3339 date-time with its offset')
    if (!RFC3339.test(raw)) {
      // A '+' left bare in a query string decodes as a space.
      const hint = / \d{2}:\d{2}$/.test(raw) ? ' (a + in a query string must be percent-encoded as %2B)' : ''
      throw new codes.GW_REST_INVALID_PARAMETER(`depuis is not an RFC 3339 date-time with its offset${hint}`)
    }
    return raw
  }

  /** What the route's JSON becomes in the SOAP message. */
  function inputOf (route: RestRoute, request: FastifyRequest): MessageInput {
    switch (route.operation) {
      case 'getNumUnique': {
        const body = jsonBody(request)
        let typeFichier: string = route.typeFichier ?? 'CRE'
        const wanted = (request.query as { typeFichier?: unknown }).typeFichier
        if (wanted !== undefined) {
          if (route.typeFichierQuery === undefined || !route.typeFichierQuery.includes(wanted as 'CRE')) throw new codes.GW_REST_INVALID_PARAMETER(`typeFichier must be one of ${(route.typeFichierQuery ?? []).join(', ')} here`)
          typeFichier = wanted as string
        }
        if (route.path.includes('{numUnique}')) {
          const nu = numUniqueParam(request)
          if (body.numUnique !== undefined && body.numUnique !== nu) throw new codes.GW_REST_NUMUNIQUE_MISMATCH()
          body.numUnique = nu
        }
        if (route.radiationMotif !== undefined) {
          const radiation = body.radiation as Json | undefined
          const motif = radiation?.motif
          if (route.radiationMotif === 'any' && (typeof motif !== 'string' || motif === '')) throw new codes.GW_REST_RADIATION_MOTIF('a radiation names its motif: radiation.motif')
          if (route.radiationMotif === 'empty') {
            if (motif !== undefined && motif !== '') throw new codes.GW_REST_RADIATION_MOTIF('a réactivation has an empty radiation motif')
            body.radiation = { ...radiation, motif: '' }
          }
        }
        checkDemande(route, body, typeFichier)
        return { operation: 'getNumUnique', typeFichier, guichet: actingGuichet(request, body), demandeLogement: body }
      }
      case 'getDoublons': {
        const body = jsonBody(request)
        checkDemande(route, body, 'CRE')
        return { operation: 'getDoublons', guichet: actingGuichet(request, body), demandeLogement: body }
      }
      case 'getDemandeLogement':
        return { operation: 'getDemandeLogement', guichet: actingGuichet(request, undefined), numUnique: numUniqueParam(request) }
      case 'getNouveauxDaloDepuisLe':
      case 'getDemandesRadieesDepuisLe':
        return { operation: route.operation, guichet: actingGuichet(request, undefined), since: sinceParam(request) }
      case 'declarationNouveauDalo': {
        const body = jsonBody(request)
        const { dateDecisionDalo, statutDalo, typologieLogementDalo, ...rest } = body
        const extra = Object.keys(rest)
        if (typeof dateDecisionDalo !== 'string' || typeof statutDalo !== 'string' || (typologieLogementDalo !== undefined && typeof typologieLogementDalo !== 'string') || extra.length > 0) {
          const errors = [
            ...(typeof dateDecisionDalo === 'string' ? [] : [{ pointer: '/dateDecisionDalo', code: 'GW_SCHEMA_MISSING_ELEMENT', message: 'a date (YYYY-MM-DD) is required' }]),
            ...(typeof statutDalo === 'string' ? [] : [{ pointer: '/statutDalo', code: 'GW_SCHEMA_MISSING_ELEMENT', message: 'a statutDalo code is required' }]),
            ...extra.map((k) => ({ pointer: `/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, code: 'GW_SCHEMA_UNEXPECTED_ELEMENT', message: `the property ${k} is not in the schema here` }))
          ]
          throw new codes.GW_REST_CONTRACT(Math.max(errors.length, 1), { problem: { errors } })
        }
        return { operation: 'declarationNouveauDalo', guichet: actingGuichet(request, undefined), numUnique: numUniqueParam(request), dalo: { dateDecisionDalo, statutDalo, typologieLogementDalo: typologieLogementDalo as string | undefined } }
      }
      default:
        throw new Error(`no REST input for operation ${route.operation}`)
    }
  }

  /** A SOAP validation failure of the built message, with the body's JSON Pointers where the XSD path maps to one. */
  function withPointers (err: unknown): unknown {
    if (!(err instanceof ValidationFailure)) return err
    const version = contract.versions.get(API_INTERFACE_VERSION)
    const errors = err.violations.map((v) => {
      const pointer = v.path === undefined || version === undefined ? undefined : pointerOfPath(version, v.path)
      return { code: v.code, message: v.message, path: v.path, pointer: pointer?.startsWith(DOC_PREFIX) === true ? pointer.slice(DOC_PREFIX.length) : pointer }
    })
    return new codes.GW_REST_CONTRACT(errors.length, { problem: { errors } })
  }

  return async function plugin (app: FastifyInstance): Promise<void> {
    const resolve = environmentHook(ctx, { limited: true })
    const onRequest = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      request[kCall].format = 'json'
      reply.header('sne-interface-version', API_INTERFACE_VERSION)
      await resolve(request, reply)
    }

    // The published contract: the same client certificate rules as the calls it describes.
    const openapi = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
      const text = await rest.openapi(request[kCall].env as string)
      const etag = `"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"`
      reply.header('etag', etag).header('cache-control', 'private, max-age=300')
      if (request.headers['if-none-match'] === etag) return await reply.code(304).send()
      request[kCall].bytesOut = Buffer.byteLength(text)
      request[kCall].outcome = 'published'
      return await reply.type('application/json; charset=utf-8').send(text)
    }
    for (const url of ['/:env' + API_PREFIX + '/openapi.json', API_PREFIX + '/openapi.json']) app.get(url, { onRequest, handler: openapi })

    for (const route of REST_ROUTES) {
      const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
        const state = request[kCall]
        state.bytesIn = (request.body as Buffer | undefined)?.length ?? 0
        const input = inputOf(route, request)
        const built = builder.build(input, rest.certificateOf(state.env as string, input.guichet))
        const message = { body: built.body, headers: { 'content-type': built.contentType } }
        try {
          await call.check(request, reply, message)
        } catch (err) {
          throw withPointers(err)
        }
        await idempotency.sending(request, input)
        const sent = await call.send(request, reply, message)
        const whole = await sent.readAll()
        const contentType = typeof sent.answer.headers['content-type'] === 'string' ? sent.answer.headers['content-type'] : undefined
        const outcome = readAnswer(ctx.spec, contract, whole, contentType, route.answer)
        switch (outcome.kind) {
          case 'fault':
            state.outcome = 'upstream_error'
            throw new codes.GW_REST_SNE_FAULT(outcome.code ?? 'no code')
          case 'off-contract':
            state.outcome = 'upstream_error'
            throw new codes.GW_REST_SNE_ANSWER_INVALID(outcome.reason)
          case 'anomalies':
            if (outcome.anomalies.some((a) => a.code === 'CTRL_DEM_0001')) throw new codes.GW_REST_DEMANDE_NOT_FOUND({ problem: { anomalies: outcome.anomalies } })
            throw new codes.GW_REST_SNE_ANOMALY(outcome.anomalies.length, { problem: { anomalies: outcome.anomalies } })
          case 'ok': {
            const text = JSON.stringify(outcome.body)
            state.bytesOut = Buffer.byteLength(text)
            if (route.status === 201 && outcome.numUnique !== undefined) {
              const base = request.url.split('?')[0] ?? ''
              reply.header('location', `${base}/${encodeURIComponent(outcome.numUnique)}`)
            }
            return await reply.code(route.status).type('application/json; charset=utf-8').send(text)
          }
        }
      }
      const options = { onRequest, handler, ...idempotency.hooks(route) }
      const path = API_PREFIX + fastifyPath(route.path)
      app.route({ method: route.method, url: '/:env' + path, ...options })
      app.route({ method: route.method, url: path, ...options })
    }
  }
}

/** The numéro unique's pattern, from the contract (TNumUnique), anchored. */
function numUniqueRegExp (contract: JsonContract): RegExp {
  const schema = contract.documentSchema(API_INTERFACE_VERSION, 'request') as { $defs?: Record<string, { pattern?: string }> }
  const pattern = schema.$defs?.TNumUnique?.pattern
  return pattern === undefined ? /^[0-9A-Z]{18}$/ : new RegExp(pattern, 'u')
}
