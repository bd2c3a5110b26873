/**
 * Follows the WSDL and XSD files of the spec directory: every `xs:import`, `xs:include`,
 * `xs:redefine`, `xs:override` (schemaLocation) and `wsdl:import` (location), recursively,
 * relative to the referring file. Each file is parsed once by libxml2 (so a broken file fails
 * with its line and column); the parsed documents are returned for the catalogue and the
 * schema index, and must be disposed by the caller.
 */
import { posix } from 'node:path'
import { codes } from './errors.js'
import { parseOptions } from './libxml2.js'
import type { Libxml2, LxDocument, LxElement } from './libxml2.js'

export const XSD_NS = 'http://www.w3.org/2001/XMLSchema'
export const WSDL_NS = 'http://schemas.xmlsoap.org/wsdl/'

/** A spec file: its bytes as read from disk and its libxml2 document. */
export interface SpecFile {
  /** posix path relative to the spec directory */
  path: string
  bytes: Buffer
  doc: LxDocument
  /** the spec files this one refers to (imports, includes), resolved */
  refs: string[]
}

interface Reference { location: string, line: number }

const SCHEME = /^[a-z][a-z0-9+.-]*:/i

/**
 * Resolves `location` (as written in `from`) to a path relative to the spec directory, or
 * undefined when it is absolute, remote or climbs out of the directory: the spec loads
 * offline and from one folder only.
 */
export function resolveLocation (from: string, location: string): string | undefined {
  if (location === '' || SCHEME.test(location) || location.startsWith('/') || location.startsWith('\\')) return undefined
  let decoded: string
  try {
    decoded = decodeURI(location.replace(/\\/g, '/'))
  } catch {
    return undefined
  }
  const path = posix.normalize(posix.join(posix.dirname(from), decoded))
  if (path === '..' || path.startsWith('../') || posix.isAbsolute(path)) return undefined
  return path
}

function references (doc: LxDocument): Reference[] {
  const found: Reference[] = []
  const ns = { xs: XSD_NS, wsdl: WSDL_NS }
  for (const node of doc.find('//xs:import|//xs:include|//xs:redefine|//xs:override', ns)) {
    const attr = (node as LxElement).attr('schemaLocation')
    if (attr !== null) found.push({ location: attr.value.trim(), line: node.line })
  }
  for (const node of doc.find('//wsdl:import', ns)) {
    const attr = (node as LxElement).attr('location')
    if (attr !== null) found.push({ location: attr.value.trim(), line: node.line })
  }
  return found
}

/** Parses one spec file, mapping a libxml2 parse error to GW_SPEC_FILE_MALFORMED. */
export function parseSpecFile (lx: Libxml2, path: string, bytes: Buffer): LxDocument {
  try {
    return lx.XmlDocument.fromBuffer(bytes, { url: path, option: parseOptions(lx) })
  } catch (err) {
    const detail = err instanceof lx.XmlLibError ? err.details.find((d) => d.level >= 2) ?? err.details[0] : undefined
    throw new codes.GW_SPEC_FILE_MALFORMED(path, detail?.line ?? 0, detail?.col ?? 0, (detail?.message ?? String(err)).trim(), { cause: err })
  }
}

/**
 * Reads and parses `entries` and everything they refer to. `read` does the I/O (a rejected
 * read of a referenced file becomes GW_SPEC_FILE_MISSING with the referring file and line).
 * On error every document parsed so far is disposed.
 */
export async function collectSpecFiles (lx: Libxml2, entries: string[], read: (path: string) => Promise<Buffer>): Promise<Map<string, SpecFile>> {
  const files = new Map<string, SpecFile>()
  try {
    const queue: Array<{ path: string, from?: { path: string, line: number, location: string } }> = entries.map((path) => ({ path }))
    while (queue.length > 0) {
      const { path, from } = queue.shift()!
      if (files.has(path)) continue
      let bytes: Buffer
      try {
        bytes = await read(path)
      } catch (err) {
        const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message
        throw new codes.GW_SPEC_FILE_MISSING(from?.path ?? path, from?.line ?? 0, from?.path ?? 'the spec directory', from?.location ?? path, reason, { cause: err })
      }
      const doc = parseSpecFile(lx, path, bytes)
      const file: SpecFile = { path, bytes, doc, refs: [] }
      files.set(path, file)
      for (const ref of references(doc)) {
        const target = resolveLocation(path, ref.location)
        if (target === undefined) throw new codes.GW_SPEC_IMPORT_OUTSIDE(path, ref.line, ref.location)
        file.refs.push(target)
        queue.push({ path: target, from: { path, line: ref.line, location: ref.location } })
      }
    }
    return files
  } catch (err) {
    for (const file of files.values()) file.doc.dispose()
    throw err
  }
}

/**
 * The files reachable from `entry` (itself included), in discovery order: one schema set. Two
 * sets may declare the same names (two versions of interfaceNuu), so each is indexed apart.
 */
export function reachable (files: ReadonlyMap<string, SpecFile>, entry: string): SpecFile[] {
  const seen = new Set<string>()
  const out: SpecFile[] = []
  const queue = [entry]
  while (queue.length > 0) {
    const path = queue.shift()!
    const file = files.get(path)
    if (seen.has(path) || file === undefined) continue
    seen.add(path)
    out.push(file)
    queue.push(...file.refs)
  }
  return out
}
