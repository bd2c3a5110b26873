/**
 * The fingerprint of a REST write: SHA-256 over its method, its request target (path and query)
 * and the RFC 8785 (JSON Canonicalization Scheme) form of the client's JSON body, so that a retry
 * of the same call matches whatever the key order or the number layout of its JSON, and any other
 * body does not. Computed on the body as the client sent it, before the gateway fills the entete's
 * dateFichier and the file names (which change on every attempt).
 */
import { createHash } from 'node:crypto'

/** A string JSON.stringify writes as it is, between quotes: no control character, quote, backslash or surrogate. */
// eslint-disable-next-line no-control-regex -- the control characters are what it looks for
const NEEDS_ESCAPE = /[\u0000-\u001f"\\\ud800-\udfff]/

/** The JSON string of `s`, as `JSON.stringify` writes it (RFC 8785 §3.2.2.2), without calling it when nothing needs escaping. */
function quoted (s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : '"' + s + '"'
}

/**
 * `names` sorted by UTF-16 code units, in place: an insertion sort for the few members of most
 * objects (no work array allocated, as `Array.prototype.sort` does), the built-in sort beyond.
 */
function sortNames (names: string[]): string[] {
  if (names.length > 16) return names.sort()
  for (let i = 1; i < names.length; i++) {
    const name = names[i] as string
    let j = i - 1
    while (j >= 0 && (names[j] as string) > name) {
      names[j + 1] = names[j] as string
      j--
    }
    names[j + 1] = name
  }
  return names
}

/**
 * RFC 8785 canonical JSON of a value parsed by `JSON.parse`. RFC 8785 defines its primitives by
 * ECMAScript's `JSON.stringify` (numbers in their shortest round-trip form, which is
 * `Number.prototype.toString` for finite numbers; the minimal string escapes), and sorts object
 * members by the UTF-16 code units of their names, which is what `<` does on strings.
 */
export function canonicalJson (value: unknown): string {
  switch (typeof value) {
    case 'string': return quoted(value)
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('RFC 8785: a number must be finite')
      return String(value)
    case 'boolean': return value ? 'true' : 'false'
    case 'object': break
    default: return JSON.stringify(value)
  }
  if (value === null) return 'null'
  // Written into one string as it goes: no array of parts per object or array (this runs on the
  // event loop for every REST write, bench/RESULTS.md).
  let out: string
  if (Array.isArray(value)) {
    out = '['
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i])
    return out + ']'
  }
  const names = sortNames(Object.keys(value))
  out = '{'
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string
    out += (i === 0 ? '' : ',') + quoted(name) + ':' + canonicalJson((value as Record<string, unknown>)[name])
  }
  return out + '}'
}

/** Hex SHA-256 of `method`, `target` and the canonical JSON of `body`, separated by line feeds. */
export function requestFingerprint (method: string, target: string, body: unknown): string {
  return createHash('sha256').update(`${method.toUpperCase()}\n${target}\n${canonicalJson(body)}`).digest('hex')
}
