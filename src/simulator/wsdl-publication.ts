/**
 * The published WSDL and schemas: `spec.files` with the service address and every
 * schemaLocation pointing at the simulator itself (`…/DemandeLogementImplService/?xsd=<file>`).
 *
 * The rewriting (a parse of each file) happens once, at start, with a placeholder base URL;
 * a request only substitutes its own base for the placeholder.
 */
import { posix } from 'node:path'
import { rewriteSchemaLocations, rewriteWsdlAddress } from '../soap/wsdl-publisher.js'
import { escapeXmlAttribute } from '../soap/xml-escape.js'
import type { InterfaceSpec } from '../contract/types.js'

/** The service's path, as on the SNE (docs/sne-reference.md §3). */
export const SERVICE_PATH = '/services/DemandeLogementImplService/'

/** A base no spec file contains (checked at start), replaced by each request's own. */
function placeholderFor (spec: InterfaceSpec): string {
  for (let n = 0; ; n++) {
    const candidate = `https://sne-simulator-base-${n}.invalid`
    if (![...spec.files.values()].some((bytes) => bytes.includes(candidate))) return candidate
  }
}

export interface WsdlPublication {
  /** the WSDL (file undefined) or a schema of the spec, for a public base URL such as `https://host:port` */
  file (name: string | undefined, base: string): Buffer | undefined
  /** the names `?xsd=` accepts */
  readonly names: readonly string[]
}

export function createWsdlPublication (spec: InterfaceSpec): WsdlPublication {
  const PLACEHOLDER = placeholderFor(spec)
  const prepared = new Map<string, { parts: Buffer[] }>()
  for (const [name, bytes] of spec.files) {
    let doc = rewriteSchemaLocations(bytes, (location) => {
      if (/^[a-z][a-z0-9+.-]*:/i.test(location)) return location
      const target = posix.normalize(posix.join(posix.dirname(name), location))
      return spec.files.has(target) ? `${PLACEHOLDER}${SERVICE_PATH}?xsd=${encodeURIComponent(target)}` : location
    })
    if (name === spec.wsdlFile) doc = rewriteWsdlAddress(doc, `${PLACEHOLDER}${SERVICE_PATH}`)
    // Split once around the placeholder, so that a request only joins the pieces with its base.
    const parts: Buffer[] = []
    const marker = Buffer.from(PLACEHOLDER, 'utf8')
    let from = 0
    for (let at = doc.indexOf(marker); at >= 0; at = doc.indexOf(marker, from)) {
      parts.push(doc.subarray(from, at))
      from = at + marker.length
    }
    parts.push(doc.subarray(from))
    prepared.set(name, { parts })
  }
  return {
    names: [...spec.files.keys()].filter((n) => n !== spec.wsdlFile),
    file (name, base) {
      const entry = prepared.get(name ?? spec.wsdlFile)
      if (entry === undefined) return undefined
      const joint = Buffer.from(escapeXmlAttribute(base), 'utf8')
      const out: Buffer[] = []
      entry.parts.forEach((part, i) => {
        if (i > 0) out.push(joint)
        out.push(part)
      })
      return Buffer.concat(out)
    }
  }
}
