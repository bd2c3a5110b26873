/**
 * MTOM/XOP message writer, in the exact layout of the SNE reference client (docs/sne-reference.md §4.2):
 * CRLF line ends, the root part first (Content-Type, Content-Transfer-Encoding 8bit,
 * Content-ID), then the attachments in the order given, base64 bodies in 76-character lines.
 */
import { codes, soapError } from './errors.js'
import { isValidBoundary } from './mime.js'
import type { SoapVersion } from './types.js'

/** The boundary the reference client uses. */
export const MIME_BOUNDARY = 'MIME_BOUNDARY'
/** The root part's Content-ID in the reference client. */
export const ROOT_CONTENT_ID = 'soaproot'

export interface MtomPartInput {
  /** without angle brackets */
  contentId: string
  contentType: string
  /** written as given (e.g. `BASE64`, `7bit`); base64 (any case) encodes `body` */
  transferEncoding: string
  disposition?: string
  body: Buffer
  /**
   * `body` already in its transfer encoding (e.g. `base64Lines(body)` kept by a caller that sends
   * the same attachment in many messages): written as is
   */
  encoded?: Buffer
}

export interface MtomMessageInput {
  envelope: string | Buffer
  /** the action URI, written as the multipart `action` parameter (omitted when '') */
  action: string
  parts: MtomPartInput[]
  /** default MIME_BOUNDARY */
  boundary?: string
  /** default ROOT_CONTENT_ID */
  rootContentId?: string
  /**
   * the root part's `action` parameter; by default the action's last path segment, as the
   * reference client writes it (`action="getNumUnique"`); '' leaves the parameter out
   */
  rootAction?: string
  /** default '1.2' (`application/soap+xml`); '1.1' writes `text/xml` */
  soapVersion?: SoapVersion
}

export interface MtomMessage {
  contentType: string
  body: Buffer
}

const CRLF = '\r\n'

