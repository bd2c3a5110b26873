/**
 * The JSON contract of the interface: for each interfaceNuu version and each WSDL operation, the
 * JSON shape, its JSON Schema 2020-12 (strict for what a guichet sends, tolerant for answers),
 * an OpenAPI 3.1 components section, compiled ajv validators and the codec. Everything is
 * derived from the files of the spec directory when the contract is built (once, at start);
 * nothing in here is written by hand for one element.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js'
import { VERSION_ATTRIBUTE, VERSION_FILE } from './xsd-compiler.js'
import { buildSchemaModel, qkey, type ElementDecl, type SchemaModel, type SimpleType, type Unsupported } from './schema-model.js'
import { JsonMapping, type ObjectShape } from './json-mapping.js'
import { escapeToken, pointerOfPath, xsdPathOf } from './json-paths.js'
import { EXTRA_KEYWORDS, LEXICAL_PATTERNS, SchemaGenerator, type Flavour, type JsonSchema } from './json-schema.js'
import { anchoredPattern, XsdRegexError } from './xsd-regex.js'
import type { JsonToXmlOptions, TreeToJsonOptions, TreeToJsonResult } from './json-codec.js'
import { compileJsonCodec, type JsonCodec } from './json-codec-compiled.js'
import type { OperationSpec } from './types.js'
import type { Violation, XmlElement } from '../soap/types.js'

export { pointerOfPath, xsdPathOf }

export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema'

/** A JSON validation error: the JSON Pointer of the value and the XSD path of the same field. */
export interface JsonViolation extends Violation {
  pointer: string
  path: string
}

/** One interfaceNuu version as JSON. */
export interface VersionContract {
  version: string
  /** the XSD file that defines it */
  file: string
  root: ElementDecl
  mapping: JsonMapping
  /** both directions of the codec, compiled per shape when the contract is built */
  codec: JsonCodec
  /** constructs of this version's schemas that JSON cannot carry (each with file and line) */
  unsupported: readonly Unsupported[]
}

export interface ContractSources {
  /** every spec file by path relative to the spec directory */
  files: ReadonlyMap<string, Buffer>
  wsdlFile: string
  operations: ReadonlyMap<string, OperationSpec>
}

export interface JsonContract {
  readonly versions: ReadonlyMap<string, VersionContract>
  /** every construct the JSON side does not map, over all schemas */
  readonly unsupported: readonly Unsupported[]
  /** the JSON Schema document of one interface version */
  documentSchema (version: string, flavour?: Flavour): JsonSchema
  /** the JSON Schema of an operation's request or answer wrapper, documents embedded as JSON */
  operationSchema (operation: string, side: 'request' | 'answer'): JsonSchema
  /** an OpenAPI 3.1 document whose components hold every schema */
  openapi (info?: { title?: string, version?: string }): JsonSchema
  /** validates the JSON of an interfaceNuu document (its `versionInterface` picks the schema) */
  validateDocument (value: unknown, flavour?: Flavour): JsonViolation[]
  /** the JSON of a parsed interfaceNuu document (its root element picks the version) */
  toJson (root: XmlElement, bytes: Buffer, options?: TreeToJsonOptions): TreeToJsonResult & { version: string }
  /** the XML of the JSON of an interfaceNuu document */
  toXml (value: unknown, options?: JsonToXmlOptions & { version?: string }): string
  /** the version a document's JSON names, or undefined */
  versionOf (value: unknown): string | undefined
}

function versionRoot (model: SchemaModel, file: string): { version: string, root: ElementDecl } | undefined {
  const declared = [...model.elements.values()].filter((e) => e.source.file === file)
  for (const e of declared) {
    if (e.type.kind !== 'complex') continue
    const fixed = e.type.attributes.find((a) => a.local === VERSION_ATTRIBUTE)?.fixed
    if (fixed !== undefined) return { version: fixed.trim(), root: e }
  }
  const m = /_v(\d{2})(\d{2})\.xsd$/i.exec(file)
  if (m === null || declared[0] === undefined) return undefined
  return { version: `${m[1]}.${m[2]}`, root: declared[0] }
}

/** Checks every pattern of every simple type once, reporting those ECMAScript cannot express. */
function checkPatterns (model: SchemaModel, unsupported: Unsupported[]): void {
  const seen = new Set<SimpleType>()
  const visit = (t: SimpleType): void => {
    if (seen.has(t)) return
    seen.add(t)
    for (const step of t.patterns) {
      try {
        anchoredPattern(step)
      } catch (err) {
        if (!(err instanceof XsdRegexError)) throw err
        unsupported.push({ ...t.source, construct: 'xs:pattern', message: `the pattern ${JSON.stringify(step.join(' | '))} has no ECMAScript equivalent (${err.message}); the JSON Schema omits it` })
      }
    }
  }
  for (const t of model.types.values()) {
    if (t.kind === 'simple') visit(t)
    else {
      if (t.simpleContent !== undefined) visit(t.simpleContent)
      for (const a of t.attributes) visit(a.type)
    }
  }
}

