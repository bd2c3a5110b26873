/**
 * JSON Schema 2020-12 from the JSON mapping: one definition per named XSD type, properties in
 * schema order, arrays exactly where an element may repeat, `enum` with the code lists' labels,
 * `oneOf` for `xs:choice`, anchored patterns, and the OpenAPI XML Object on every property so
 * that the mapping is visible in the published contract.
 *
 * Two flavours: `request` follows the XSD strictly; `answer` is tolerant where our model of the
 * SNE is a guess (no `required`, no choice constraint, unknown elements kept in `_any` on every
 * object), because read-backs omit fields a guichet must send and the real SNE may add others.
 */
import { anchoredPattern, XsdRegexError } from './xsd-regex.js'
import { ANY_PROPERTY, VALUE_PROPERTY, type JsonMapping, type ObjectShape, type Shape } from './json-mapping.js'
import { XSD_NS, type AttributeDecl, type SimpleType, type TypeDef } from './schema-model.js'

export type Flavour = 'request' | 'answer'
export type JsonSchema = Record<string, unknown>

/** The keywords the generated schemas add to JSON Schema: registered with ajv (strict mode). */
export const EXTRA_KEYWORDS = ['xml', 'x-enumLabels', 'x-xmlAttribute', 'x-unsupported'] as const

/** Lexical forms of the XSD date and time types: offsets kept, never converted. */
const OFFSET = '(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))?'
const YEAR = '-?(?:[1-9][0-9]{4,}|[0-9]{4})'
const DATE = `${YEAR}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])`
const TIME = '(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]+)?|24:00:00(?:\\.0+)?)'
export const LEXICAL_PATTERNS: Readonly<Record<string, string>> = {
  date: `^${DATE}${OFFSET}$`,
  dateTime: `^${DATE}T${TIME}${OFFSET}$`,
  time: `^${TIME}${OFFSET}$`,
  gYear: `^${YEAR}${OFFSET}$`,
  gYearMonth: `^${YEAR}-(?:0[1-9]|1[0-2])${OFFSET}$`,
  gMonth: `^--(?:0[1-9]|1[0-2])${OFFSET}$`,
  gMonthDay: `^--(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])${OFFSET}$`,
  gDay: `^---(?:0[1-9]|[12][0-9]|3[01])${OFFSET}$`,
  duration: '^-?P(?=[0-9T])(?:[0-9]+Y)?(?:[0-9]+M)?(?:[0-9]+D)?(?:T(?=[0-9])(?:[0-9]+H)?(?:[0-9]+M)?(?:[0-9]+(?:\\.[0-9]+)?S)?)?$',
  base64Binary: '^(?:[A-Za-z0-9+/] ?){0,}(?:(?:[A-Za-z0-9+/] ?){4}|[A-Za-z0-9+/] ?[A-Za-z0-9+/] ?[AEIMQUYcgkosw048] ?= ?|[A-Za-z0-9+/] ?[AQgw] ?= ?= ?)?$',
  hexBinary: '^(?:[0-9a-fA-F]{2})*$'
}

/** Names the definitions of one schema set: `prefix` + the XSD type's local name. */
export interface DefNamer {
  prefix: string
  /** where definitions live: `#/$defs/` in a JSON Schema, `#/components/schemas/` in OpenAPI */
  refBase: string
}

/** Generates schemas for the shapes of one mapping, collecting the definitions it refers to. */
export class SchemaGenerator {
  readonly defs = new Map<string, JsonSchema>()
  readonly #mapping: JsonMapping
  readonly #namer: DefNamer
  readonly #flavour: Flavour
  readonly #pending = new Set<string>()

  constructor (mapping: JsonMapping, namer: DefNamer, flavour: Flavour) {
    this.#mapping = mapping
    this.#namer = namer
    this.#flavour = flavour
  }

