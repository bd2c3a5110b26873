/**
 * The fingerprint of a REST write: SHA-256 over its method, its request target (path and query)
 * and the RFC 8785 (JSON Canonicalization Scheme) form of the client's JSON body, so that a retry
 * of the same call matches whatever the key order or the number layout of its JSON, and any other
 * body does not. Computed on the body as the client sent it, before the gateway fills the entete's
 * dateFichier and the file names (which change on every attempt).
 */
import { createHash } from 'node:crypto'

/**
 * RFC 8785 canonical JSON of a value parsed by `JSON.parse`. RFC 8785 defines its primitives by
 * ECMAScript's `JSON.stringify` (numbers in their shortest round-trip form, the minimal string
 * escapes), and sorts object members by the UTF-16 code units of their names, which is what
 * `Array.prototype.sort` does on strings without a comparator.
 */
export function canonicalJson (value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('RFC 8785: a number must be finite')
    return JSON.stringify(value)
  }
  // Written into one string as it goes: no array of parts per object or array (this runs on the
  // event loop for every REST write, bench/RESULTS.md).
  let out: string
  if (Array.isArray(value)) {
    out = '['
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i])
    return out + ']'
  }
  const keys = Object.keys(value).sort()
  out = '{'
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string
    out += (i === 0 ? '' : ',') + JSON.stringify(key) + ':' + canonicalJson((value as Record<string, unknown>)[key])
  }
  return out + '}'
}

/** Hex SHA-256 of `method`, `target` and the canonical JSON of `body`, separated by line feeds. */
export function requestFingerprint (method: string, target: string, body: unknown): string {
  return createHash('sha256').update(`${method.toUpperCase()}\n${target}\n${canonicalJson(body)}`).digest('hex')
}
