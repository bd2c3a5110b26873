/**
 * Compiles each interface version's XSD to code at load (`compiled-validator.ts`), from the
 * schema model of the files that version reaches. A version with a construct the compiler does
 * not support is left to libxml2 and listed with the first such construct, its file and line.
 */
import { posix } from 'node:path'
import { compileDocumentSchema } from './compiled-validator.js'
import { buildSchemaModel, XSD_NS } from './schema-model.js'
import { parseXml } from '../soap/xml-reader.js'
import { attributeValue, walkElements } from '../soap/xml-tree.js'
import type { Unsupported } from './schema-model.js'
import type { CompiledDocumentSchema } from './compiled-validator.js'
import type { SchemaFallback } from './types.js'
import type { CompiledVersion } from './xsd-compiler.js'

export interface CompiledVersions {
  schemas: Map<string, CompiledDocumentSchema>
  fallbacks: SchemaFallback[]
}

/** The XSD elements the compiled validator knows; the model drops some others silently (identity constraints). */
const KNOWN = new Set([
  'schema', 'include', 'import', 'annotation', 'documentation', 'appinfo', 'element', 'complexType', 'simpleType',
  'sequence', 'choice', 'all', 'any', 'attribute', 'attributeGroup', 'anyAttribute', 'group', 'restriction', 'extension',
  'simpleContent', 'complexContent', 'enumeration', 'pattern', 'length', 'minLength', 'maxLength', 'minInclusive',
  'maxInclusive', 'minExclusive', 'maxExclusive', 'totalDigits', 'fractionDigits', 'whiteSpace'
])

/** XSD elements outside KNOWN in `entry` and the schemas it includes or imports. */
export function unknownXsdElements (files: ReadonlyMap<string, Buffer>, entry: string): Unsupported[] {
  const out: Unsupported[] = []
  const seen = new Set<string>()
  const visit = (path: string): void => {
    const bytes = files.get(path)
    if (seen.has(path) || bytes === undefined) return
    seen.add(path)
    walkElements(parseXml(bytes).root, (el) => {
      if (el.uri !== XSD_NS) return
      if (!KNOWN.has(el.local)) out.push({ file: path, line: el.line, construct: `xs:${el.local}`, message: `xs:${el.local} is not compiled` })
      const location = el.local === 'include' || el.local === 'import' ? attributeValue(el, 'schemaLocation') : undefined
      if (location !== undefined) visit(posix.normalize(posix.join(posix.dirname(path), location)))
    })
  }
  visit(entry)
  return out
}

/** `files`: every spec file's bytes by its path relative to the spec directory. */
export function compileVersions (versions: ReadonlyMap<string, CompiledVersion>, files: ReadonlyMap<string, Buffer>): CompiledVersions {
  const schemas = new Map<string, CompiledDocumentSchema>()
  const fallbacks: SchemaFallback[] = []
  for (const v of versions.values()) {
    const unknown = unknownXsdElements(files, v.file)
    const { schema, unsupported } = compileDocumentSchema(buildSchemaModel(files, [v.file]))
    unsupported.unshift(...unknown)
    if (schema !== undefined && unknown.length === 0) schemas.set(v.version, schema)
    else {
      const first = unsupported[0]!
      fallbacks.push({ version: v.version, file: first.file, line: first.line, construct: first.construct, message: first.message })
    }
  }
  return { schemas, fallbacks }
}
