/**
 * GET `…/DemandeLogementImplService/?wsdl` and `…/?xsd=<file>`: the interface files as the gateway
 * publishes them for one environment — the WSDL's `soap:address` and every `schemaLocation` point
 * to the gateway's own URL for that environment, so that a SOAP toolkit reading the WSDL calls the
 * gateway. Rewritten by `soap/wsdl-publisher.ts` (only those attribute values change); built once per
 * (environment, public URL) and kept.
 */
import { posix } from 'node:path'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { rewriteSchemaLocations, rewriteWsdlAddress } from '../soap/wsdl-publisher.js'
import type { InterfaceSpec } from '../contract/types.js'
import { kCall } from './call-state.js'
import type { DataPlaneContext } from './context.js'
import { codes } from './errors.js'
import { SERVICE_PATH, environmentHook } from './soap-service.js'

/** The published files of one service URL: the WSDL under '' and each XSD under its spec path. */
export type PublishedFiles = ReadonlyMap<string, Buffer>

const ABSOLUTE = /^[a-z][a-z0-9+.-]*:/i

/** Rewrites the spec's files for a service published at `serviceUrl` (ends with `/`). */
export function publishSpec (spec: InterfaceSpec, serviceUrl: string): PublishedFiles {
  const relink = (from: string) => (location: string): string => {
    if (ABSOLUTE.test(location)) return location
    const target = posix.normalize(posix.join(posix.dirname(from), location))
    return spec.files.has(target) ? `${serviceUrl}?xsd=${encodeURIComponent(target)}` : location
  }
  const out = new Map<string, Buffer>()
  for (const [path, bytes] of spec.files) {
    const relinked = rewriteSchemaLocations(bytes, relink(path))
    out.set(path === spec.wsdlFile ? '' : path, path === spec.wsdlFile ? rewriteWsdlAddress(relinked, serviceUrl) : relinked)
  }
  return out
}

// A Host header is client text: only a plain host[:port] or [v6]:port names the gateway's URL.
const HOST = /^([a-z0-9.-]{1,253}|\[[0-9a-f:.]{2,45}\])(:[0-9]{1,5})?$/i

/** At most this many (environment, URL) publications kept when the URL comes from Host headers. */
const MAX_PUBLICATIONS = 64

export function wsdlRoutes (ctx: DataPlaneContext) {
  return async function plugin (app: FastifyInstance): Promise<void> {
    const publications = new Map<string, PublishedFiles>()
    const publicUrl = ctx.config.dataPlane.publicUrl

    const serviceUrl = (request: FastifyRequest, env: string, byHost: boolean): string => {
      const host = HOST.test(request.host) ? request.host.toLowerCase() : 'localhost'
      if (byHost) return `https://${host}${SERVICE_PATH}`
      return `${publicUrl ?? `https://${host}`}/${env}${SERVICE_PATH}`
    }

    const published = (url: string): PublishedFiles => {
      let files = publications.get(url)
      if (files === undefined) {
        if (publications.size >= MAX_PUBLICATIONS) publications.clear()
        files = publishSpec(ctx.spec, url)
        publications.set(url, files)
      }
      return files
    }

    // Known public URL: publish every environment now, not on first request.
    if (publicUrl !== undefined) {
      for (const name of ctx.upstreams.byName.keys()) published(`${publicUrl}/${name}${SERVICE_PATH}`)
    }

    async function handler (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
      const state = request[kCall]
      const query = request.query as Record<string, string | undefined>
      const params = request.params as { env?: string }
      const files = published(serviceUrl(request, state.env as string, params.env === undefined))
      let file: Buffer | undefined
      if (query.wsdl !== undefined) file = files.get('')
      else if (query.xsd !== undefined && query.xsd !== '') file = files.get(query.xsd)
      if (file === undefined) throw new codes.GW_ROUTE_NOT_FOUND('GET', request.url.split('?')[0] ?? '')
      state.outcome = 'published'
      state.bytesOut = file.length
      return await reply.type('text/xml; charset=utf-8').send(file)
    }

    const route = { onRequest: environmentHook(ctx, { limited: false }), handler }
    app.get('/:env' + SERVICE_PATH, route)
    app.get(SERVICE_PATH, route)
  }
}
