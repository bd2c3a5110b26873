// GET ?wsdl and ?xsd=: the interface files with soap:address and schemaLocation pointing at the
// gateway's own URL for the environment; every other byte as on disk.
import t from 'tap'
import { faultCode, unitGateway } from './helpers/unit-gateway.js'
import { sharedSpec } from '../integration/helpers/gateway-stack.js'
import { publishSpec } from '../../src/routes/wsdl.js'

t.test('the WSDL is published with the gateway\'s address for the environment (public URL configured)', async (t) => {
  const gw = await unitGateway((c) => { c.dataPlane.publicUrl = 'https://sne-gw.example.fr' })
  t.teardown(gw.close)
  const res = await gw.gateway.app.inject({ method: 'GET', url: '/ecole/services/DemandeLogementImplService/?wsdl' })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'text/xml; charset=utf-8')
  t.match(res.body, '<soap12:address location="https://sne-gw.example.fr/ecole/services/DemandeLogementImplService/"/>')
  t.match(res.body, 'schemaLocation="https://sne-gw.example.fr/ecole/services/DemandeLogementImplService/?xsd=DemandeLogementImplService_schema1.xsd"')
  t.notMatch(res.body, 'nuu-ws.ecole.application.developpement-durable.gouv.fr/services', 'the upstream address is gone')
  t.match(gw.logs.access().at(-1), { outcome: 'published', status: 200 })
})

t.test('without a public URL, the address follows the Host the client used', async (t) => {
  const gw = await unitGateway()
  t.teardown(gw.close)
  const res = await gw.gateway.app.inject({ method: 'GET', url: '/ecole/services/DemandeLogementImplService?wsdl', headers: { host: 'gw.local:8443' } })
  t.match(res.body, 'location="https://gw.local:8443/ecole/services/DemandeLogementImplService/"')
  const hostile = await gw.gateway.app.inject({ method: 'GET', url: '/ecole/services/DemandeLogementImplService/?wsdl', headers: { host: 'evil"><x' } })
  t.match(hostile.body, 'location="https://localhost/ecole/services/DemandeLogementImplService/"', 'a malformed Host is not echoed')
})

t.test('on the SNE\'s own path (environment by host name), the address is that path on that host', async (t) => {
  const gw = await unitGateway((c) => { c.environments.ecole.hostnames = ['sne-ecole.gw.test'] })
  t.teardown(gw.close)
  const res = await gw.gateway.app.inject({ method: 'GET', url: '/services/DemandeLogementImplService/?wsdl', headers: { host: 'sne-ecole.gw.test' } })
  t.equal(res.statusCode, 200)
  t.match(res.body, 'location="https://sne-ecole.gw.test/services/DemandeLogementImplService/"')
  t.match(res.body, 'schemaLocation="https://sne-ecole.gw.test/services/DemandeLogementImplService/?xsd=DemandeLogementImplService_schema1.xsd"')
})

t.test('each XSD is served, with its own schemaLocations rewritten', async (t) => {
  const gw = await unitGateway((c) => { c.dataPlane.publicUrl = 'https://gw.test' })
  t.teardown(gw.close)
  const spec = await sharedSpec()
  for (const path of spec.files.keys()) {
    if (path === spec.wsdlFile) continue
    const res = await gw.gateway.app.inject({ method: 'GET', url: `/ecole/services/DemandeLogementImplService/?xsd=${encodeURIComponent(path)}` })
    t.equal(res.statusCode, 200, path)
    t.match(res.body, '<xs:schema', path)
  }
  const v0201 = await gw.gateway.app.inject({ method: 'GET', url: '/ecole/services/DemandeLogementImplService/?xsd=InterfaceNuu_v0201.xsd' })
  t.match(v0201.body, 'schemaLocation="https://gw.test/ecole/services/DemandeLogementImplService/?xsd=InterfaceNuu_nomenclatures_v02.xsd"')
})

t.test('an unknown file or a bare GET answers a Fault 404', async (t) => {
  const gw = await unitGateway()
  t.teardown(gw.close)
  for (const url of ['/ecole/services/DemandeLogementImplService/?xsd=../../etc/passwd', '/ecole/services/DemandeLogementImplService/']) {
    const res = await gw.gateway.app.inject({ method: 'GET', url })
    t.equal(res.statusCode, 404, url)
    t.equal(faultCode(res.body), 'GW_ROUTE_NOT_FOUND')
  }
})

t.test('the WSDL of an unknown environment is refused', async (t) => {
  const gw = await unitGateway()
  t.teardown(gw.close)
  const res = await gw.gateway.app.inject({ method: 'GET', url: '/production/services/DemandeLogementImplService/?wsdl' })
  t.equal(res.statusCode, 404)
  t.equal(faultCode(res.body), 'GW_ROUTE_UNKNOWN_ENVIRONMENT')
})

t.test('publishSpec changes only the addresses', async (t) => {
  const spec = await sharedSpec()
  const files = publishSpec(spec, 'https://gw.test/ecole/services/DemandeLogementImplService/')
  const original = spec.files.get(spec.wsdlFile)!.toString('utf8')
  const published = files.get('')!.toString('utf8')
  const strip = (s: string): string => s.replace(/(location|schemaLocation)="[^"]*"/g, '$1=""')
  t.equal(strip(published), strip(original))
})