const LEXICAL = new Set(Object.values(LEXICAL_PATTERNS))

/** The `GW_SCHEMA_*` code of an ajv error, the same codes as the XSD validation of the XML. */
function codeOf (e: ErrorObject, isAttribute: boolean): string {
  switch (e.keyword) {
    case 'enum': return 'GW_SCHEMA_ENUMERATION'
    // The lexical form of a date or time type is a pattern in JSON Schema, a type in XSD.
    case 'pattern': return LEXICAL.has(String((e.params as { pattern?: unknown }).pattern)) ? 'GW_SCHEMA_TYPE' : 'GW_SCHEMA_PATTERN'
    case 'minLength': case 'maxLength': return 'GW_SCHEMA_LENGTH'
    case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum': case 'multipleOf': return 'GW_SCHEMA_RANGE'
    case 'type': return 'GW_SCHEMA_TYPE'
    case 'const': return 'GW_SCHEMA_FIXED_VALUE'
    case 'required': return isAttribute ? 'GW_SCHEMA_MISSING_ATTRIBUTE' : 'GW_SCHEMA_MISSING_ELEMENT'
    case 'minItems': return 'GW_SCHEMA_MISSING_ELEMENT'
    case 'additionalProperties': case 'maxItems': case 'oneOf': case 'not': return 'GW_SCHEMA_UNEXPECTED_ELEMENT'
    default: return 'GW_SCHEMA_INVALID'
  }
}

