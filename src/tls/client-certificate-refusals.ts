/**
 * Why a data-plane handshake was refused for its client certificate, as a bounded metric label.
 * Node reports the verification failure on the socket (`authorizationError`, an OpenSSL
 * verification code) while the 'tlsClientError' error itself is often only the reset that followed.
 */

/** The label of an OpenSSL verification code; undefined when the failure was not the certificate's. */
export function refusalReason (authorizationError: unknown, err: { code?: string, message?: string }): string | undefined {
  const code = typeof authorizationError === 'string' ? authorizationError : (authorizationError as { code?: string } | null | undefined)?.code
  if (code === undefined) {
    return /peer did not return a certificate|certificate required/i.test(err.message ?? '') ? 'missing' : undefined
  }
  switch (code) {
    case 'CERT_REVOKED': return 'revoked'
    case 'CERT_HAS_EXPIRED': return 'expired'
    case 'CERT_NOT_YET_VALID': return 'not_yet_valid'
    case 'UNABLE_TO_GET_CRL':
    case 'CRL_HAS_EXPIRED':
    case 'CRL_NOT_YET_VALID':
    case 'CRL_SIGNATURE_FAILURE':
    case 'UNABLE_TO_DECRYPT_CRL_SIGNATURE':
    case 'ERROR_IN_CRL_LAST_UPDATE_FIELD':
    case 'ERROR_IN_CRL_NEXT_UPDATE_FIELD':
      return 'crl'
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'CERT_SIGNATURE_FAILURE':
    case 'CERT_UNTRUSTED':
    case 'INVALID_CA':
      return 'untrusted'
    default:
      return 'other'
  }
}
