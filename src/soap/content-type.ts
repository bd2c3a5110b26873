/**
 * Content-Type parsing and formatting (RFC 9110 §8.3 and RFC 2045 §5.1).
 *
 * Parameter values are tokens or quoted strings; names are case-insensitive and lower-cased;
 * a parameter given twice is an error, because two readers could pick different values
 * (a boundary or an action smuggled past one of them).
 */
import { codes, soapError, type SoapErrorDetail } from './errors.js'
import type { ContentType } from './types.js'

// RFC 2045 token: any US-ASCII CHAR except SPACE, CTLs and tspecials ()<>@,;:\"/[]?=
// It is a superset of RFC 9110's tchar, so both kinds of senders are accepted.
const TOKEN = new Uint8Array(128)
for (let c = 0x21; c < 0x7f; c++) TOKEN[c] = 1
for (const ch of '()<>@,;:\\"/[]?=') TOKEN[ch.charCodeAt(0)] = 0

function isToken (c: number): boolean {
  return c < 128 && TOKEN[c] === 1
}

function isOws (c: number): boolean {
  return c === 0x20 || c === 0x09
}

/**
 * Parses a Content-Type header value.
 * @throws GW_SOAP_INVALID_CONTENT_TYPE with the reason (never the value itself).
 */
export function parseContentType (value: string, detail: SoapErrorDetail = {}): ContentType {
  const fail = (reason: string, at: number): never => {
    throw soapError(codes.GW_SOAP_INVALID_CONTENT_TYPE, detail, `${reason} at character ${at + 1}`)
  }
  const len = value.length
  let i = 0
  while (i < len && isOws(value.charCodeAt(i))) i++
  const typeStart = i
  while (i < len && isToken(value.charCodeAt(i))) i++
  if (i === typeStart) fail('missing media type', i)
  if (value.charCodeAt(i) !== 0x2f /* / */) fail('media type without "/"', i)
  i++
  const subStart = i
  while (i < len && isToken(value.charCodeAt(i))) i++
  if (i === subStart) fail('missing media subtype', i)
  const mediaType = value.slice(typeStart, i).toLowerCase()
  const params: Record<string, string> = Object.create(null) as Record<string, string>

  for (;;) {
    while (i < len && isOws(value.charCodeAt(i))) i++
    if (i >= len) break
    if (value.charCodeAt(i) !== 0x3b /* ; */) fail('expected ";" between parameters', i)
    i++
    while (i < len && isOws(value.charCodeAt(i))) i++
    // RFC 9110 allows empty parameters (";;" or a trailing ";")
    if (i >= len || value.charCodeAt(i) === 0x3b) continue
    const nameStart = i
    while (i < len && isToken(value.charCodeAt(i))) i++
    if (i === nameStart) fail('invalid parameter name', i)
    const name = value.slice(nameStart, i).toLowerCase()
    if (value.charCodeAt(i) !== 0x3d /* = */) fail(`parameter "${name}" without "="`, i)
    i++
    let paramValue: string
    if (value.charCodeAt(i) === 0x22 /* " */) {
      i++
      let out = ''
      let segment = i
      for (;;) {
        if (i >= len) fail(`unterminated quoted value of "${name}"`, i)
        const c = value.charCodeAt(i)
        if (c === 0x22) break
        if (c === 0x5c /* \ */) {
          out += value.slice(segment, i)
          i++
          if (i >= len) fail(`unterminated quoted value of "${name}"`, i)
          const e = value.charCodeAt(i)
          if ((e < 0x20 && e !== 0x09) || e === 0x7f) fail(`invalid escaped character in "${name}"`, i)
          segment = i
          i++
          continue
        }
        // qdtext: HTAB, SP and visible characters (obs-text included), no other controls
        if ((c < 0x20 && c !== 0x09) || c === 0x7f) fail(`control character in the value of "${name}"`, i)
        i++
      }
      paramValue = out + value.slice(segment, i)
      i++
    } else {
      const valueStart = i
      while (i < len && isToken(value.charCodeAt(i))) i++
      if (i === valueStart) fail(`empty or invalid value of "${name}"`, i)
      paramValue = value.slice(valueStart, i)
    }
    if (name in params) fail(`parameter "${name}" given twice`, nameStart)
    params[name] = paramValue
  }
  return { mediaType, params }
}

/** Formats a content type, quoting (and escaping) each value that is not a token. */
export function formatContentType (ct: ContentType): string {
  let out = ct.mediaType
  for (const [name, value] of Object.entries(ct.params)) {
    out += `; ${name}=${formatParameterValue(value)}`
  }
  return out
}

/** A parameter value as a token when it is one, else as a quoted string. */
export function formatParameterValue (value: string): string {
  let token = value.length > 0
  for (let i = 0; i < value.length && token; i++) token = isToken(value.charCodeAt(i))
  return token ? value : `"${value.replace(/["\\]/g, '\\$&')}"`
}