function violationsOf (errors: readonly ErrorObject[], mapping: JsonMapping, root: ElementDecl): JsonViolation[] {
  const out: JsonViolation[] = []
  const seen = new Set<string>()
  for (const e of errors) {
    // The branches of a oneOf report their own `required`/`not` failures: the oneOf says it once.
    if (/\/oneOf\/[0-9]+\//.test(e.schemaPath)) continue
    let pointer = e.instancePath
    const params = e.params as Record<string, unknown>
    if (e.keyword === 'required') pointer += `/${escapeToken(String(params.missingProperty))}`
    if (e.keyword === 'additionalProperties') pointer += `/${escapeToken(String(params.additionalProperty))}`
    const path = xsdPathOf(mapping, root, pointer)
    const code = codeOf(e, path.includes('/@'))
    const key = `${code}\u0000${pointer}`
    if (seen.has(key)) continue
    seen.add(key)
    let message = e.message ?? e.keyword
    if (e.keyword === 'oneOf') message = 'exactly one of the alternatives (xs:choice) must be present'
    if (e.keyword === 'additionalProperties') message = `the property ${String(params.additionalProperty)} is not in the schema here`
    if (e.keyword === 'required') message = `the property ${String(params.missingProperty)} is required`
    out.push({ code, message, pointer, path })
  }
  return out
}

/** Builds the JSON contract of the spec files. Throws nothing for unmappable constructs: it lists them. */
export function buildJsonContract (sources: ContractSources): JsonContract {
  const unsupported: Unsupported[] = []
  const versions = new Map<string, VersionContract>()
  for (const file of [...sources.files.keys()].filter((f) => VERSION_FILE.test(f.split('/').pop() ?? '')).sort()) {
    const model = buildSchemaModel(sources.files, [file])
    const found = versionRoot(model, file)
    if (found === undefined) continue
    checkPatterns(model, model.unsupported)
    const mapping = new JsonMapping(model)
    for (const _ of mapping.reachable(mapping.shapeOf(found.root.type))) { /* computes every shape, and so every report */ }
    versions.set(found.version, { version: found.version, file, root: found.root, mapping, codec: compileJsonCodec(mapping, found.root), unsupported: model.unsupported })
    // A file shared by several versions (the nomenclatures) is reported once.
    for (const u of model.unsupported) {
      if (!unsupported.some((x) => x.file === u.file && x.line === u.line && x.construct === u.construct)) unsupported.push(u)
    }
  }
  const serviceModel = buildSchemaModel(sources.files, [sources.wsdlFile])
  checkPatterns(serviceModel, serviceModel.unsupported)
  const serviceMapping = new JsonMapping(serviceModel)
  unsupported.push(...serviceModel.unsupported)

  const prefixOf = (version: string): string => `nuu${version.replace(/[^0-9A-Za-z]/g, '')}.`

  /** Definitions of every version, request and answer flavours, and of the operations. */
  const generate = (refBase: string): { defs: Map<string, JsonSchema>, documents: Map<string, string>, operations: Map<string, string> } => {
    const defs = new Map<string, JsonSchema>()
    const documents = new Map<string, string>()
    const operations = new Map<string, string>()
    const docRef = new Map<string, JsonSchema>()
    for (const flavour of ['request', 'answer'] as const) {
      for (const v of versions.values()) {
        const prefix = prefixOf(v.version) + (flavour === 'answer' ? 'answer.' : '')
        const gen = new SchemaGenerator(v.mapping, { prefix, refBase }, flavour)
        const ref = gen.forType(v.root.type)
        // An anonymous root type has no definition yet: give it one.
        const name = `${prefix}${v.root.local}`
        defs.set(name, { ...ref, xml: { name: v.root.local, namespace: v.root.uri } })
        for (const [k, s] of gen.defs) defs.set(k, s)
        documents.set(`${v.version}\u0000${flavour}`, name)
        docRef.set(`${v.version}\u0000${flavour}`, { $ref: `${refBase}${name}` })
      }
    }
    for (const op of sources.operations.values()) {
      for (const side of ['request', 'answer'] as const) {
        const wrapper = side === 'request' ? op.request : op.response
        if (wrapper === undefined) continue
        const decl = serviceModel.elements.get(qkey(wrapper))
        if (decl === undefined) continue
        const flavour: Flavour = side === 'request' ? 'request' : 'answer'
        const gen = new SchemaGenerator(serviceMapping, { prefix: `ws${flavour === 'answer' ? '.answer' : ''}.`, refBase }, flavour)
        const shape = serviceMapping.shapeOf(decl.type)
        const schema = shape.kind === 'object' ? operationObject(shape, op, gen, flavour, docRef) : gen.forType(decl.type)
        for (const [k, s] of gen.defs) defs.set(k, s)
        const name = `${op.name}.${side}`
        defs.set(name, { ...schema, xml: { name: wrapper.local, namespace: wrapper.uri } })
        operations.set(`${op.name}\u0000${side}`, name)
      }
    }
    return { defs, documents, operations }
  }

  const operationObject = (shape: ObjectShape, op: OperationSpec, gen: SchemaGenerator, flavour: Flavour, docRef: Map<string, JsonSchema>): JsonSchema => {
    const properties: Record<string, JsonSchema> = {}
    const required: string[] = []
    for (const p of shape.content) {
      if (p.kind === 'any') continue
      let s: JsonSchema
      if (op.documentElements.includes(p.element.local)) {
        const alternatives = [...versions.keys()].map((v) => docRef.get(`${v}\u0000${flavour}`)!)
        s = alternatives.length === 1 ? alternatives[0]! : { oneOf: alternatives }
        s.description = `the interfaceNuu document, as JSON (sent as the ${p.element.local} attachment)`
      } else if (op.binaryElements.includes(p.element.local)) {
        s = { type: 'string', contentEncoding: 'base64' }
        if (p.element.expectedContentTypes[0] !== undefined) s.contentMediaType = p.element.expectedContentTypes[0]
      } else {
        s = { ...gen.forType(p.element.type), xml: { name: p.element.local } }
      }
      properties[p.name] = p.array ? { type: 'array', items: s } : s
      if (p.required && flavour === 'request') required.push(p.name)
    }
    const schema: JsonSchema = { type: 'object', properties }
    if (required.length > 0) schema.required = required
    schema.additionalProperties = false
    return schema
  }

  const local = generate('#/$defs/')
  /** A self-contained schema: the root's definition, with the definitions it reaches. */
  const standalone = (name: string, title: string, notes: readonly Unsupported[] = []): JsonSchema => {
    const picked = new Map<string, JsonSchema>()
    const queue = [name]
    while (queue.length > 0) {
      const next = queue.pop()!
      if (picked.has(next)) continue
      const def = local.defs.get(next)!
      picked.set(next, def)
      for (const m of JSON.stringify(def).matchAll(/"\$ref":"#\/\$defs\/([^"]+)"/g)) queue.push(m[1]!)
    }
    const schema: JsonSchema = { $schema: JSON_SCHEMA_DIALECT, $id: `urn:sne-gateway:contract:${name}`, title, ...local.defs.get(name)! }
    // The JSON side of a version says what of its XSD it does not carry.
    if (notes.length > 0) schema['x-unsupported'] = notes.map((u) => `${u.file}:${u.line}: ${u.construct}: ${u.message}`)
    schema.$defs = Object.fromEntries([...picked].filter(([k]) => k !== name).sort(([a], [b]) => a.localeCompare(b)))
    return schema
  }

  // Strict mode, but for strictRequired: a choice's oneOf branches require properties that their
  // parent object declares, which that rule (looking at the branch alone) would refuse.
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false })
  for (const keyword of EXTRA_KEYWORDS) ajv.addKeyword({ keyword })
  const validators = new Map<string, ValidateFunction>()
  for (const [key, name] of local.documents) {
    validators.set(key, ajv.compile(standalone(name, `interfaceNuu ${key.split('\u0000').join(', ')}`, versions.get(key.split('\u0000')[0]!)!.unsupported)))
  }

  const versionOf = (value: unknown): string | undefined => {
    if (typeof value !== 'object' || value === null) return undefined
    const v = (value as Record<string, unknown>)[VERSION_ATTRIBUTE]
    return typeof v === 'string' ? v : undefined
  }

  const contract: JsonContract = {
    versions,
    unsupported,
    documentSchema (version, flavour = 'request') {
      const name = local.documents.get(`${version}\u0000${flavour}`)
      if (name === undefined) throw new Error(`no interface version ${version}`)
      return standalone(name, `interfaceNuu ${version} (${flavour})`, versions.get(version)!.unsupported)
    },
    operationSchema (operation, side) {
      const name = local.operations.get(`${operation}\u0000${side}`)
      if (name === undefined) throw new Error(`no operation ${operation} ${side}`)
      return standalone(name, `${operation} ${side}`)
    },
    openapi (info = {}) {
      const published = generate('#/components/schemas/')
      return {
        openapi: '3.1.0',
        jsonSchemaDialect: JSON_SCHEMA_DIALECT,
        info: {
          title: info.title ?? 'SNE interface (DemandeLogementImplService) as JSON',
          version: info.version ?? [...versions.keys()].join(', '),
          description: 'Generated from the WSDL and XSD of the spec directory. Property names are the XSD local names; see docs/json-mapping.md.'
        },
        paths: {},
        components: { schemas: Object.fromEntries(published.defs) }
      }
    },
    validateDocument (value, flavour = 'request') {
      const version = versionOf(value)
      const v = version === undefined ? undefined : versions.get(version)
      if (v === undefined) {
        return [{
          code: version === undefined ? 'GW_SPEC_VERSION_MISSING' : 'GW_SPEC_VERSION_UNSUPPORTED',
          message: version === undefined ? `the document has no ${VERSION_ATTRIBUTE}` : `no schema for ${VERSION_ATTRIBUTE} ${JSON.stringify(version.slice(0, 16))}`,
          pointer: `/${VERSION_ATTRIBUTE}`,
          path: `/interfaceNuu/@${VERSION_ATTRIBUTE}`
        }]
      }
      const validate = validators.get(`${v.version}\u0000${flavour}`)!
      if (validate(value)) return []
      return violationsOf(validate.errors ?? [], v.mapping, v.root)
    },
    toJson (root, bytes, options) {
      const version = root.attributes.find((a) => a.local === VERSION_ATTRIBUTE && a.uri === '')?.value
      const v = version === undefined ? undefined : versions.get(version)
      if (v === undefined) throw new Error(version === undefined ? `the document has no ${VERSION_ATTRIBUTE}` : `no schema for ${VERSION_ATTRIBUTE} ${version}`)
      return { ...v.codec.treeToJson(root, bytes, options), version: v.version }
    },
    toXml (value, options = {}) {
      const version = options.version ?? versionOf(value)
      const v = version === undefined ? undefined : versions.get(version)
      if (v === undefined) throw new Error(version === undefined ? `the document has no ${VERSION_ATTRIBUTE}` : `no schema for ${VERSION_ATTRIBUTE} ${version}`)
      // A version named by the caller is written when the JSON does not carry it.
      const withVersion = options.version !== undefined && typeof value === 'object' && value !== null && versionOf(value) === undefined
        ? { [VERSION_ATTRIBUTE]: options.version, ...(value as Record<string, unknown>) }
        : value
      return v.codec.jsonToXml(withVersion, options)
    },
    versionOf
  }
  return contract
}

const contracts = new WeakMap<ContractSources, JsonContract>()
/**
 * The JSON contract of a loaded specification, built once (about a quarter of a second) however
 * many gateways, routes and pages use it.
 */
export function contractOf (sources: ContractSources): JsonContract {
  let contract = contracts.get(sources)
  if (contract === undefined) {
    contract = buildJsonContract(sources)
    contracts.set(sources, contract)
  }
  return contract
}
