/**
 * The census on the ops plane:
 *
 * - `GET /ops/tls/clients`: the census rows as JSON (filters: since, status, version, ip);
 * - `GET /ops/tls/report.csv`: the same rows as the CSV report (same filters);
 * - `GET /ops/tls/summary`: readiness counts, their history and the TLS counters, for the ops page.
 *
 * A bad filter is answered `application/problem+json` 400 with code `GW_TLS_CENSUS_BAD_FILTER`.
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { Registry } from 'prom-client'
import { isGatewayError } from '../errors.js'
import type { Census, CensusClient, ClientFilter } from '../census/census.js'
import { renderCensusCsv } from './census-csv.js'
import { parseCensusFilter } from './census-filter.js'
import { counterValues } from './census-counters.js'

export interface CensusRoutesOptions {
  census: Census
  /** the gateway's registry, for the TLS counters of the summary */
  registry?: Registry
  metricsPrefix?: string
  clock?: () => Date
}

function iso (ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString()
}

/** A census row as JSON: every field present, `null` when unknown, times in ISO 8601. */
function clientJson (c: CensusClient): Record<string, unknown> {
  return {
    ip: c.ip,
    sni: c.sni ?? null,
    ja4: c.ja4 ?? null,
    ja3: c.ja3Hash ?? null,
    identity: c.identity ?? null,
    status: c.status,
    firstSeen: iso(c.firstSeen),
    lastSeen: iso(c.lastSeen),
    maxVersionOffered: c.maxVersionOffered ?? null,
    offered: c.offered,
    outcomes: c.outcomes,
    lastFailureAt: iso(c.lastFailureAt),
    lastFailureReason: c.lastFailureReason ?? null,
    firstLegacyAttempt: iso(c.firstLegacyAttempt),
    lastLegacyAttempt: iso(c.lastLegacyAttempt),
    lastSuccess: iso(c.lastSuccess),
    lastSuccessVersion: c.lastSuccessVersion ?? null
  }
}

function problem (reply: FastifyReply, err: { statusCode: number, code: string, message: string }, instance: string): FastifyReply {
  return reply.code(err.statusCode).type('application/problem+json').send({
    type: 'about:blank',
    title: 'Bad census filter',
    status: err.statusCode,
    code: err.code,
    detail: err.message,
    instance
  })
}

/** Registers the census routes (an encapsulated plugin). */
export function censusRoutes (options: CensusRoutesOptions) {
  const { census, registry } = options
  const prefix = options.metricsPrefix ?? 'sne_gateway_'
  const now = options.clock === undefined ? Date.now : () => options.clock!().getTime()

  return async function census_routes (app: FastifyInstance): Promise<void> {
    function filtered (query: unknown, reply: FastifyReply, url: string): CensusClient[] | undefined {
      let filter: ClientFilter
      try {
        filter = parseCensusFilter((query ?? {}) as Record<string, unknown>, now())
      } catch (err) {
        if (isGatewayError(err)) {
          void problem(reply, err, url.split('?')[0]!)
          return undefined
        }
        throw err
      }
      return census.clients(filter)
    }

    app.get('/ops/tls/clients', async (request, reply) => {
      const clients = filtered(request.query, reply, request.url)
      if (clients === undefined) return reply
      return { generatedAt: new Date(now()).toISOString(), count: clients.length, clients: clients.map(clientJson) }
    })

    app.get('/ops/tls/report.csv', async (request, reply) => {
      const clients = filtered(request.query, reply, request.url)
      if (clients === undefined) return reply
      const day = new Date(now()).toISOString().slice(0, 10)
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="tls-census-${day}.csv"`)
        .send(renderCensusCsv(clients))
    })

    app.get('/ops/tls/summary', async () => {
      return {
        generatedAt: new Date(now()).toISOString(),
        ...census.summary(),
        history: census.history().map((p) => ({ at: new Date(p.at).toISOString(), legacyOnly: p.legacyOnly, migrating: p.migrating, ready: p.ready, other: p.other })),
        handshakes: registry === undefined ? [] : await counterValues(registry, `${prefix}tls_census_handshakes_total`),
        rejections: registry === undefined ? [] : await counterValues(registry, `${prefix}tls_rejections_total`)
      }
    })
  }
}