function quoted (value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`
}

/** Header values are written verbatim: a line break in one would forge headers. */
function headerValue (value: string, what: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) throw soapError(codes.GW_SOAP_MTOM_INVALID_PART, {}, `control character in ${what}`)
  return value
}

/**
 * LF → CRLF (bare LFs only): RFC 2045 §2.7-2.8 text in 7bit/8bit is CRLF-delimited. The line ends
 * are found with native searches and the result is written into one buffer: a document of a few
 * hundred lines costs two passes, not a buffer per line.
 */
function toCrlf (body: Buffer): Buffer {
  let bare = 0
  for (let i = body.indexOf(0x0a); i >= 0; i = body.indexOf(0x0a, i + 1)) {
    if (i === 0 || body[i - 1] !== 0x0d) bare++
  }
  if (bare === 0) return body
  const out = Buffer.allocUnsafe(body.length + bare)
  let from = 0
  let at = 0
  for (let i = body.indexOf(0x0a); i >= 0; i = body.indexOf(0x0a, i + 1)) {
    if (i !== 0 && body[i - 1] === 0x0d) continue
    at += body.copy(out, at, from, i)
    out[at++] = 0x0d
    out[at++] = 0x0a
    from = i + 1
  }
  body.copy(out, at, from)
  return out
}

/** Base64 in 76-character lines separated by CRLF (RFC 2045 §6.8), written into one buffer. */
export function base64Lines (body: Buffer): Buffer {
  const b64 = Buffer.from(body.toString('base64'), 'latin1')
  const lines = Math.ceil(b64.length / 76)
  if (lines <= 1) return b64
  const out = Buffer.allocUnsafe(b64.length + 2 * (lines - 1))
  let at = 0
  for (let i = 0; i < b64.length; i += 76) {
    if (i > 0) {
      out[at++] = 0x0d
      out[at++] = 0x0a
    }
    at += b64.copy(out, at, i, Math.min(i + 76, b64.length))
  }
  return out
}

function encodePart (part: MtomPartInput): Buffer {
  const enc = part.transferEncoding.trim().toLowerCase()
  switch (enc) {
    case 'base64':
      return base64Lines(part.body)
    case '7bit':
      for (const b of part.body) {
        if (b >= 0x80) throw soapError(codes.GW_SOAP_MTOM_INVALID_PART, { part: part.contentId }, '7bit body with non-ASCII bytes (use 8bit or base64)')
      }
      return toCrlf(part.body)
    case '8bit':
      return toCrlf(part.body)
    case 'binary':
      return part.body
    default:
      throw soapError(codes.GW_SOAP_MTOM_INVALID_PART, { part: part.contentId }, `transfer encoding ${JSON.stringify(part.transferEncoding)} is not written by this writer`)
  }
}

/**
 * Builds an MTOM/XOP multipart/related message that `decodeSoapMessage` reads back.
 * @throws GW_SOAP_MTOM_INVALID_PART on input that cannot be written faithfully.
 */
export function buildMtomMessage (input: MtomMessageInput): MtomMessage {
  const boundary = input.boundary ?? MIME_BOUNDARY
  if (!isValidBoundary(boundary)) throw soapError(codes.GW_SOAP_MTOM_INVALID_PART, {}, 'invalid boundary')
  const rootId = headerValue(input.rootContentId ?? ROOT_CONTENT_ID, 'the root Content-ID')
  const soapType = (input.soapVersion ?? '1.2') === '1.2' ? 'application/soap+xml' : 'text/xml'
  const action = headerValue(input.action, 'the action')
  const rootAction = headerValue(input.rootAction ?? action.slice(action.lastIndexOf('/') + 1), 'the root action')

  const delimiter = Buffer.from(`--${boundary}`, 'latin1')
  const chunks: Buffer[] = []
  const ids = new Set<string>([rootId])
  const push = (headers: string[], body: Buffer, id: string): void => {
    // the boundary must not occur inside a body, or the reader would cut the part there
    if (body.indexOf(delimiter) >= 0) throw soapError(codes.GW_SOAP_MTOM_INVALID_PART, { part: id }, 'the boundary occurs in the body')
    chunks.push(Buffer.from(`--${boundary}${CRLF}${headers.join(CRLF)}${CRLF}${CRLF}`, 'latin1'), body, Buffer.from(CRLF))
  }

  let rootType = `application/xop+xml; charset=UTF-8; type="${soapType}"`
  if (rootAction !== '') rootType += `; action=${quoted(rootAction)}`
  const envelope = typeof input.envelope === 'string' ? Buffer.from(input.envelope, 'utf8') : input.envelope
  push([`Content-Type: ${rootType}`, 'Content-Transfer-Encoding: 8bit', `Content-ID: <${rootId}>`], toCrlf(envelope), rootId)

  for (const part of input.parts) {
    const id = headerValue(part.contentId, 'a Content-ID')
    if (ids.has(id)) throw soapError(codes.GW_SOAP_MTOM_INVALID_PART, { part: id }, 'duplicate Content-ID')
    ids.add(id)
    const type = `Content-Type: ${headerValue(part.contentType, 'a Content-Type')}`
    const cid = `Content-ID: <${id}>`
    const cte = `Content-Transfer-Encoding: ${headerValue(part.transferEncoding, 'a transfer encoding')}`
    // the reference client writes Content-ID before the encoding for base64 parts and after
    // it for text parts; the SNE is layout-sensitive, so the order is kept as observed
    const headers = part.transferEncoding.trim().toLowerCase() === 'base64' ? [type, cid, cte] : [type, cte, cid]
    if (part.disposition !== undefined) headers.push(`Content-Disposition: ${headerValue(part.disposition, 'a Content-Disposition')}`)
    push(headers, part.encoded ?? encodePart(part), id)
  }
  chunks.push(Buffer.from(`--${boundary}--${CRLF}`, 'latin1'))

  let contentType = `multipart/related; type="application/xop+xml"; start=${quoted(rootId)}; start-info="${soapType}"; boundary=${quoted(boundary)}`
  if (action !== '') contentType += `; action=${quoted(action)}`
  return { contentType, body: Buffer.concat(chunks) }
}