  #defName (type: TypeDef): string | undefined {
    if (type.name === undefined || type.name.uri === XSD_NS) return undefined
    return `${this.#namer.prefix}${type.name.local}`
  }

  /** The schema of an element of type `type`: a `$ref` to its definition when the type is named. */
  forType (type: TypeDef): JsonSchema {
    const name = this.#defName(type)
    if (name === undefined) return this.#inline(this.#mapping.shapeOf(type))
    if (!this.defs.has(name) && !this.#pending.has(name)) {
      this.#pending.add(name)
      const schema = this.#inline(this.#mapping.shapeOf(type))
      this.#pending.delete(name)
      this.defs.set(name, schema)
    }
    return { $ref: `${this.#namer.refBase}${name}` }
  }

  #inline (shape: Shape): JsonSchema {
    switch (shape.kind) {
      case 'scalar': return scalarSchema(shape.type)
      case 'code': return { ...scalarSchema(shape.attribute.type), 'x-xmlAttribute': shape.attribute.local }
      case 'object': return this.#object(shape)
    }
  }

  #object (shape: ObjectShape): JsonSchema {
    const tolerant = this.#flavour === 'answer'
    const properties: Record<string, JsonSchema> = {}
    const required: string[] = []
    for (const a of shape.attributes) {
      properties[a.name] = { ...attributeSchema(a.attribute), xml: xmlObject(a.attribute.local, a.attribute.uri, true) }
      if (a.attribute.required && !tolerant) required.push(a.name)
    }
    if (shape.value !== undefined) {
      properties[VALUE_PROPERTY] = { ...scalarSchema(shape.value), xml: { 'x-text': true } }
      if (!tolerant) required.push(VALUE_PROPERTY)
    }
    for (const p of shape.content) {
      if (p.kind === 'any') {
        properties[ANY_PROPERTY] = anySchema()
        continue
      }
      const item: JsonSchema = { ...this.forType(p.element.type), xml: xmlObject(p.element.local, p.element.uri, false) }
      if (p.element.documentation !== undefined) item.description = p.element.documentation
      if (p.array) {
        const arr: JsonSchema = { type: 'array', items: item }
        if (!tolerant && p.minItems > 0) arr.minItems = p.minItems
        if (Number.isFinite(p.maxItems)) arr.maxItems = p.maxItems
        properties[p.name] = arr
      } else {
        properties[p.name] = item
      }
      if (p.required && !tolerant) required.push(p.name)
    }
    if (tolerant && properties[ANY_PROPERTY] === undefined) properties[ANY_PROPERTY] = anySchema()
    const schema: JsonSchema = { type: 'object', properties }
    if (required.length > 0) schema.required = required
    schema.additionalProperties = false
    if (!tolerant && shape.choices.length > 0) {
      const constraints = shape.choices.map((group) => {
        const all = group.branches.flat()
        const needsNot = group.branches.some((b, i) => b.length > group.required[i]!.length)
        const branches: JsonSchema[] = group.branches.map((names, i) => {
          const others = all.filter((n) => !names.includes(n))
          const b: JsonSchema = { required: group.required[i] }
          if (needsNot && others.length > 0) b.not = { anyOf: others.map((n) => ({ required: [n] })) }
          return b
        })
        if (group.optional) branches.push({ not: { anyOf: all.map((n) => ({ required: [n] })) } })
        return { oneOf: branches }
      })
      if (constraints.length === 1) Object.assign(schema, constraints[0])
      else schema.allOf = constraints
    }
    return schema
  }
}

function xmlObject (local: string, uri: string, attribute: boolean): JsonSchema {
  const xml: JsonSchema = { name: local }
  if (uri !== '') xml.namespace = uri
  if (attribute) xml.attribute = true
  return xml
}

function anySchema (): JsonSchema {
  return {
    type: 'array',
    description: 'elements admitted by an xs:any wildcard (or, in answers, not in the model), each serialized with its namespace declarations, in document order',
    items: { type: 'string', contentMediaType: 'application/xml' }
  }
}

function attributeSchema (a: AttributeDecl): JsonSchema {
  const s = scalarSchema(a.type)
  if (a.fixed !== undefined) s.const = typedValue(a.type, a.fixed)
  if (a.default !== undefined) s.default = typedValue(a.type, a.default)
  return s
}

function typedValue (t: SimpleType, lexical: string): string | number | boolean {
  const v = lexical.trim()
  switch (t.json) {
    case 'boolean': return v === 'true' || v === '1'
    case 'integer': case 'number': return Number(v)
    default: return t.whiteSpace === 'collapse' ? v : lexical
  }
}

/** The JSON Schema of a value of simple type `t`. */
export function scalarSchema (t: SimpleType): JsonSchema {
  const s: JsonSchema = { type: t.json }
  if (t.enumeration !== undefined) {
    s.enum = t.enumeration.map((e) => typedValue(t, e.value))
    const labels = t.enumeration.filter((e) => e.label !== undefined)
    if (labels.length > 0) s['x-enumLabels'] = Object.fromEntries(labels.map((e) => [e.value, e.label]))
  }
  if (t.json === 'string') {
    const patterns: string[] = []
    const lexical = LEXICAL_PATTERNS[t.builtin]
    if (lexical !== undefined) patterns.push(lexical)
    for (const step of t.patterns) {
      try {
        patterns.push(anchoredPattern(step))
      } catch (err) {
        if (!(err instanceof XsdRegexError)) throw err
        s['x-unsupported'] = `pattern ${JSON.stringify(step)}: ${err.message}`
      }
    }
    if (patterns.length === 1) s.pattern = patterns[0]
    else if (patterns.length > 1) s.allOf = patterns.map((p) => ({ pattern: p }))
    if (t.length !== undefined) {
      s.minLength = t.length
      s.maxLength = t.length
    }
    if (t.minLength !== undefined) s.minLength = t.minLength
    if (t.maxLength !== undefined) s.maxLength = t.maxLength
  } else if (t.json === 'integer' || t.json === 'number') {
    if (t.minInclusive !== undefined) s.minimum = Number(t.minInclusive)
    if (t.maxInclusive !== undefined) s.maximum = Number(t.maxInclusive)
    if (t.minExclusive !== undefined) s.exclusiveMinimum = Number(t.minExclusive)
    if (t.maxExclusive !== undefined) s.exclusiveMaximum = Number(t.maxExclusive)
    if (t.fractionDigits === 0 && t.json === 'number') s.multipleOf = 1
  }
  return s
}
