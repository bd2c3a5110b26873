/**
 * Checks a certificate and its private key where the configuration names them, at start and at
 * reload, so that a wrong file is reported with its option and its path rather than as OpenSSL's
 * bare "no start line" or "key values mismatch" from deep in the TLS stack: a file that is not PEM
 * (`GW_CONFIG_NOT_PEM`), a key that is not the certificate's (`GW_CONFIG_KEY_MISMATCH`), anything
 * else OpenSSL refuses, a wrong passphrase included (`GW_CONFIG_TLS_MATERIAL_INVALID`).
 */
import { createSecureContext } from 'node:tls'
import { codes } from '../config/errors.js'

const PEM = /-----BEGIN [A-Z0-9 ]+-----/

/** Throws GW_CONFIG_NOT_PEM when `bytes` hold no PEM block. */
export function requirePem (option: string, file: string, bytes: Buffer, what: string): void {
  if (!PEM.test(bytes.toString('latin1'))) throw new codes.GW_CONFIG_NOT_PEM(option, file, what)
}

export interface KeyPairFiles {
  /** JSON pointer of the object holding `cert` and `key`, e.g. `/dataPlane/tls` */
  at: string
  certFile: string
  keyFile: string
  cert: Buffer
  key: Buffer
  passphrase: string | undefined
}

/** Checks that both files are PEM and that the key is the certificate's (with its passphrase). */
export function checkKeyPair (pair: KeyPairFiles): void {
  requirePem(`${pair.at}/cert`, pair.certFile, pair.cert, 'a PEM certificate')
  requirePem(`${pair.at}/key`, pair.keyFile, pair.key, 'a PEM private key')
  try {
    createSecureContext({ cert: pair.cert, key: pair.key, ...(pair.passphrase === undefined ? {} : { passphrase: pair.passphrase }) })
  } catch (err) {
    const code = (err as { code?: string }).code
    if (code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH') throw new codes.GW_CONFIG_KEY_MISMATCH(`${pair.at}/key`, pair.keyFile, `${pair.at}/cert`, pair.certFile, { cause: err })
    throw new codes.GW_CONFIG_TLS_MATERIAL_INVALID(`${pair.at}/cert`, pair.certFile, `${pair.at}/key`, pair.keyFile, code ?? (err as Error).message, { cause: err })
  }
}
