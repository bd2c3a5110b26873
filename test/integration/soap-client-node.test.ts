// Interoperability: the `soap` npm package, as an editor writes it, loads the WSDL the gateway
// publishes (and the XSD it imports, through the rewritten schemaLocation) over mutual TLS, and
// makes the six calls and one invalid message through the gateway to the simulator.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { Agent as HttpsAgent } from 'node:https'
import soap from 'soap'
import { startStack } from './helpers/gateway-stack.js'
import { SERVICE_PATH, checkResults, plan, type ClientResult } from './helpers/soap-clients.js'

type Call = (params: Record<string, unknown>) => Promise<[unknown, string, unknown, string]>
interface SoapFault { message: string, root?: { Envelope?: { Body?: { Fault?: { Code?: { Value?: string, Subcode?: { Value?: string } }, Reason?: { Text?: { $value?: string } } } } } } }

t.test('the soap package: six operations and an invalid message through the gateway', async (t) => {
  const stack = await startStack()
  t.teardown(stack.close)
  const key = readFileSync(stack.pki.client.key)
  const cert = readFileSync(stack.pki.client.cert)
  const ca = readFileSync(stack.pki.ca.cert)
  const httpsAgent = new HttpsAgent({ key, cert, ca, keepAlive: false })
  t.teardown(() => httpsAgent.destroy())
  // forceSoap12Headers: node-soap does not pick SOAP 1.2 from the binding by itself.
  const client = await soap.createClientAsync(`${stack.gatewayUrl}${SERVICE_PATH}?wsdl`, { wsdl_options: { httpsAgent }, forceSoap12Headers: true, disableCache: true })
  client.setSecurity(new soap.ClientSSLSecurity(key, cert, ca))

  const results: ClientResult[] = []
  let numUnique = ''
  for (const call of plan()) {
    const params: Record<string, unknown> = {}
    for (const [name, value] of Object.entries(call.params)) {
      // a binaryContent: the base64 text and the qualified contentType attribute
      params[name] = typeof value === 'string' ? value.replace('{numUnique}', numUnique) : { attributes: { 'tns:contentType': value.contentType }, $value: value.binary }
    }
    try {
      const [result] = await (client[`${call.op}Async`] as Call)(params)
      const reponse = (result as { fichierReponse: string | { $value: string } }).fichierReponse
      const document = typeof reponse === 'string' ? reponse : reponse.$value
      numUnique ||= /<(?:\w+:)?numUnique>([0-9A-Z]{18})</.exec(Buffer.from(document, 'base64').toString('utf8'))?.[1] ?? ''
      results.push({ op: call.op, document })
    } catch (err) {
      const fault = (err as SoapFault).root?.Envelope?.Body?.Fault
      if (fault === undefined) throw err
      results.push({ op: call.op, fault: { code: fault.Code?.Value ?? '', subcodes: [fault.Code?.Subcode?.Value ?? ''], message: fault.Reason?.Text?.$value ?? '' } })
    }
  }
  checkResults(t, stack, results, (fault) => fault.subcodes?.[0]?.replace(/^gw:/, ''))
  // node-soap posts to the soap12:address it read from the published WSDL: the gateway's own URL.
  t.equal((client as unknown as { lastEndpoint: string }).lastEndpoint, `${stack.gatewayUrl}${SERVICE_PATH}`)
  t.match(stack.logs.access().find((l) => l.operation === 'getDemandeLogement'), { outcome: 'forwarded', status: 200, identity: 'G1226' })
})
