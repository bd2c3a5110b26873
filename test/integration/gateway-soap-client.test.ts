// Interoperability: the `soap` npm package, an independent SOAP client, loads the WSDL the gateway
// publishes (and the XSD it imports, through the rewritten schemaLocation) over TLS with the
// guichet's client certificate, and calls getDemandeLogement through the gateway.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { Agent as HttpsAgent } from 'node:https'
import soap from 'soap'
import { corpusCase, startStack } from './helpers/gateway-stack.js'

t.test('the soap package calls getDemandeLogement through the gateway', async (t) => {
  const stack = await startStack()
  t.teardown(stack.close)
  // A demande to read: created first through the gateway.
  const cre = corpusCase('valid-getNumUnique-cre-mtom')!
  const created = await stack.post('/ecole/services/DemandeLogementImplService/', cre.message, cre.contentType)
  const numUnique = /<(?:\w+:)?numUnique>([0-9A-Z]{18})</.exec(created.body.toString('latin1'))?.[1]
  t.ok(numUnique, 'a numéro unique to read')

  const key = readFileSync(stack.pki.client.key)
  const cert = readFileSync(stack.pki.client.cert)
  const ca = readFileSync(stack.pki.ca.cert)
  const httpsAgent = new HttpsAgent({ key, cert, ca, keepAlive: false })
  t.teardown(() => httpsAgent.destroy())
  const wsdl = `${stack.gatewayUrl}/ecole/services/DemandeLogementImplService/?wsdl`
  // forceSoap12Headers: node-soap does not pick SOAP 1.2 from the binding by itself.
  const client = await soap.createClientAsync(wsdl, { wsdl_options: { httpsAgent }, forceSoap12Headers: true, parseResponseAttachments: true, disableCache: true })
  client.setSecurity(new soap.ClientSSLSecurity(key, cert, ca))

  const [result, rawResponse, , rawRequest] = await client.getDemandeLogementAsync({ numUnique, nomCertificat: 'CERG1226-202501141032.pem' }) as [unknown, string, unknown, string]
  t.ok(rawRequest.length > 0)
  // node-soap posts to the soap12:address it read from the published WSDL: the gateway's own URL.
  t.equal((client as unknown as { lastEndpoint: string }).lastEndpoint, `${stack.gatewayUrl}/ecole/services/DemandeLogementImplService/`)
  t.match(String(rawResponse) + JSON.stringify(result), /demandeLogementReponse|fichierReponse/)
  const line = stack.logs.access().at(-1)!
  t.match(line, { operation: 'getDemandeLogement', outcome: 'forwarded', status: 200, identity: 'G1226' })
})
