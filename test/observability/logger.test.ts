// The logger: allowlisting serializers and static redaction (second line of defence).
import t from 'tap'
import { createLogger, serializers } from '../../src/observability/logger.js'
import { kConnection } from '../../src/tls/symbols.js'
import { LogCapture } from '../integration/helpers/gateway-stack.js'

t.test('the request serializer keeps allowlisted fields only', async (t) => {
  const out = serializers.req({
    method: 'POST',
    url: '/ecole/services/DemandeLogementImplService/?nom=DUPONT',
    ip: '10.0.0.1',
    headers: { 'content-type': 'text/xml', authorization: 'Basic eDp5', cookie: 'a=b', 'x-nir': '1850175123456', soapaction: 'x', 'user-agent': 'ua' }
  })
  t.same(out, {
    method: 'POST',
    url: '/ecole/services/DemandeLogementImplService/',
    remoteAddress: '10.0.0.1',
    headers: { 'content-type': 'text/xml', soapaction: 'x', 'user-agent': 'ua' }
  })
  t.same(serializers.res({ statusCode: 200, headers: { 'set-cookie': 'x' } } as { statusCode: number }), { statusCode: 200 })
})

t.test('the request serializer names the client address the listener recorded (PROXY header), not the peer', async (t) => {
  const raw = { remoteAddress: '10.0.0.9', [kConnection]: { address: '192.0.2.41' } }
  t.match(serializers.req({ method: 'GET', url: '/', ip: '10.0.0.9', socket: { remoteAddress: '10.0.0.9', _parent: raw } as never }), { remoteAddress: '192.0.2.41' })
  t.match(serializers.req({ method: 'GET', url: '/', ip: '10.0.0.9', socket: { remoteAddress: '::ffff:10.0.0.9' } }), { remoteAddress: '10.0.0.9' }, 'without one: the peer')
})

t.test('credentials are redacted wherever a debug call puts them', async (t) => {
  const capture = new LogCapture()
  const logger = createLogger({ level: 'trace', destination: capture })
  logger.info({ headers: { authorization: 'Basic c2VjcmV0', cookie: 'session=s3cr3t' } }, 'a')
  logger.info({ config: { dataPlane: { tls: { passphrase: 'key-pass' } }, environments: { ecole: { upstream: { passphrase: 'up-pass' } } } } }, 'b')
  logger.info({ wsse: { Password: 'pw', PasswordText: 'pw2' } }, 'c')
  const text = capture.raw.join('\n')
  for (const secret of ['c2VjcmV0', 's3cr3t', 'key-pass', 'up-pass', '"pw"', 'pw2']) t.notMatch(text, secret, secret)
  t.match(text, '[redacted]')
})

t.test('lines are JSON with the service name and an ISO time', async (t) => {
  const capture = new LogCapture()
  createLogger({ level: 'info', destination: capture }).info({ x: 1 }, 'hello')
  t.match(capture.lines()[0], { service: 'sne-gateway', msg: 'hello', x: 1, time: /^\d{4}-\d\d-\d\dT/ })
})
