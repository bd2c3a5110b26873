// What a reload may change: TLS material, upstream credentials and the guichet mapping; anything
// else is named as needing a restart, key order never matters.
import t from 'tap'
import { createConfigValidator } from '../../src/config/validate.js'
import { restartOnlyChanges } from '../../src/config/reload.js'
import { minimalConfig } from './helpers/minimal-config.js'

type Raw = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
const validate = createConfigValidator()
const make = (edit: (c: Raw) => void = () => {}): ReturnType<typeof validate> => {
  const c = minimalConfig() as Raw
  edit(c)
  return validate(c)
}

t.test('reloadable options', async (t) => {
  const running = make()
  t.same(restartOnlyChanges(running, make()), [])
  t.same(restartOnlyChanges(running, make((c) => {
    c.dataPlane.tls.cert = '/other.pem'
    c.dataPlane.tls.key = '/other.key'
    c.dataPlane.tls.passphraseFile = '/run/secrets/p'
    c.environments.ecole.upstream.cert = '/u.pem'
    c.environments.ecole.upstream.key = '/u.key'
    c.environments.ecole.upstream.credentials = { a: { guichets: ['G1104'], cert: '/a.pem', key: '/a.key' } }
    c.environments.ecole.guichets = { identities: { G1104: ['G1104'] } }
  })), [])
})

t.test('restart-only options are named, whatever the key order', async (t) => {
  const running = make()
  t.same(restartOnlyChanges(running, make((c) => {
    c.dataPlane.port = 9443
    c.environments.ecole.upstream.url = 'https://other.test/s/'
    c.environments.ecole.hostnames = ['a.test']
    c.validation = { mode: 'report' }
  })).sort(), ['/dataPlane/port', '/environments/ecole/hostnames', '/environments/ecole/upstream/url', '/validation/mode'])
  t.same(restartOnlyChanges(running, make((c) => { c.environments.production = structuredClone(c.environments.ecole) })), ['/environments/production'])
  const reordered = make((c) => {
    const tls = c.dataPlane.tls
    c.dataPlane.tls = { clientCa: tls.clientCa, key: tls.key, cert: tls.cert }
  })
  t.same(restartOnlyChanges(running, reordered), [])
})

t.test('the client CA, CRL and ticket keys may change, not appear or disappear', async (t) => {
  const withCrl = make((c) => { c.dataPlane.tls.clientCrl = '/crl.pem' })
  t.same(restartOnlyChanges(make(), withCrl), ['/dataPlane/tls/clientCrl'])
  t.same(restartOnlyChanges(withCrl, make()), ['/dataPlane/tls/clientCrl'])
  t.same(restartOnlyChanges(withCrl, make((c) => { c.dataPlane.tls.clientCrl = '/new-crl.pem' })), [])
})
