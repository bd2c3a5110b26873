// The SOAP routes' error handler: an unexpected error is logged with its stack and answered as
// the SNE answers its own failures, never with the error's text.
import t from 'tap'
import { Writable } from 'node:stream'
import Fastify from 'fastify'
import { pino } from 'pino'
import { createCallCounters } from '../../src/simulator/counters.js'
import { createFaultInjector } from '../../src/simulator/faults.js'
import { createSoapHandler, type SoapHandler } from '../../src/simulator/soap-handler.js'
import { soapRoutes } from '../../src/simulator/soap-routes.js'
import { createWsdlPublication } from '../../src/simulator/wsdl-publication.js'
import { createDemandeService } from '../../src/simulator/demande-service.js'
import { openStore } from '../../src/simulator/store.js'
import { testSpec } from './helpers/messages.js'

t.test('an unexpected error is a generic SNE Fault, logged', async (t) => {
  const spec = await testSpec(() => new Date())
  t.teardown(() => spec.dispose())
  const store = openStore()
  t.teardown(() => store.close())
  const real = createSoapHandler({ spec, service: createDemandeService({ store, clock: () => new Date(), answerVersion: '02.01' }) })
  const handler: SoapHandler = { ...real, validate: () => { throw new Error('secret internal detail') } }
  const lines: string[] = []
  const app = Fastify({ loggerInstance: pino(new Writable({ write (chunk: Buffer, _e, done) { lines.push(chunk.toString()); done() } })) })
  t.teardown(async () => { await app.close() })
  const counters = createCallCounters()
  await app.register(soapRoutes, {
    spec, handler, counters, faults: createFaultInjector({ operations: [] }), publication: createWsdlPublication(spec),
    bodyLimit: 4096, publicUrl: undefined, closing: new AbortController().signal
  })
  const res = await app.inject({ method: 'POST', url: '/services/DemandeLogementImplService/', headers: { 'content-type': 'application/soap+xml' }, payload: '<x/>' })
  t.equal(res.statusCode, 500)
  t.match(res.body, 'gw:GW_SIM_SNE_ERROR')
  t.match(res.body, 'Une erreur inattendue est survenue lors du traitement de la demande.')
  t.notMatch(res.body, 'secret internal detail')
  t.match(lines.join(''), /"message":"secret internal detail".*"msg":"simulator error"/, 'logged with its stack')
  t.same(counters.snapshot(), { total: 1, calls: { '?': { fault: 1 } } })
})
