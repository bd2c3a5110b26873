// One rejecting and one accepting case per configuration rule, with the exact message.
import t from 'tap'
import { createConfigValidator } from '../../src/config/validate.js'
import { checkOperationNames } from '../../src/config/rules.js'
import type { ConfigInvalidError } from '../../src/config/errors.js'
import { minimalConfig } from './helpers/minimal-config.js'

const validate = createConfigValidator()

type Raw = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

function config (edit: (c: Raw) => void): Raw {
  const c = minimalConfig() as Raw
  edit(c)
  return c
}

function issues (input: Raw): Array<{ instancePath: string, message: string }> {
  try {
    validate(input)
    return []
  } catch (err) {
    return [...(err as ConfigInvalidError).issues]
  }
}

const cases: Array<{ rule: string, reject: (c: Raw) => void, accept: (c: Raw) => void, issue: { instancePath: string, message: string } }> = [
  {
    rule: 'client CA required when client certificates are asked for',
    reject: (c) => { delete c.dataPlane.tls.clientCa; c.dataPlane.tls.clientCertificates = 'optional' },
    accept: (c) => { delete c.dataPlane.tls.clientCa; c.dataPlane.tls.clientCertificates = 'none' },
    issue: { instancePath: '/dataPlane/tls/clientCa', message: "is required when clientCertificates is 'optional'" }
  },
  {
    rule: 'identity allowlists need client certificates',
    reject: (c) => { c.dataPlane.tls.clientCertificates = 'none'; c.environments.ecole.allowedIdentities = ['G1226'] },
    accept: (c) => { c.dataPlane.tls.clientCertificates = 'optional'; c.environments.ecole.allowedIdentities = ['G1226'] },
    issue: { instancePath: '/environments/ecole/allowedIdentities', message: "needs dataPlane.tls.clientCertificates 'optional' or 'required': without client certificates no caller has an identity" }
  },
  {
    rule: 'one passphrase source',
    reject: (c) => { c.environments.ecole.upstream.credentials = { a: { guichets: ['G1104'], cert: '/a.pem', key: '/a.key', passphrase: 'x', passphraseFile: '/run/secrets/a' } } },
    accept: (c) => { c.environments.ecole.upstream.credentials = { a: { guichets: ['G1104'], cert: '/a.pem', key: '/a.key', passphraseFile: '/run/secrets/a' } } },
    issue: { instancePath: '/environments/ecole/upstream/credentials/a/passphraseFile', message: 'and passphrase are exclusive: give the passphrase inline (or as ${VAR}) or in a file' }
  },
  {
    rule: 'one upstream credential per guichet',
    reject: (c) => {
      c.environments.ecole.upstream.credentials = { a: { guichets: ['G1104'], cert: '/a.pem', key: '/a.key' }, b: { guichets: ['G1105', 'G1104'], cert: '/b.pem', key: '/b.key' } }
    },
    accept: (c) => {
      c.environments.ecole.upstream.credentials = { a: { guichets: ['G1104'], cert: '/a.pem', key: '/a.key' }, b: { guichets: ['G1105'], cert: '/b.pem', key: '/b.key' } }
    },
    issue: { instancePath: '/environments/ecole/upstream/credentials/b/guichets/1', message: "G1104 already has credential 'a'" }
  },
  {
    rule: 'a CRL needs client certificates',
    reject: (c) => { delete c.dataPlane.tls.clientCa; c.dataPlane.tls.clientCertificates = 'none'; c.dataPlane.tls.clientCrl = '/pki/crl.pem' },
    accept: (c) => { c.dataPlane.tls.clientCrl = '/pki/crl.pem' },
    issue: { instancePath: '/dataPlane/tls/clientCrl', message: "needs clientCa and clientCertificates 'optional' or 'required'" }
  },
  {
    rule: "'services' is a reserved environment name",
    reject: (c) => { c.environments.services = c.environments.ecole },
    accept: (c) => { c.environments['services-ecole'] = c.environments.ecole },
    issue: { instancePath: '/environments/services', message: "'services' is reserved: /services/… is the route of environments chosen by host name" }
  },
  {
    rule: 'a host name selects one environment only',
    reject: (c) => {
      c.environments.ecole.hostnames = ['sne.gw.test']
      c.environments.production = { hostnames: ['other.gw.test', 'sne.gw.test'], upstream: { url: 'https://prod.test/s/' } }
    },
    accept: (c) => {
      c.environments.ecole.hostnames = ['ecole.gw.test']
      c.environments.production = { hostnames: ['production.gw.test'], upstream: { url: 'https://prod.test/s/' } }
    },
    issue: { instancePath: '/environments/production/hostnames/1', message: "'sne.gw.test' is already used by environment 'ecole'" }
  },
  {
    rule: 'upstream URL is https without credentials, query or fragment',
    reject: (c) => { c.environments.ecole.upstream.url = 'http://sne.test/services/' },
    accept: (c) => { c.environments.ecole.upstream.url = 'https://sne.test:8443/services/' },
    issue: { instancePath: '/environments/ecole/upstream/url', message: 'must be an https:// URL without credentials, query or fragment' }
  },
  {
    rule: 'upstream URL carries no credentials',
    reject: (c) => { c.environments.ecole.upstream.url = 'https://user:pw@sne.test/services/' },
    accept: (c) => { c.environments.ecole.upstream.url = 'https://sne.test/services/' },
    issue: { instancePath: '/environments/ecole/upstream/url', message: 'must be an https:// URL without credentials, query or fragment' }
  },
  {
    rule: 'upstream cert and key go together',
    reject: (c) => { c.environments.ecole.upstream.cert = '/pki/client.pem' },
    accept: (c) => { c.environments.ecole.upstream.cert = '/pki/client.pem'; c.environments.ecole.upstream.key = '/pki/client.key' },
    issue: { instancePath: '/environments/ecole/upstream', message: 'cert and key must be given together' }
  },
  {
    rule: 'the public URL is an https origin',
    reject: (c) => { c.dataPlane.publicUrl = 'https://gw.test/prefix' },
    accept: (c) => { c.dataPlane.publicUrl = 'https://gw.test:8443' },
    issue: { instancePath: '/dataPlane/publicUrl', message: 'must be an https:// origin (scheme, host and optional port) without path, query or fragment' }
  },
  {
    rule: 'headers timeout within the request timeout',
    reject: (c) => { c.dataPlane.timeouts = { headersMs: 20000, requestMs: 10000 } },
    accept: (c) => { c.dataPlane.timeouts = { headersMs: 10000, requestMs: 10000 } },
    issue: { instancePath: '/dataPlane/timeouts/headersMs', message: 'must not exceed requestMs (10000)' }
  },
  {
    rule: 'ops and data planes on distinct ports',
    reject: (c) => { c.dataPlane.port = 9000; c.ops = { port: 9000 } },
    accept: (c) => { c.dataPlane.port = 9000; c.ops = { port: 9000, host: '127.0.0.2' } },
    issue: { instancePath: '/ops/port', message: 'must differ from dataPlane.port (9000) on the same host' }
  },
  {
    rule: 'a burst needs its rate',
    reject: (c) => { c.environments.ecole.limits = { guichet: { burst: 5, concurrent: 2 } } },
    accept: (c) => { c.environments.ecole.limits = { guichet: { burst: 5, ratePerSecond: 1 } } },
    issue: { instancePath: '/environments/ecole/limits/guichet/burst', message: 'needs ratePerSecond (a burst is the size of the rate\'s bucket)' }
  },
  {
    rule: 'the body budget per identity holds a body of bodyLimit',
    reject: (c) => { c.dataPlane.bodyLimit = 2048; c.dataPlane.bodyMemory = { perIdentityBytes: 2047 } },
    accept: (c) => { c.dataPlane.bodyLimit = 2048; c.dataPlane.bodyMemory = { perIdentityBytes: 2048 } },
    issue: { instancePath: '/dataPlane/bodyMemory/perIdentityBytes', message: 'must be at least bodyLimit (2048)' }
  },
  {
    rule: 'the total body budget holds an identity\'s',
    reject: (c) => { c.dataPlane.bodyMemory = { totalBytes: 20000000, perIdentityBytes: 30000000 } },
    accept: (c) => { c.dataPlane.bodyMemory = { totalBytes: 30000000, perIdentityBytes: 30000000 } },
    issue: { instancePath: '/dataPlane/bodyMemory/totalBytes', message: 'must be at least perIdentityBytes (30000000)' }
  },
  {
    rule: 'trusted balancers are addresses or CIDR blocks',
    reject: (c) => { c.dataPlane.proxyProtocol = { enabled: true, trustedAddresses: ['10.0.0.0/8', 'lb.internal'] } },
    accept: (c) => { c.dataPlane.proxyProtocol = { enabled: true, trustedAddresses: ['10.0.0.0/8', 'fd00::1'] } },
    issue: { instancePath: '/dataPlane/proxyProtocol/trustedAddresses/1', message: "'lb.internal' is not an IPv4 or IPv6 address, nor a CIDR block (address/prefix)" }
  },
  {
    rule: 'a CIDR prefix within its family',
    reject: (c) => { c.dataPlane.proxyProtocol = { trustedAddresses: ['10.0.0.0/40'] } },
    accept: (c) => { c.dataPlane.proxyProtocol = { trustedAddresses: ['10.0.0.0/32'] } },
    issue: { instancePath: '/dataPlane/proxyProtocol/trustedAddresses/0', message: "'10.0.0.0/40': the prefix length must be an integer from 0 to 32" }
  },
  {
    rule: 'the PROXY protocol needs trusted balancers',
    reject: (c) => { c.dataPlane.proxyProtocol = { enabled: true } },
    accept: (c) => { c.dataPlane.proxyProtocol = { enabled: false } },
    issue: { instancePath: '/dataPlane/proxyProtocol/trustedAddresses', message: "must list the load balancers' addresses when enabled is true (a PROXY header is read from them only)" }
  }
]

for (const { rule, reject, accept, issue } of cases) {
  t.test(rule, async (t) => {
    t.same(issues(config(reject)), [issue], 'rejected with its path and message')
    t.same(issues(config(accept)), [], 'accepted')
  })
}

t.test('per-operation modes name operations of the specification', async (t) => {
  const c = validate(config((c) => { c.environments.ecole.validation = { operations: { getDoublon: 'report' } } }))
  t.throws(() => checkOperationNames(c, ['getNumUnique', 'getDoublons']), {
    code: 'GW_CONFIG_UNKNOWN_OPERATION',
    message: '/environments/ecole/validation/operations names operation getDoublon, which the interface specification does not define (known: getNumUnique, getDoublons)'
  })
  const ok = validate(config((c) => { c.environments.ecole.validation = { operations: { getDoublons: 'report' } } }))
  t.doesNotThrow(() => checkOperationNames(ok, ['getNumUnique', 'getDoublons']))
})
