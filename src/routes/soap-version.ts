/**
 * The SOAP version to answer a Fault in when the message could not tell (it was refused before or
 * during decoding): from the Content-Type, as the SOAP 1.1 and 1.2 HTTP bindings define it —
 * text/xml is 1.1, application/soap+xml is 1.2, and an MTOM package says which in its
 * `type`/`start-info`. 1.2, the SNE's version, otherwise.
 */
import { parseContentType } from '../soap/content-type.js'
import type { SoapVersion } from '../soap/types.js'

export function soapVersionFromContentType (contentType: string | undefined): SoapVersion {
  if (contentType === undefined) return '1.2'
  try {
    const { mediaType, params } = parseContentType(contentType)
    if (mediaType === 'text/xml') return '1.1'
    if (mediaType === 'multipart/related') {
      const inner = (params['start-info'] ?? params.type ?? '').toLowerCase()
      if (inner.startsWith('text/xml')) return '1.1'
    }
  } catch {
    // malformed: the default below
  }
  return '1.2'
}
