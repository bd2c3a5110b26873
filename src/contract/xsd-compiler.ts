/**
 * Compiles the spec's schemas with libxml2, once, at load: one validator for the webservice
 * types (the WSDL's inline schemas and the XSD they import), one per interface version (each
 * `InterfaceNuu_v*.xsd` file). Imports resolve from memory through the input provider.
 */
import { posix } from 'node:path'
import { codes } from './errors.js'
import { pathOfUrl, withMountedFiles } from './input-provider.js'
import { parseOptions } from './libxml2.js'
import { WSDL_NS, XSD_NS, reachable, resolveLocation } from './schema-graph.js'
import { buildSchemaIndex, fixedAttributeValue, qkey } from './schema-index.js'
import type { Libxml2, LxElement, LxValidator } from './libxml2.js'
import type { SpecFile } from './schema-graph.js'
import type { QName } from '../soap/types.js'

/** The attribute of a document's root that names its interface version. */
export const VERSION_ATTRIBUTE = 'versionInterface'
/** The files that each define one interface version. */
export const VERSION_FILE = /^InterfaceNuu_v.*\.xsd$/i

export interface CompiledVersion {
  version: string
  file: string
  validator: LxValidator
  /** the document root elements this version's schema declares */
  roots: QName[]
}

export interface CompiledSchemas {
  service: LxValidator
  versions: Map<string, CompiledVersion>
}

interface Source { path: string, bytes: Uint8Array, reportAs: string }

/**
 * The WSDL's inline schemas as stand-alone schema files beside the WSDL. Inclusive C14N of the
 * subtree writes the namespaces in scope (those of `wsdl:definitions`) on the schema element;
 * the schema is preceded by as many newlines as it had lines above it, so that libxml2's line
 * numbers in compile errors are the WSDL's.
 */
function inlineSchemas (wsdl: SpecFile): Source[] {
  const out: Source[] = []
  const dir = posix.dirname(wsdl.path)
  const base = posix.basename(wsdl.path)
  for (const [i, node] of wsdl.doc.find('/wsdl:definitions/wsdl:types/xs:schema', { wsdl: WSDL_NS, xs: XSD_NS }).entries()) {
    const text = '\n'.repeat(Math.max(0, node.line - 1)) + node.canonicalizeToString()
    out.push({ path: posix.join(dir, `${base}.schema-${i + 1}.xsd`), bytes: Buffer.from(text, 'utf8'), reportAs: wsdl.path })
  }
  return out
}

function compileError (lx: Libxml2, err: unknown, sources: Map<string, Source>, entry: string): Error {
  const details = err instanceof lx.XmlLibError ? err.details : []
  const first = details.find((d) => d.level >= 2) ?? details[0]
  const path = first?.file === undefined ? entry : pathOfUrl(first.file)
  const reportAs = sources.get(path)?.reportAs ?? path
  const message = details.filter((d) => d.level >= 2).map((d) => d.message.trim()).join('; ') || (err as Error).message
  return new codes.GW_SPEC_SCHEMA_INVALID(reportAs, first?.line ?? 0, message, { cause: err })
}

function compile (lx: Libxml2, entry: Source, sources: Map<string, Source>, urlOf: (path: string) => string): LxValidator {
  const doc = lx.XmlDocument.fromBuffer(entry.bytes, { url: urlOf(entry.path), option: parseOptions(lx) })
  try {
    return lx.XsdValidator.fromDoc(doc)
  } catch (err) {
    throw compileError(lx, err, sources, entry.path)
  } finally {
    doc.dispose()
  }
}

