/**
 * The data plane: the routes of the proxied webservice, its WSDL, and validate-only, under one
 * error handler and one not-found handler, with the per-call state, request ids, drain refusal and
 * access line set up here for every route.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { recordCall } from './access-log.js'
import { kCall, newCallState } from './call-state.js'
import { clientRequestId } from './request-id.js'
import type { DataPlaneContext } from './context.js'
import { buildErrorHandler } from './error-handler.js'
import { codes } from './errors.js'
import { addBodyReader } from './body-reader.js'
import { callerKey } from './call-limits.js'
import { clientAddressOf } from '../tls/client-address.js'
import { soapServiceRoutes } from './soap-service.js'
import { validateRoutes } from './validate.js'
import { restRoutes } from '../rest/rest-routes.js'
import { API_PREFIX } from '../rest/route-table.js'
import { wsdlRoutes } from './wsdl.js'

export interface DataPlaneLifecycle {
  /** true once the gateway has started draining */
  draining: () => boolean
  /** in-flight accounting for the drain */
  onStart: () => void
  onEnd: () => void
}

const REST_PATH = new RegExp(`^(?:/[a-z][a-z0-9-]{0,31})?${API_PREFIX}(?:[/?]|$)`)

/** Registers the data plane on `app` (a fresh Fastify instance, not yet ready). */
export async function registerDataPlane (app: FastifyInstance, ctx: DataPlaneContext, lifecycle: DataPlaneLifecycle): Promise<void> {
  app.decorateRequest(kCall, null as unknown as never)
  // Every body is read raw, bounded by bodyLimit and the body budget, on every route (the
  // not-found one included): nothing on the data plane parses JSON or forms.
  addBodyReader(app, {
    bodyLimit: ctx.config.dataPlane.bodyLimit,
    budget: ctx.bodyBudget,
    identityOf: (request) => callerKey(request[kCall].identity ?? ctx.identityOf(request.raw.socket), clientAddressOf(request.raw.socket)),
    onRefused: (request, scope) => {
      const state = request[kCall]
      state.outcome = 'refused'
      ctx.metrics.limitRefusals.inc({ env: state.env ?? 'none', limit: 'body_memory', scope })
      request.log.warn({ limit: 'body_memory', scope, identity: state.identity, held: ctx.bodyBudget.inFlight() }, 'request body refused: body memory budget')
    }
  })

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const state = newCallState(ctx.now())
    state.clientRequestId = clientRequestId(request.headers)
    // Under the REST API's prefix, every error is problem+json, those before routing included.
    if (REST_PATH.test(request.url)) state.format = 'json'
    request[kCall] = state
    reply.header('x-request-id', request.id)
    lifecycle.onStart()
    // 'close' fires once per response, delivered or aborted: the one place calls end.
    reply.raw.once('close', () => {
      state.body?.release()
      lifecycle.onEnd()
      recordCall(request, reply, ctx.metrics, ctx.now, ctx.accessLog)
    })
    if (lifecycle.draining()) {
      // The connection is closing: the client sends the call again on a new one (another instance).
      reply.header('connection', 'close')
      throw new codes.GW_ROUTE_SHUTTING_DOWN()
    }
  })
  // Callback style, not async: one promise less on every answer.
  app.addHook('onSend', (_request, reply, payload, done) => {
    // Draining: the answer closes its connection, so the client's next call opens a new one.
    if (lifecycle.draining()) reply.header('connection', 'close')
    done(null, payload)
  })
  app.setErrorHandler(buildErrorHandler({ bodyLimit: ctx.config.dataPlane.bodyLimit, draining: lifecycle.draining }))
  app.setNotFoundHandler(async (request) => {
    throw new codes.GW_ROUTE_NOT_FOUND(request.method, request.url.split('?')[0] ?? '')
  })
  await app.register(soapServiceRoutes(ctx))
  await app.register(wsdlRoutes(ctx))
  await app.register(validateRoutes(ctx))
  await app.register(restRoutes(ctx, ctx.rest))
}
