/**
 * Compiles each interface version's XSD to code at load (`compiled-validator.ts`), from the
 * schema model of the files that version reaches. A version with a construct the compiler does
 * not support is left to libxml2 and listed with the first such construct, its file and line.
 */
import { posix } from 'node:path'
import { compileDocumentSchema } from './compiled-validator.js'
import { buildSchemaModel, WSDL_NS, XSD_NS } from './schema-model.js'
import { parseXml } from '../soap/xml-reader.js'
import { attributeValue, walkElements } from '../soap/xml-tree.js'
import type { Unsupported } from './schema-model.js'
import type { CompiledDocumentSchema } from './compiled-validator.js'
import type { SchemaFallback } from './types.js'
import type { CompiledVersion } from './xsd-compiler.js'

export interface CompiledVersions {
  schemas: Map<string, CompiledDocumentSchema>
  /** the webservice types (the Body's payload), when they compiled */
  service: CompiledDocumentSchema | undefined
  fallbacks: SchemaFallback[]
}

/** The label of the webservice types among the fallbacks (`version` of a SchemaFallback). */
export const SERVICE_SCHEMA = 'webservice'

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
      const wsdlImport = el.uri === WSDL_NS && el.local === 'import' ? attributeValue(el, 'location') : undefined
      if (wsdlImport !== undefined && wsdlImport.toLowerCase().endsWith('.xsd')) visit(posix.normalize(posix.join(posix.dirname(path), wsdlImport)))
      // the WSDL's own elements are not schema
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
export function compileVersions (versions: ReadonlyMap<string, CompiledVersion>, files: ReadonlyMap<string, Buffer>, wsdl: string): CompiledVersions {
  const schemas = new Map<string, CompiledDocumentSchema>()
  const fallbacks: SchemaFallback[] = []
  const compileOne = (label: string, entry: string): CompiledDocumentSchema | undefined => {
    const unknown = unknownXsdElements(files, entry)
    const { schema, unsupported } = compileDocumentSchema(buildSchemaModel(files, [entry]))
    unsupported.unshift(...unknown)
    if (schema !== undefined && unknown.length === 0) return schema
    const first = unsupported[0]!
    fallbacks.push({ version: label, file: first.file, line: first.line, construct: first.construct, message: first.message })
    return undefined
  }
  for (const v of versions.values()) {
    const schema = compileOne(v.version, v.file)
    if (schema !== undefined) schemas.set(v.version, schema)
  }
  const service = compileOne(SERVICE_SCHEMA, wsdl)
  return { schemas, service, fallbacks }
}
