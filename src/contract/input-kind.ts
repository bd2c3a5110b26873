/**
 * Tells what an integrator's file is when no content type comes with it: a raw MTOM
 * multipart message (it starts with its boundary line), a SOAP envelope, or a bare
 * interfaceNuu document. Used by `sne-gateway validate`.
 */
import { SOAP11_ENVELOPE_NS } from '../soap/types.js'

export type InputKind =
  | { kind: 'message', contentType: string }
  | { kind: 'document' }

const BOM = Buffer.from([0xef, 0xbb, 0xbf])
/** RFC 2046 boundary characters. */
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{1,70}$/

function skipBlank (bytes: Buffer): number {
  let i = bytes.subarray(0, 3).equals(BOM) ? 3 : 0
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0d || bytes[i] === 0x0a)) i++
  return i
}

/**
 * The kind of `bytes`. A multipart message gets the content type MTOM implies, with the
 * boundary of its first line; an envelope `application/soap+xml` (or `text/xml` for the SOAP
 * 1.1 namespace); anything else is taken as a document.
 */
export function sniffInput (bytes: Buffer): InputKind {
  const start = skipBlank(bytes)
  const head = bytes.subarray(start, start + 4096).toString('latin1')
  if (head.startsWith('--')) {
    const line = /^--([^\r\n]*)/.exec(head)![1]!.replace(/[ \t]+$/, '')
    if (BOUNDARY.test(line)) {
      return { kind: 'message', contentType: `multipart/related; type="application/xop+xml"; start-info="application/soap+xml"; boundary="${line}"` }
    }
  }
  // The first start tag that is not a declaration, comment or PI.
  const tag = /<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)([^>]*)>/.exec(head.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->/g, ''))
  if (tag !== null && tag[2] === 'Envelope') {
    const soap11 = tag[3]!.includes(SOAP11_ENVELOPE_NS)
    return { kind: 'message', contentType: soap11 ? 'text/xml; charset=utf-8' : 'application/soap+xml; charset=utf-8' }
  }
  return { kind: 'document' }
}
