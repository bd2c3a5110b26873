/**
 * The schema model: the XSD of `wsdl/` read once into plain objects (element and attribute
 * declarations, content models, simple types with their facets), independent of libxml2. The
 * JSON mapping, the JSON Schema and OpenAPI generators and the codec are all derived from it,
 * so that dropping an official XSD into `wsdl/` changes them with no code change.
 *
 * The reader is `soap/`'s hardened XML reader: a schema is parsed like any other document, with
 * line numbers kept for the reports. Constructs the model cannot represent are not errors of the
 * spec (libxml2 compiles and validates it on the SOAP side); they are listed in `unsupported`
 * with their file and line, and the JSON side says so.
 */
import { posix } from 'node:path'
import { parseXml } from '../soap/xml-reader.js'
import { attributeValue, lookupNamespaceUri } from '../soap/xml-tree.js'
import type { QName, XmlElement } from '../soap/types.js'
import { WSDL_NS, XSD_NS } from './schema-graph.js'
import { XMIME_NS, qkey } from './schema-index.js'

// The namespaces and the map key of the libxml2-based index, shared: one spelling of each.
export { WSDL_NS, XSD_NS, XMIME_NS, qkey }

/** Where a declaration stands, for reports. */
export interface SourceRef {
  file: string
  line: number
}

/** A construct of the XSD that the JSON side cannot represent. */
export interface Unsupported extends SourceRef {
  construct: string
  message: string
}

/** The value space a simple type's lexical values map to in JSON. */
export type JsonScalar = 'string' | 'boolean' | 'integer' | 'number'

export interface EnumValue {
  value: string
  /** the `xs:documentation` of the enumeration, when the XSD has one (the code list's label) */
  label?: string
}

export interface SimpleType {
  kind: 'simple'
  /** its global name, undefined for an anonymous type */
  name?: QName
  /** the XSD built-in the derivation chain ends at, e.g. `nonNegativeInteger`, `date`, `token` */
  builtin: string
  json: JsonScalar
  enumeration?: EnumValue[]
  /** one list per derivation step: a value must match one pattern of each step */
  patterns: string[][]
  length?: number
  minLength?: number
  maxLength?: number
  minInclusive?: string
  maxInclusive?: string
  minExclusive?: string
  maxExclusive?: string
  totalDigits?: number
  fractionDigits?: number
  whiteSpace: 'preserve' | 'replace' | 'collapse'
  source: SourceRef
}

export interface ElementDecl extends QName {
  min: number
  /** Infinity for unbounded */
  max: number
  type: TypeDef
  nillable: boolean
  fixed?: string
  default?: string
  /** `xmime:expectedContentTypes`, lower-cased media types */
  expectedContentTypes: string[]
  documentation?: string
  source: SourceRef
}

export interface AttributeDecl extends QName {
  type: SimpleType
  required: boolean
  fixed?: string
  default?: string
  source: SourceRef
}

export interface Wildcard {
  kind: 'any'
  min: number
  max: number
  /** `##any`, `##other`, `##local`, `##targetNamespace` or a list of URIs */
  namespace: string
  /** the target namespace of the schema that declared it (for `##other`) */
  tns: string
  processContents: string
  source: SourceRef
}

export type Particle =
  | { kind: 'element', element: ElementDecl }
  | { kind: 'sequence' | 'choice' | 'all', min: number, max: number, particles: Particle[], source: SourceRef }
  | Wildcard

export interface ComplexType {
  kind: 'complex'
  name?: QName
  attributes: AttributeDecl[]
  /** `xs:anyAttribute`: its namespace constraint, processContents and the declaring schema's target namespace */
  anyAttribute?: { namespace: string, processContents?: string, tns?: string }
  /** element content, undefined when the type is empty or has simple content */
  content?: Particle
  /** the type of its text, for simple content */
  simpleContent?: SimpleType
  mixed: boolean
  source: SourceRef
}

export type TypeDef = SimpleType | ComplexType

