/**
 * The admin API, plain HTTP for loopback clients only (the caller binds it to 127.0.0.1; a
 * hook refuses any other peer as well, in case it is bound wider): fault rules and counters.
 * Errors are application/problem+json.
 *
 *   GET    /health        liveness
 *   GET    /faults        the rules and the injected-fault counters
 *   POST   /faults        add a rule (JSON, see docs/simulator.md) → 201 with the rule
 *   DELETE /faults        remove every rule
 *   DELETE /faults/:id    remove one rule
 *   GET    /stats         calls by operation and outcome, injected faults, demandes by status
 *   GET    /calls         the most recent calls, with the TLS client certificate of each
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import { isGatewayError } from '../errors.js'
import type { CallCounters } from './counters.js'
import { codes } from './errors.js'
import type { FaultInjector } from './faults.js'
import type { SimulatorStore } from './store.js'
import { isLoopback } from '../tls/address-list.js'

export interface AdminRoutesOptions {
  faults: FaultInjector
  counters: CallCounters
  store: SimulatorStore
}


function problem (reply: FastifyReply, status: number, code: string, title: string): FastifyReply {
  return reply.code(status).header('content-type', 'application/problem+json').send({ type: 'about:blank', title, status, code })
}

export async function adminRoutes (app: FastifyInstance, options: AdminRoutesOptions): Promise<void> {
  const { faults, counters, store } = options

  app.addHook('onRequest', async (request, reply) => {
    if (!isLoopback(request.socket.remoteAddress)) {
      const error = new codes.GW_SIM_ADMIN_FORBIDDEN()
      return problem(reply, error.statusCode, error.code, error.message)
    }
  })

  app.setErrorHandler((err: Error & { statusCode?: number, code?: string }, request, reply) => {
    if (isGatewayError(err)) return problem(reply, err.statusCode, err.code, err.message)
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500
    if (status === 500) request.log.error({ err }, 'admin error')
    return problem(reply, status, err.code ?? 'ERROR', status === 500 ? 'internal error' : err.message)
  })

  app.get('/health', async () => ({ status: 'ok' }))

  app.get('/faults', async () => ({ rules: faults.rules(), ...faults.counters() }))

  app.post('/faults', async (request, reply) => reply.code(201).send(faults.add(request.body)))

  app.delete('/faults', async (_request, reply) => {
    faults.clear()
    return reply.code(204).send()
  })

  app.delete('/faults/:id', async (request, reply) => {
    const { id } = request.params as { id: string }
    if (!faults.remove(id)) throw new codes.GW_SIM_FAULT_RULE_NOT_FOUND(id)
    return reply.code(204).send()
  })

  app.get('/stats', async () => ({ ...counters.snapshot(), faults: faults.counters(), demandes: store.counts() }))

  app.get('/calls', async () => ({ calls: counters.recent() }))
}
