/**
 * The simulator's HTTPS routes: POST of SOAP messages on the service path, GET of the WSDL
 * (`?wsdl`) and its schemas (`?xsd=<file>`). Carries out the fault injector's decisions on the
 * connection itself (latency, 503, Fault, reset before/after the body, truncated answer).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { parseContentType } from '../soap/content-type.js'
import { renderFault } from '../soap/fault.js'
import type { InterfaceSpec } from '../contract/types.js'
import { resetConnection } from './connection.js'
import type { CallCounters } from './counters.js'
import { codes } from './errors.js'
import type { FaultInjector } from './faults.js'
import type { SoapHandler, SoapResponse } from './soap-handler.js'
import { SERVICE_PATH, type WsdlPublication } from './wsdl-publication.js'

export interface SoapRoutesOptions {
  spec: InterfaceSpec
  handler: SoapHandler
  faults: FaultInjector
  counters: CallCounters
  publication: WsdlPublication
  bodyLimit: number
  /** the public base URL for the WSDL; from the Host header when undefined */
  publicUrl: string | undefined
  /** aborted when the simulator closes: injected latency ends early */
  closing: AbortSignal
}

const UNAVAILABLE_PAGE = '<html><head><title>503 Service Unavailable</title></head><body><h1>Service Unavailable</h1></body></html>\n'

// A Host header is written into the published WSDL: accept only what a host[:port] can be.
const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/

function send (reply: FastifyReply, res: SoapResponse): FastifyReply {
  return reply.code(res.statusCode).header('content-type', res.contentType).send(res.body)
}

/** Registers the routes on an encapsulated instance. */
export async function soapRoutes (app: FastifyInstance, options: SoapRoutesOptions): Promise<void> {
  const { spec, handler, faults, counters, publication, bodyLimit, publicUrl, closing } = options

  // The operation named by the headers (action parameter or SOAPAction), known before the body.
  const byAction = new Map<string, string>()
  for (const op of spec.operations.values()) {
    byAction.set(op.action, op.name)
    byAction.set(op.name, op.name)
  }
  function operationOfHeaders (request: FastifyRequest): string | undefined {
    let action: string | undefined
    try {
      const ct = parseContentType(request.headers['content-type'] ?? '')
      action = ct.params.action
    } catch {
      action = undefined
    }
    action ??= request.headers.soapaction?.toString().replace(/^"|"$/g, '')
    return action === undefined ? undefined : byAction.get(action) ?? byAction.get(action.slice(action.lastIndexOf('/') + 1))
  }

  // Every body is kept as bytes: the codec reads them, whatever the media type says (it answers
  // 415 itself for one it does not speak).
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => { done(null, body) })

  app.setErrorHandler((err: Error & { code?: string, statusCode?: number }, request, reply) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const error = new codes.GW_SIM_BODY_TOO_LARGE(bodyLimit)
      counters.record(undefined, 'fault', request.raw.socket)
      const fault = renderFault({ soapVersion: '1.2', code: 'Sender', subcode: error.code, reason: error.message, statusCode: 413 })
      return reply.code(413).header('content-type', fault.contentType).send(fault.body)
    }
    // Anything else is our bug: logged with its stack, answered as the SNE answers its own.
    request.log.error({ err }, 'simulator error')
    counters.record(undefined, 'fault', request.raw.socket)
    return send(reply, handler.genericFault(codes.GW_SIM_SNE_ERROR.code, undefined))
  })

  app.post(SERVICE_PATH, {
    onRequest: async (request, reply) => {
      const operation = operationOfHeaders(request)
      if (faults.beforeBody(operation) === 'reset-before-body') {
        counters.record(operation, 'injected:reset-before-body', request.raw.socket)
        request.log.info({ operation, fault: 'reset-before-body' }, 'injected fault')
        reply.hijack()
        resetConnection(request.raw.socket)
        return reply
      }
    }
  }, async (request, reply) => {
    const soapAction = request.headers.soapaction?.toString()
    const validated = handler.validate(request.body as Buffer, request.headers['content-type'], soapAction, request.headers.accept)
    const { operation } = validated
    const decision = faults.afterBody(operation)
    // Failures that happen before the call is processed: nothing is changed.
    const before = decision.fault === 'reset-after-body' || decision.fault === 'http-503' || decision.fault === 'soap-fault'
    // A slow SNE that registers the call only later: a client that gave up meanwhile finds it afterwards.
    if (decision.delayBeforeMs !== undefined) await sleep(decision.delayBeforeMs, undefined, { signal: closing }).catch(() => {})
    const res = before ? undefined : handler.respond(validated)
    // Latency comes after processing: a client that gives up has an ambiguous outcome, as with a slow SNE.
    if (decision.latencyMs > 0) await sleep(decision.latencyMs, undefined, { signal: closing }).catch(() => {})
    if (decision.fault !== undefined) {
      counters.record(operation, `injected:${decision.fault}`, request.raw.socket)
      request.log.info({ operation, fault: decision.fault }, 'injected fault')
    }
    switch (decision.fault) {
      case 'reset-after-body':
        reply.hijack()
        resetConnection(request.raw.socket)
        return reply
      case 'http-503':
        return reply.code(503).header('content-type', 'text/html; charset=utf-8').send(UNAVAILABLE_PAGE)
      case 'soap-fault':
        return send(reply, handler.genericFault(codes.GW_SIM_INJECTED_FAULT.code, operation))
      case 'truncate': {
        // The whole answer is announced, half of it is sent, then the connection closes.
        reply.hijack()
        const raw = reply.raw
        raw.writeHead(res!.statusCode, { 'content-type': res!.contentType, 'content-length': res!.body.length })
        raw.write(res!.body.subarray(0, Math.floor(res!.body.length / 2)), () => raw.socket?.destroy())
        return reply
      }
    }
    counters.record(res!.operation, res!.outcome, request.raw.socket)
    request.log.info({ operation: res!.operation, typeFichier: res!.typeFichier, outcome: res!.outcome, codes: res!.codes }, 'soap call')
    return send(reply, res!)
  })

  app.get(SERVICE_PATH, async (request, reply) => {
    const query = request.query as Record<string, string | undefined>
    const host = request.headers.host ?? ''
    const base = publicUrl?.replace(/\/$/, '') ?? `https://${HOST.test(host) ? host : 'localhost'}`
    if ('wsdl' in query || 'WSDL' in query) {
      return reply.header('content-type', 'text/xml; charset=utf-8').send(publication.file(undefined, base))
    }
    if (query.xsd !== undefined) {
      const file = publication.file(query.xsd, base)
      if (file === undefined || query.xsd === spec.wsdlFile) {
        const error = new codes.GW_SIM_SPEC_FILE_NOT_FOUND(query.xsd)
        return reply.code(404).header('content-type', 'application/problem+json')
          .send({ type: 'about:blank', title: error.message, status: 404, code: error.code })
      }
      return reply.header('content-type', 'text/xml; charset=utf-8').send(file)
    }
    // What a JAX-WS endpoint shows a browser: where the WSDL is.
    return reply.header('content-type', 'text/plain; charset=utf-8')
      .send(`DemandeLogementImplService (simulator): POST SOAP 1.2 messages here; the WSDL is at ${base}${SERVICE_PATH}?wsdl\n`)
  })
}
