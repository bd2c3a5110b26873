// The reason label of a handshake refused for its client certificate.
import t from 'tap'
import { refusalReason } from '../../src/tls/client-certificate-refusals.js'

t.test('OpenSSL verification codes become bounded reasons', async (t) => {
  const reset = { code: 'ECONNRESET', message: 'socket hang up' }
  t.equal(refusalReason('CERT_REVOKED', reset), 'revoked')
  t.equal(refusalReason({ code: 'CERT_HAS_EXPIRED' }, reset), 'expired')
  t.equal(refusalReason('CERT_NOT_YET_VALID', reset), 'not_yet_valid')
  t.equal(refusalReason('CRL_HAS_EXPIRED', reset), 'crl')
  t.equal(refusalReason('UNABLE_TO_GET_ISSUER_CERT_LOCALLY', reset), 'untrusted')
  t.equal(refusalReason('SOMETHING_NEW', reset), 'other')
  t.equal(refusalReason(undefined, { message: 'peer did not return a certificate' }), 'missing')
  t.equal(refusalReason(undefined, reset), undefined, 'not a certificate matter: not counted')
})
