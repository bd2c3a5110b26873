import { once } from 'node:events'
import { readFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import t from 'tap'
import { createConfigValidator } from '../../../src/config/validate.js'
import { defaultSpecDir, loadSpec } from '../../../src/contract/index.js'
import { buildJsonContract } from '../../../src/contract/json-contract.js'
import { createMessageBuilder } from '../../../src/rest/message-builder.js'
import { createCannedUpstream, requestAction } from '../../../bench/harness/canned-upstream.js'
import { gatewayBenchConfig } from '../../../bench/harness/gateway-config.js'
import { messageUrl } from '../../../bench/harness/load.js'
import { buildBenchMessages, readMessageSources } from '../../../bench/harness/messages.js'
import { postOnce } from '../../../bench/harness/post-once.js'
import { buildRestMessages, getNumUniqueAnswer, interleaveRest, REST_GUICHET, restGatewayExtra } from '../../../bench/harness/rest-messages.js'
import { readAnswer } from '../../../src/rest/answers.js'
import { testPki } from '../../helpers/pki.js'

const examples = join(import.meta.dirname, '..', '..', '..', 'examples')
const NU = '0110125000001G1226'
const spec = await loadSpec({ dir: defaultSpecDir() })
t.teardown(() => { spec.dispose() })
const contract = buildJsonContract(spec)
const sources = await readMessageSources(examples)

t.test('the REST creation carries the CRE\'s demandeLogement as the JSON contract writes it; the read names the guichet', async (t) => {
  const [create, read] = buildRestMessages({ spec, contract, sources, numUnique: NU })
  t.match(create, { name: 'rest-create', soap: 'cre', method: 'POST', path: '/ecole/api/v1/demandes', contentType: 'application/json', okStatus: 201 })
  const demande = JSON.parse(create!.body!.toString('utf8')) as Record<string, unknown>
  t.equal(demande.numGuichet, REST_GUICHET)
  const doc = { versionInterface: '02.01', entete: { typeFichier: 'CRE', dateFichier: '2025-01-15T10:00:00.000+01:00' }, demande: [{ demandeLogement: demande }] }
  t.same(contract.validateDocument(doc, 'request'), [], 'the body passes the route\'s contract check')
  t.match(read, { name: 'rest-read', soap: 'demande', method: 'GET', path: `/ecole/api/v1/demandes/${NU}`, headers: { 'SNE-Guichet': REST_GUICHET }, okStatus: 200 })
  t.equal(read!.body, undefined, 'a GET has no body')
  t.throws(() => buildRestMessages({ spec, contract, sources, numUnique: 'nope' }), /not a numéro unique/)
})

t.test('the canned upstream answers the messages the REST API builds with the SOAP calls\' recorded answers', async (t) => {
  const pki = await testPki()
  const pem = await readFile(pki.client.cert)
  const [cre, demande] = buildBenchMessages({ sources, certificatePem: pem, numUnique: NU })
  const [create] = buildRestMessages({ spec, contract, sources, numUnique: NU })
  const builder = createMessageBuilder({ contract, clock: () => new Date() })
  const certificate = { pem, name: undefined }
  const builtCre = builder.build({ operation: 'getNumUnique', typeFichier: 'CRE', guichet: REST_GUICHET, demandeLogement: JSON.parse(create!.body!.toString('utf8')) as Record<string, unknown> }, certificate)
  const builtRead = builder.build({ operation: 'getDemandeLogement', guichet: REST_GUICHET, numUnique: NU }, certificate)
  for (const [built, soap] of [[builtCre, cre!], [builtRead, demande!]] as const) {
    t.same(spec.validateMessage(built.body, built.contentType).violations, [], `the built ${soap.operation} passes the gateway's validation`)
    t.not(built.contentType, soap.contentType, 'another boundary')
    t.equal(requestAction(built.contentType, undefined), requestAction(soap.contentType, undefined), `same action as the recorded ${soap.name}`)
  }

  const [cert, key, ca] = await Promise.all([pki.simulator.cert, pki.simulator.key, pki.ca.cert].map(async (f) => await readFile(f)))
  const answers = [cre!, demande!].map((m, i) => ({ action: requestAction(m.contentType, undefined), statusCode: 200, contentType: 'text/plain', body: Buffer.from(`answer ${i}`) }))
  const server = createCannedUpstream({ tls: { cert: cert!, key: key!, ca: ca! }, answers, path: '/s/' })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => { server.closeAllConnections(); server.close() })
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/s/`
  t.equal((await postOnce(url, builtCre, { ca: ca! })).body.toString(), 'answer 0')
  t.equal((await postOnce(url, builtRead, { ca: ca! })).body.toString(), 'answer 1')
})

t.test('interleaveRest: each REST call right after the SOAP call it becomes', async (t) => {
  const rest = [{ name: 'rest-create', soap: 'cre' }, { name: 'rest-read', soap: 'demande' }]
  t.same(interleaveRest(['cre', 'demande', 'attachment-1m'], rest), ['cre', 'rest-create', 'demande', 'rest-read', 'attachment-1m'])
  t.same(interleaveRest(['cre', 'demande'], []), ['cre', 'demande'])
  t.throws(() => interleaveRest(['cre'], rest), /no SOAP message demande to pair rest-read with/)
})

t.test('restGatewayExtra: the acting guichet\'s certificate in the built messages, a valid configuration', async (t) => {
  const config = createConfigValidator()(gatewayBenchConfig({
    port: 18443,
    opsPort: 19090,
    cert: '/p/server.pem',
    key: '/p/server.key',
    upstream: { url: 'https://127.0.0.1:19443/services/DemandeLogementImplService/', ca: '/p/ca.pem', cert: '/p/uc.pem', key: '/p/uc.key' },
    validation: 'enforce',
    bodyLimitBytes: 1024,
    extra: restGatewayExtra('/p/client.pem')
  }))
  t.same(config.environments.ecole!.messageCertificates, { [REST_GUICHET]: { cert: '/p/client.pem' } })
  t.equal(config.environments.ecole!.upstream.url, 'https://127.0.0.1:19443/services/DemandeLogementImplService/', 'merged, not replaced')
})

t.test('messageUrl: the message\'s path on the target\'s origin', async (t) => {
  const target = 'https://127.0.0.1:8443/ecole/services/DemandeLogementImplService/'
  t.equal(messageUrl(target, {}), target)
  t.equal(messageUrl(target, { path: `/ecole/api/v1/demandes/${NU}` }), `https://127.0.0.1:8443/ecole/api/v1/demandes/${NU}`)
})

t.test('the getNumUnique answer of the REST steps carries the document as the SNE does, and reads as a demande', async (t) => {
  const cre = await readFile(join(examples, 'documents', 'cre.xml'))
  const answer = getNumUniqueAnswer(cre)
  t.match(answer.contentType, /^multipart\/related;.*application\/soap\+xml/)
  const read = readAnswer(spec, buildJsonContract(spec), answer.body, answer.contentType, 'demande')
  t.match(read, { kind: 'ok', body: { demandeLogement: { numGuichet: 'G1226' } } }, 'the CRE example, read back')
})