/** The global declarations of a set of schemas, built once and read by every generator. */
export interface SchemaModel {
  elements: Map<string, ElementDecl>
  types: Map<string, TypeDef>
  unsupported: Unsupported[]
}

interface SchemaDoc {
  el: XmlElement
  tns: string
  qualifiedElements: boolean
  qualifiedAttributes: boolean
  file: string
}

interface Component { el: XmlElement, schema: SchemaDoc }

const MAX_DEPTH = 64

function xs (el: XmlElement, local?: string): XmlElement[] {
  return el.children.filter((c) => c.uri === XSD_NS && (local === undefined || c.local === local))
}

function occurs (el: XmlElement, name: 'minOccurs' | 'maxOccurs'): number {
  const v = attributeValue(el, name)
  if (v === undefined) return 1
  return v.trim() === 'unbounded' ? Infinity : Number.parseInt(v, 10)
}

function resolveQName (el: XmlElement, value: string): QName {
  const v = value.trim()
  const colon = v.indexOf(':')
  const prefix = colon < 0 ? '' : v.slice(0, colon)
  return { uri: lookupNamespaceUri(el, prefix) ?? '', local: colon < 0 ? v : v.slice(colon + 1) }
}

function documentation (el: XmlElement): string | undefined {
  for (const a of xs(el, 'annotation')) {
    for (const d of xs(a, 'documentation')) {
      const text = d.text.trim()
      if (text !== '') return text
    }
  }
  return undefined
}

/** The families of XSD built-ins (derived built-ins fold into their primitive). */
const INTEGER_BUILTINS = new Set(['integer', 'nonNegativeInteger', 'positiveInteger', 'nonPositiveInteger', 'negativeInteger', 'long', 'int', 'short', 'byte', 'unsignedLong', 'unsignedInt', 'unsignedShort', 'unsignedByte'])
const STRING_BUILTINS = new Set(['string', 'normalizedString', 'token', 'language', 'Name', 'NCName', 'NMTOKEN', 'ID', 'IDREF', 'ENTITY', 'anyURI', 'QName', 'NOTATION', 'base64Binary', 'hexBinary', 'date', 'dateTime', 'time', 'duration', 'gYear', 'gYearMonth', 'gMonth', 'gMonthDay', 'gDay', 'anySimpleType'])
/** Bounds the derived integer built-ins carry by definition. */
const INTEGER_BOUNDS: Record<string, [string | undefined, string | undefined]> = {
  nonNegativeInteger: ['0', undefined],
  positiveInteger: ['1', undefined],
  nonPositiveInteger: [undefined, '0'],
  negativeInteger: [undefined, '-1'],
  long: ['-9223372036854775808', '9223372036854775807'],
  int: ['-2147483648', '2147483647'],
  short: ['-32768', '32767'],
  byte: ['-128', '127'],
  unsignedLong: ['0', '18446744073709551615'],
  unsignedInt: ['0', '4294967295'],
  unsignedShort: ['0', '65535'],
  unsignedByte: ['0', '255']
}

function builtinType (local: string, source: SourceRef): SimpleType {
  const json: JsonScalar = local === 'boolean'
    ? 'boolean'
    : INTEGER_BUILTINS.has(local) ? 'integer' : local === 'decimal' || local === 'float' || local === 'double' ? 'number' : 'string'
  const bounds = INTEGER_BOUNDS[local]
  const t: SimpleType = {
    kind: 'simple',
    name: { uri: XSD_NS, local },
    builtin: local,
    json,
    patterns: [],
    whiteSpace: local === 'string' || local === 'anySimpleType' ? 'preserve' : local === 'normalizedString' ? 'replace' : 'collapse',
    source
  }
  if (bounds?.[0] !== undefined) t.minInclusive = bounds[0]
  if (bounds?.[1] !== undefined) t.maxInclusive = bounds[1]
  return t
}

