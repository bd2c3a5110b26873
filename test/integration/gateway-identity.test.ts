// Client identity from the verified certificate and the per-environment allowlists, over real
// TLS: the demo guichet G1226 may use école, not production; no certificate, or one from another
// CA, gives no identity; with client certificates required, no certificate, no handshake.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { connect } from 'node:tls'
import { Agent, request } from 'undici'
import { corpusCase, startStack } from './helpers/gateway-stack.js'

const c = corpusCase('valid-getDemandeLogement-mtom')!

async function post (url: string, agent: Agent): Promise<{ status: number, body: string }> {
  const res = await request(url, { method: 'POST', body: c.message, headers: { 'content-type': c.contentType }, dispatcher: agent })
  return { status: res.statusCode, body: await res.body.text() }
}

t.test('allowlists per environment (client certificates optional)', async (t) => {
  const stack = await startStack({
    edit: (raw) => {
      raw.environments.ecole.allowedIdentities = ['G1226']
      raw.environments.production = { allowedIdentities: ['G9999'], upstream: { ...raw.environments.ecole.upstream } }
    }
  })
  t.teardown(stack.close)
  const ca = readFileSync(stack.pki.ca.cert)
  const guichet = new Agent({ connect: { ca, cert: readFileSync(stack.pki.client.cert), key: readFileSync(stack.pki.client.key) } })
  const anonymous = new Agent({ connect: { ca } })
  // A certificate the gateway's CA did not sign: the CA's own self-signed one.
  const stranger = new Agent({ connect: { ca, cert: readFileSync(stack.pki.ca.cert), key: readFileSync(stack.pki.ca.key) } })
  t.teardown(async () => { await Promise.all([guichet.close(), anonymous.close(), stranger.close()]) })

  const ok = await post(`${stack.gatewayUrl}/ecole/services/DemandeLogementImplService/`, guichet)
  t.equal(ok.status, 200)
  t.match(stack.logs.access().at(-1), { identity: 'G1226', outcome: 'forwarded' })

  const forbidden = await post(`${stack.gatewayUrl}/production/services/DemandeLogementImplService/`, guichet)
  t.equal(forbidden.status, 403)
  t.match(forbidden.body, '<env:Value>gw:GW_ROUTE_IDENTITY_FORBIDDEN</env:Value>')
  t.match(forbidden.body, 'client G1226 is not allowed to use environment production')

  const none = await post(`${stack.gatewayUrl}/ecole/services/DemandeLogementImplService/`, anonymous)
  t.equal(none.status, 403)
  t.match(none.body, 'gw:GW_ROUTE_IDENTITY_REQUIRED')

  const unverified = await post(`${stack.gatewayUrl}/ecole/services/DemandeLogementImplService/`, stranger)
  t.equal(unverified.status, 403)
  t.match(unverified.body, 'gw:GW_ROUTE_IDENTITY_REQUIRED')

  const stats = await stack.simulatorStats()
  t.equal(stats.total, 1, 'only the allowed call reached the simulator')
})

t.test('client certificates required: no certificate, no handshake', async (t) => {
  const stack = await startStack({ edit: (raw) => { raw.dataPlane.tls.clientCertificates = 'required' } })
  t.teardown(stack.close)
  const port = Number(new URL(stack.gatewayUrl).port)
  const error = await new Promise<Error | undefined>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: readFileSync(stack.pki.ca.cert) }, () => {
      // TLS 1.3: the server checks the certificate after the client's Finished; the alert arrives next.
      socket.write('GET /ecole/services/DemandeLogementImplService/?wsdl HTTP/1.1\r\nHost: localhost\r\n\r\n')
    })
    socket.on('data', () => resolve(undefined))
    socket.on('error', (err) => resolve(err))
    socket.on('close', () => resolve(new Error('closed')))
  })
  t.ok(error, 'the connection fails')
  t.match(String((error as { code?: string }).code ?? error?.message), /CERTIFICATE_REQUIRED|closed|ECONNRESET|HANDSHAKE/i)
  const guichet = new Agent({ connect: { ca: readFileSync(stack.pki.ca.cert), cert: readFileSync(stack.pki.client.cert), key: readFileSync(stack.pki.client.key) } })
  t.teardown(() => guichet.close())
  t.equal((await post(`${stack.gatewayUrl}/ecole/services/DemandeLogementImplService/`, guichet)).status, 200, 'with its certificate, the guichet gets through')
})
