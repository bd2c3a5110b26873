/**
 * JA3 (Salesforce, 2017): `SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats`,
 * each a dash-separated list of decimal values in the order sent, GREASE values left out; the
 * fingerprint is the MD5 of that string, in lower-case hex.
 */
import { hash } from 'node:crypto'
import type { ClientHello } from './client-hello.js'
import { isGrease } from './tls-versions.js'

export interface Ja3 {
  /** the JA3 string */
  text: string
  /** MD5 of `text`, 32 lower-case hex digits */
  hash: string
}

function join (values: readonly number[]): string {
  let out = ''
  for (const v of values) {
    if (isGrease(v)) continue
    out += out === '' ? String(v) : `-${v}`
  }
  return out
}

/** The JA3 string of a ClientHello. */
export function ja3Text (hello: ClientHello): string {
  return `${hello.legacyVersion},${join(hello.cipherSuites)},${join(hello.extensions)},${join(hello.supportedGroups)},${hello.ecPointFormats.join('-')}`
}

/** MD5 of a JA3 string. */
export function ja3Hash (text: string): string {
  return hash('md5', text, 'hex')
}

/** JA3 string and hash of a ClientHello. */
export function ja3 (hello: ClientHello): Ja3 {
  const text = ja3Text(hello)
  return { text, hash: ja3Hash(text) }
}