/**
 * Reads the schemas reachable from `entries` (WSDL or XSD paths of `files`) into a model.
 * `files` holds every spec file by its path relative to the spec directory.
 */
export function buildSchemaModel (files: ReadonlyMap<string, Buffer>, entries: readonly string[]): SchemaModel {
  const unsupported: Unsupported[] = []
  const schemas: SchemaDoc[] = []
  const seen = new Set<string>()
  const note = (schema: { file: string }, el: XmlElement, construct: string, message: string): void => {
    if (!unsupported.some((u) => u.file === schema.file && u.line === el.line && u.construct === construct)) {
      unsupported.push({ file: schema.file, line: el.line, construct, message })
    }
  }

  const addSchema = (file: string, el: XmlElement, chameleonTns?: string): void => {
    const tns = attributeValue(el, 'targetNamespace') ?? chameleonTns ?? ''
    const doc: SchemaDoc = {
      el,
      tns,
      qualifiedElements: attributeValue(el, 'elementFormDefault') === 'qualified',
      qualifiedAttributes: attributeValue(el, 'attributeFormDefault') === 'qualified',
      file
    }
    schemas.push(doc)
    for (const ref of [...xs(el, 'include'), ...xs(el, 'import'), ...xs(el, 'redefine')]) {
      if (ref.local === 'redefine') note(doc, ref, 'xs:redefine', 'xs:redefine is not mapped to JSON')
      const location = attributeValue(ref, 'schemaLocation')
      if (location === undefined) continue
      const target = posix.normalize(posix.join(posix.dirname(file), location))
      visit(target, ref.local === 'include' ? tns : undefined)
    }
  }

  const visit = (path: string, chameleonTns?: string): void => {
    const key = `${path}\u0000${chameleonTns ?? ''}`
    if (seen.has(key)) return
    seen.add(key)
    const bytes = files.get(path)
    // A missing file is the SOAP side's error (GW_SPEC_FILE_MISSING at load): skip it here.
    if (bytes === undefined) return
    const root = parseXml(bytes).root
    if (root.uri === WSDL_NS) {
      for (const types of root.children.filter((c) => c.uri === WSDL_NS && c.local === 'types')) {
        for (const schema of xs(types, 'schema')) addSchema(path, schema)
      }
      for (const imp of root.children.filter((c) => c.uri === WSDL_NS && c.local === 'import')) {
        const location = attributeValue(imp, 'location')
        if (location !== undefined && location.toLowerCase().endsWith('.xsd')) visit(posix.normalize(posix.join(posix.dirname(path), location)))
      }
    } else if (root.uri === XSD_NS && root.local === 'schema') {
      addSchema(path, root, chameleonTns)
    }
  }
  for (const entry of entries) visit(entry)

  // Global components, first declaration wins (a schema reachable along two paths).
  const globals = { element: new Map<string, Component>(), type: new Map<string, Component>(), group: new Map<string, Component>(), attributeGroup: new Map<string, Component>(), attribute: new Map<string, Component>() }
  for (const schema of schemas) {
    for (const child of xs(schema.el)) {
      const name = attributeValue(child, 'name')
      if (name === undefined) continue
      const key = qkey({ uri: schema.tns, local: name })
      const map = child.local === 'complexType' || child.local === 'simpleType'
        ? globals.type
        : (globals as Record<string, Map<string, Component> | undefined>)[child.local]
      if (map !== undefined && !map.has(key)) map.set(key, { el: child, schema })
    }
  }

  const types = new Map<string, TypeDef>()
  const elements = new Map<string, ElementDecl>()
  const src = (schema: SchemaDoc, el: XmlElement): SourceRef => ({ file: schema.file, line: el.line })

  const namedType = (q: QName, at: Component, depth: number): TypeDef => {
    const key = qkey(q)
    const done = types.get(key)
    if (done !== undefined) return done
    if (q.uri === XSD_NS) {
      if (q.local === 'anyType') {
        note(at.schema, at.el, 'xs:anyType', 'an element of type xs:anyType (any content) is not mapped to JSON')
        const t: ComplexType = { kind: 'complex', name: q, attributes: [], mixed: true, source: src(at.schema, at.el) }
        types.set(key, t)
        return t
      }
      if (!STRING_BUILTINS.has(q.local) && !INTEGER_BUILTINS.has(q.local) && !['boolean', 'decimal', 'float', 'double'].includes(q.local)) {
        note(at.schema, at.el, `xs:${q.local}`, `the built-in type xs:${q.local} is not known to the JSON mapping; mapped as a string`)
      }
      const t = builtinType(q.local, src(at.schema, at.el))
      types.set(key, t)
      return t
    }
    const global = globals.type.get(key)
    if (global === undefined) {
      note(at.schema, at.el, 'type reference', `the type ${q.local} (${q.uri}) is not declared in the schemas read`)
      const t = builtinType('string', src(at.schema, at.el))
      types.set(key, t)
      return t
    }
    return global.el.local === 'simpleType'
      ? simpleType(global, q, depth + 1)
      : complexType(global, q, depth + 1)
  }

  const simpleType = (c: Component, name: QName | undefined, depth: number): SimpleType => {
    const source = src(c.schema, c.el)
    if (depth > MAX_DEPTH) {
      note(c.schema, c.el, 'derivation depth', 'type derivation too deep')
      return builtinType('string', source)
    }
    const restriction = xs(c.el, 'restriction')[0]
    let t: SimpleType
    if (restriction === undefined) {
      const what = xs(c.el, 'list')[0] !== undefined ? 'xs:list' : xs(c.el, 'union')[0] !== undefined ? 'xs:union' : 'xs:simpleType'
      note(c.schema, c.el, what, `${what} is mapped to a JSON string with no facet`)
      t = { ...builtinType('string', source), builtin: 'string' }
    } else {
      const base = attributeValue(restriction, 'base')
      const inline = xs(restriction, 'simpleType')[0]
      const baseType = base !== undefined
        ? namedType(resolveQName(restriction, base), { el: restriction, schema: c.schema }, depth + 1)
        : inline !== undefined ? simpleType({ el: inline, schema: c.schema }, undefined, depth + 1) : builtinType('anySimpleType', source)
      if (baseType.kind !== 'simple') {
        note(c.schema, restriction, 'simple restriction of a complex type', 'a simple type restricting a complex type is not mapped')
        t = builtinType('string', source)
      } else {
        t = applyFacets(baseType, restriction, c.schema)
      }
    }
    t.source = source
    if (name !== undefined) {
      t.name = name
      types.set(qkey(name), t)
    } else {
      delete t.name
    }
    return t
  }

  const applyFacets = (base: SimpleType, restriction: XmlElement, schema: SchemaDoc): SimpleType => {
    const t: SimpleType = { ...base, patterns: [...base.patterns] }
    delete t.name
    const enumeration: EnumValue[] = []
    const patterns: string[] = []
    for (const f of xs(restriction)) {
      const value = attributeValue(f, 'value')
      if (value === undefined) continue
      switch (f.local) {
        case 'enumeration': {
          const label = documentation(f)
          enumeration.push(label === undefined ? { value } : { value, label })
          break
        }
        case 'pattern': patterns.push(value); break
        case 'length': t.length = Number(value); break
        case 'minLength': t.minLength = Number(value); break
        case 'maxLength': t.maxLength = Number(value); break
        case 'minInclusive': t.minInclusive = value.trim(); break
        case 'maxInclusive': t.maxInclusive = value.trim(); break
        case 'minExclusive': t.minExclusive = value.trim(); break
        case 'maxExclusive': t.maxExclusive = value.trim(); break
        case 'totalDigits': t.totalDigits = Number(value); break
        case 'fractionDigits': t.fractionDigits = Number(value); break
        case 'whiteSpace': t.whiteSpace = value.trim() as SimpleType['whiteSpace']; break
        case 'annotation': case 'simpleType': break
        default: note(schema, f, `xs:${f.local}`, `the facet xs:${f.local} is not mapped to JSON Schema`)
      }
    }
    if (enumeration.length > 0) t.enumeration = enumeration
    if (patterns.length > 0) t.patterns.push(patterns)
    return t
  }

  const attributesOf = (holder: XmlElement, schema: SchemaDoc, out: ComplexType, depth: number): void => {
    if (depth > MAX_DEPTH) return
    for (const a of xs(holder)) {
      if (a.local === 'attribute') {
        const decl = attribute(a, schema, depth + 1)
        if (decl !== undefined) {
          const i = out.attributes.findIndex((x) => x.local === decl.local && x.uri === decl.uri)
          if (i >= 0) out.attributes[i] = decl
          else out.attributes.push(decl)
        }
      } else if (a.local === 'attributeGroup') {
        const ref = attributeValue(a, 'ref')
        const g = ref === undefined ? undefined : globals.attributeGroup.get(qkey(resolveQName(a, ref)))
        if (g !== undefined) attributesOf(g.el, g.schema, out, depth + 1)
      } else if (a.local === 'anyAttribute') {
        out.anyAttribute = { namespace: attributeValue(a, 'namespace') ?? '##any', processContents: attributeValue(a, 'processContents') ?? 'strict', tns: schema.tns }
      }
    }
  }

  const attribute = (a: XmlElement, schema: SchemaDoc, depth: number): AttributeDecl | undefined => {
    const use = attributeValue(a, 'use')
    if (use === 'prohibited') return undefined
    const ref = attributeValue(a, 'ref')
    let decl: XmlElement = a
    let declSchema = schema
    let q: QName
    if (ref !== undefined) {
      q = resolveQName(a, ref)
      const global = globals.attribute.get(qkey(q))
      if (global === undefined) {
        note(schema, a, 'attribute reference', `the attribute ${q.local} is not declared in the schemas read`)
        return undefined
      }
      decl = global.el
      declSchema = global.schema
    } else {
      const form = attributeValue(a, 'form')
      const qualified = form === undefined ? schema.qualifiedAttributes : form === 'qualified'
      q = { uri: qualified ? schema.tns : '', local: attributeValue(a, 'name') ?? '' }
    }
    const typeName = attributeValue(decl, 'type')
    const inline = xs(decl, 'simpleType')[0]
    const t = typeName !== undefined
      ? namedType(resolveQName(decl, typeName), { el: decl, schema: declSchema }, depth + 1)
      : inline !== undefined ? simpleType({ el: inline, schema: declSchema }, undefined, depth + 1) : builtinType('anySimpleType', src(declSchema, decl))
    const type = t.kind === 'simple' ? t : builtinType('string', src(declSchema, decl))
    const out: AttributeDecl = { ...q, type, required: use === 'required', source: src(schema, a) }
    const fixed = attributeValue(a, 'fixed') ?? attributeValue(decl, 'fixed')
    const dflt = attributeValue(a, 'default') ?? attributeValue(decl, 'default')
    if (fixed !== undefined) out.fixed = fixed
    if (dflt !== undefined) out.default = dflt
    return out
  }

  const particle = (p: XmlElement, schema: SchemaDoc, depth: number): Particle | undefined => {
    if (depth > MAX_DEPTH) {
      note(schema, p, 'nesting depth', 'content model nested too deep')
      return undefined
    }
    switch (p.local) {
      case 'element': return { kind: 'element', element: element(p, schema, depth + 1) }
      case 'sequence': case 'choice': case 'all': {
        const particles: Particle[] = []
        for (const c of xs(p)) {
          if (c.local === 'annotation') continue
          const sub = particle(c, schema, depth + 1)
          if (sub !== undefined) particles.push(sub)
        }
        return { kind: p.local, min: occurs(p, 'minOccurs'), max: occurs(p, 'maxOccurs'), particles, source: src(schema, p) }
      }
      case 'group': {
        const ref = attributeValue(p, 'ref')
        const g = ref === undefined ? undefined : globals.group.get(qkey(resolveQName(p, ref)))
        const body = g === undefined ? undefined : xs(g.el).find((c) => c.local === 'sequence' || c.local === 'choice' || c.local === 'all')
        if (g === undefined || body === undefined) {
          note(schema, p, 'xs:group', 'a group reference that cannot be resolved')
          return undefined
        }
        const inner = particle(body, g.schema, depth + 1)
        if (inner === undefined || inner.kind === 'element' || inner.kind === 'any') return inner
        return { ...inner, min: occurs(p, 'minOccurs') * inner.min, max: occurs(p, 'maxOccurs') * inner.max }
      }
      case 'any':
        return {
          kind: 'any',
          min: occurs(p, 'minOccurs'),
          max: occurs(p, 'maxOccurs'),
          namespace: attributeValue(p, 'namespace') ?? '##any',
          tns: schema.tns,
          processContents: attributeValue(p, 'processContents') ?? 'strict',
          source: src(schema, p)
        }
      default:
        return undefined
    }
  }

  const complexType = (c: Component, name: QName | undefined, depth: number): ComplexType => {
    const t: ComplexType = { kind: 'complex', attributes: [], mixed: attributeValue(c.el, 'mixed') === 'true', source: src(c.schema, c.el) }
    if (name !== undefined) {
      t.name = name
      types.set(qkey(name), t) // before the content: recursive types refer to themselves
    }
    if (depth > MAX_DEPTH) return t
    if (t.mixed) note(c.schema, c.el, 'mixed content', 'mixed content (text between elements) is not mapped to JSON')
    for (const child of xs(c.el)) {
      if (child.local === 'sequence' || child.local === 'choice' || child.local === 'all' || child.local === 'group') {
        t.content = particle(child, c.schema, depth + 1)
      } else if (child.local === 'simpleContent' || child.local === 'complexContent') {
        if (child.local === 'complexContent' && attributeValue(child, 'mixed') === 'true') {
          t.mixed = true
          note(c.schema, child, 'mixed content', 'mixed content (text between elements) is not mapped to JSON')
        }
        const d = xs(child).find((x) => x.local === 'extension' || x.local === 'restriction')
        if (d === undefined) continue
        const baseName = attributeValue(d, 'base')
        const base = baseName === undefined ? undefined : namedType(resolveQName(d, baseName), { el: d, schema: c.schema }, depth + 1)
        if (child.local === 'simpleContent') {
          if (base?.kind === 'simple') t.simpleContent = d.local === 'restriction' ? applyFacets(base, d, c.schema) : base
          else if (base?.kind === 'complex') {
            t.simpleContent = base.simpleContent === undefined ? builtinType('string', t.source) : (d.local === 'restriction' ? applyFacets(base.simpleContent, d, c.schema) : base.simpleContent)
            if (d.local === 'extension') t.attributes.push(...base.attributes)
          }
        } else {
          const own = xs(d).find((x) => x.local === 'sequence' || x.local === 'choice' || x.local === 'all' || x.local === 'group')
          const ownParticle = own === undefined ? undefined : particle(own, c.schema, depth + 1)
          if (d.local === 'extension' && base?.kind === 'complex') {
            t.attributes.push(...base.attributes)
            if (base.anyAttribute !== undefined) t.anyAttribute = base.anyAttribute
            // An extension's content is the base's, then its own, as one sequence.
            t.content = base.content === undefined
              ? ownParticle
              : ownParticle === undefined ? base.content : { kind: 'sequence', min: 1, max: 1, particles: [base.content, ownParticle], source: src(c.schema, d) }
          } else {
            t.content = ownParticle
          }
        }
        attributesOf(d, c.schema, t, depth + 1)
      }
    }
    attributesOf(c.el, c.schema, t, depth + 1)
    return t
  }

  const element = (e: XmlElement, schema: SchemaDoc, depth: number): ElementDecl => {
    const ref = attributeValue(e, 'ref')
    if (ref !== undefined) {
      const q = resolveQName(e, ref)
      const global = globals.element.get(qkey(q))
      if (global === undefined) {
        note(schema, e, 'element reference', `the element ${q.local} is not declared in the schemas read`)
        return { ...q, min: occurs(e, 'minOccurs'), max: occurs(e, 'maxOccurs'), type: builtinType('string', src(schema, e)), nillable: false, expectedContentTypes: [], source: src(schema, e) }
      }
      const decl = globalElement(global, depth + 1)
      return { ...decl, min: occurs(e, 'minOccurs'), max: occurs(e, 'maxOccurs') }
    }
    const isGlobal = e.parent === schema.el
    const form = attributeValue(e, 'form')
    const qualified = isGlobal || (form === undefined ? schema.qualifiedElements : form === 'qualified')
    const q = { uri: qualified ? schema.tns : '', local: attributeValue(e, 'name') ?? '' }
    const typeName = attributeValue(e, 'type')
    const inline = xs(e).find((c) => c.local === 'complexType' || c.local === 'simpleType')
    const type: TypeDef = typeName !== undefined
      ? namedType(resolveQName(e, typeName), { el: e, schema }, depth + 1)
      : inline === undefined
        ? namedType({ uri: XSD_NS, local: 'anyType' }, { el: e, schema }, depth + 1)
        : inline.local === 'simpleType' ? simpleType({ el: inline, schema }, undefined, depth + 1) : complexType({ el: inline, schema }, undefined, depth + 1)
    // xmime:expectedContentTypes on the declaration, else on its type (where JAXB reads it)
    const expectedOf = (el: XmlElement | undefined): string | undefined => el?.attributes.find((a) => a.uri === XMIME_NS && a.local === 'expectedContentTypes')?.value
    const expected = expectedOf(e) ?? expectedOf(typeName !== undefined ? globals.type.get(qkey(resolveQName(e, typeName)))?.el : inline)
    const decl: ElementDecl = {
      ...q,
      min: isGlobal ? 1 : occurs(e, 'minOccurs'),
      max: isGlobal ? 1 : occurs(e, 'maxOccurs'),
      type,
      nillable: attributeValue(e, 'nillable') === 'true',
      expectedContentTypes: expected === undefined ? [] : expected.split(',').map((s) => s.trim().toLowerCase().split(';')[0]!.trim()).filter((s) => s !== ''),
      source: src(schema, e)
    }
    if (decl.nillable) note(schema, e, 'nillable', 'xsi:nil is not mapped to JSON (a nil element cannot be written from JSON)')
    const fixed = attributeValue(e, 'fixed')
    const dflt = attributeValue(e, 'default')
    if (fixed !== undefined) decl.fixed = fixed
    if (dflt !== undefined) decl.default = dflt
    const doc = documentation(e)
    if (doc !== undefined) decl.documentation = doc
    if (attributeValue(e, 'substitutionGroup') !== undefined || attributeValue(e, 'abstract') === 'true') {
      note(schema, e, 'substitution group', 'substitution groups are not mapped to JSON')
    }
    return decl
  }

  const globalDone = new Map<XmlElement, ElementDecl>()
  const globalElement = (c: Component, depth: number): ElementDecl => {
    const done = globalDone.get(c.el)
    if (done !== undefined) return done
    const decl = element(c.el, c.schema, depth)
    globalDone.set(c.el, decl)
    return decl
  }

  for (const [key, c] of globals.element) elements.set(key, globalElement(c, 0))
  for (const [key, c] of globals.type) {
    if (!types.has(key)) {
      const name = { uri: c.schema.tns, local: attributeValue(c.el, 'name')! }
      if (c.el.local === 'simpleType') simpleType(c, name, 0)
      else complexType(c, name, 0)
    }
  }
  return { elements, types, unsupported }
}