function versionOf (lx: Libxml2, files: Map<string, SpecFile>, file: SpecFile): { version: string, roots: QName[] } {
  const index = buildSchemaIndex(lx, reachable(files, file.path))
  const declared = [...index.elements.entries()].filter(([, d]) => d.file === file.path)
  const fixed = declared
    .map(([, d]) => ({ d, v: fixedAttributeValue(lx, index, d, VERSION_ATTRIBUTE) }))
    .filter((x) => x.v !== undefined)
  const roots = (fixed.length > 0 ? fixed.map((x) => x.d) : declared.map(([, d]) => d))
    .map((d) => ({ uri: d.tns, local: (d.el as LxElement).attr('name')?.value ?? '' }))
  if (fixed.length > 0) return { version: fixed[0]!.v!, roots }
  const m = /_v(\d{2})(\d{2})\.xsd$/i.exec(file.path)
  if (m === null) throw new codes.GW_SPEC_VERSION_UNKNOWN(file.path)
  return { version: `${m[1]}.${m[2]}`, roots }
}

/**
 * Compiles the webservice schema set of `wsdl` and one schema per version file. On error, the
 * validators already compiled are disposed.
 */
export function compileSchemas (lx: Libxml2, files: Map<string, SpecFile>, wsdl: string, versionFiles: string[]): CompiledSchemas {
  const wsdlFile = files.get(wsdl)!
  const sources = new Map<string, Source>()
  for (const f of files.values()) sources.set(f.path, { path: f.path, bytes: f.bytes, reportAs: f.path })

  // The webservice types: inline schemas, plus XSD files the WSDL imports with wsdl:import.
  const serviceSet = inlineSchemas(wsdlFile)
  for (const node of wsdlFile.doc.find('/wsdl:definitions/wsdl:import', { wsdl: WSDL_NS })) {
    const target = resolveLocation(wsdl, (node as LxElement).attr('location')?.value ?? '')
    if (target !== undefined && target.toLowerCase().endsWith('.xsd')) serviceSet.push(sources.get(target)!)
  }
  for (const s of serviceSet) sources.set(s.path, s)
  if (serviceSet.length === 0) throw new codes.GW_SPEC_WSDL_INVALID(wsdl, 0, 'no schema in wsdl:types and no XSD imported')
  let entry = serviceSet[0]!
  if (serviceSet.length > 1) {
    // Several schemas: a driver schema imports each by its namespace, so all compile as one set.
    const imports = serviceSet.map((s) => {
      const tns = files.get(s.path)?.doc.root.attr('targetNamespace')?.value ??
        /targetNamespace="([^"]*)"/.exec(Buffer.from(s.bytes).toString('utf8'))?.[1]
      const ns = tns === undefined ? '' : ` namespace="${tns}"`
      return `<xs:import${ns} schemaLocation="${posix.basename(s.path)}"/>`
    }).join('')
    const path = posix.join(posix.dirname(wsdl), `${posix.basename(wsdl)}.schemas.xsd`)
    entry = { path, bytes: Buffer.from(`<xs:schema xmlns:xs="${XSD_NS}">${imports}</xs:schema>`), reportAs: wsdl }
    sources.set(path, entry)
  }

  const mounted = new Map([...sources.values()].map((s) => [s.path, s.bytes]))
  return withMountedFiles(lx, mounted, (urlOf) => {
    const done: LxValidator[] = []
    try {
      const service = compile(lx, entry, sources, urlOf)
      done.push(service)
      const versions = new Map<string, CompiledVersion>()
      for (const path of versionFiles) {
        const file = files.get(path)!
        const { version, roots } = versionOf(lx, files, file)
        const other = versions.get(version)
        if (other !== undefined) throw new codes.GW_SPEC_VERSION_DUPLICATE(version, other.file, path)
        const validator = compile(lx, sources.get(path)!, sources, urlOf)
        done.push(validator)
        versions.set(version, { version, file: path, validator, roots })
      }
      return { service, versions }
    } catch (err) {
      for (const v of done) v.dispose()
      throw err
    }
  })
}

/** The document roots of every version, for telling an interfaceNuu document from anything else. */
export function documentRoots (versions: Map<string, CompiledVersion>): Set<string> {
  return new Set([...versions.values()].flatMap((v) => v.roots.map(qkey)))
}
