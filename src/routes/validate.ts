/**
 * POST `/{env}/validate`: validate-only, nothing forwarded. Integrators check a message against the
 * interface as the gateway would. The answer is a JSON report (200, `valid` true or false), or, for
 * a SOAP client (Accept: application/soap+xml or text/xml), an OK envelope or the Fault the proxy
 * would have answered. Errors of the call itself (unknown environment, body too large) are
 * application/problem+json for JSON callers.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { renderOkEnvelope } from '../soap/fault.js'
import { kCall } from './call-state.js'
import type { DataPlaneContext } from './context.js'
import { environmentHook } from './soap-service.js'
import { soapVersionFromContentType } from './soap-version.js'
import { ValidationFailure } from './validation-failure.js'

/** True when the Accept header asks for a SOAP envelope rather than JSON. */
export function wantsSoap (accept: string | undefined): boolean {
  if (accept === undefined) return false
  return accept.split(',').some((range) => {
    const type = range.split(';')[0]?.trim().toLowerCase()
    return type === 'application/soap+xml' || type === 'text/xml'
  })
}

function header (request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name]
  return Array.isArray(value) ? value.join(', ') : value
}

export function validateRoutes (ctx: DataPlaneContext) {
  return async function plugin (app: FastifyInstance): Promise<void> {
    const resolve = environmentHook(ctx)

    async function onRequest (request: FastifyRequest, reply: FastifyReply): Promise<void> {
      request[kCall].format = wantsSoap(header(request, 'accept')) ? 'soap' : 'json'
      await resolve(request, reply)
    }

    async function handler (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
      const state = request[kCall]
      const body = request.body as Buffer
      state.bytesIn = body.length
      const contentType = header(request, 'content-type')
      const soapAction = header(request, 'soapaction')
      const started = ctx.now()
      // The answer goes back to whoever sent the message, never to a log: its own values, as sent.
      const result = await ctx.checker.check(body, contentType, soapAction, { showValues: true })
      state.validationMs = ctx.now() - started
      state.operation = result.operation
      state.soapVersion = result.soapVersion
      state.mode = 'validate'
      state.violations = result.violations.map((v) => v.code)
      state.outcome = 'validated'
      for (const code of new Set(state.violations)) {
        ctx.metrics.validationFailures.inc({ env: state.env as string, operation: result.operation ?? 'unknown', code, mode: 'validate' })
      }
      if (state.format === 'soap') {
        if (result.violations.length > 0) throw new ValidationFailure(result.violations, ctx.statusOf)
        const ok = renderOkEnvelope({ soapVersion: result.soapVersion ?? soapVersionFromContentType(contentType), ...(result.operation === undefined ? {} : { operation: result.operation }) })
        state.bytesOut = Buffer.byteLength(ok.body)
        return await reply.code(ok.statusCode).type(ok.contentType).send(ok.body)
      }
      const report = JSON.stringify({
        valid: result.violations.length === 0,
        operation: result.operation ?? null,
        soapVersion: result.soapVersion ?? null,
        violations: result.violations
      })
      state.bytesOut = Buffer.byteLength(report)
      return await reply.code(200).type('application/json; charset=utf-8').send(report)
    }

    app.post('/:env/validate', { onRequest, handler })
  }
}
