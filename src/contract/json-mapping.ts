/**
 * The JSON mapping of the schema model (docs/json-mapping.md): which JSON shape each element
 * takes. Computed once per type and shared by the JSON Schema generator and both directions of
 * the codec, so that the schema and the conversion can never disagree.
 *
 * - an element of simple type is a JSON scalar (string, boolean, integer or number by its type);
 * - an element whose type is empty but for one required attribute is that attribute's value
 *   (`<civilite code="2"/>` is `"2"`);
 * - any other element of complex type is an object: one property per attribute and per child
 *   element (XSD local names verbatim, in schema order), `_value` for simple content, `_any` for
 *   the elements a wildcard admits; a child that may occur more than once is always an array.
 */
import { qkey, type AttributeDecl, type ComplexType, type ElementDecl, type Particle, type SchemaModel, type SimpleType, type TypeDef, type Unsupported, type Wildcard } from './schema-model.js'

/** The property that holds wildcard content: serialized elements in document order. */
export const ANY_PROPERTY = '_any'
/** The property that holds the text of an element with simple content and attributes. */
export const VALUE_PROPERTY = '_value'

export type Shape = ScalarShape | CodeShape | ObjectShape

export interface ScalarShape {
  kind: 'scalar'
  type: SimpleType
}

export interface CodeShape {
  kind: 'code'
  attribute: AttributeDecl
}

export interface ElementProperty {
  kind: 'element'
  /** its place in `ObjectShape.content` (schema order) */
  index: number
  /** the JSON property name: the element's local name */
  name: string
  element: ElementDecl
  array: boolean
  /** required in the object (outside any choice) */
  required: boolean
  minItems: number
  maxItems: number
  /** the index of the choice (in `ObjectShape.choices`) and branch it belongs to, if any */
  choice?: { index: number, branch: number }
  /** resolved after construction: recursive types share shapes */
  shape: Shape
}

export interface AttributeProperty {
  kind: 'attribute'
  name: string
  attribute: AttributeDecl
}

export interface WildcardProperty {
  kind: 'any'
  index: number
  name: typeof ANY_PROPERTY
  wildcards: Wildcard[]
}

export interface ChoiceGroup {
  /** property names of each branch */
  branches: string[][]
  /** names each branch requires */
  required: string[][]
  optional: boolean
}

export interface ObjectShape {
  kind: 'object'
  type: ComplexType
  attributes: AttributeProperty[]
  /** the element and wildcard properties in schema (writing) order */
  content: Array<ElementProperty | WildcardProperty>
  /** element properties by local name (a list: two namespaces may share one) */
  byLocal: Map<string, ElementProperty>
  wildcard: WildcardProperty | undefined
  choices: ChoiceGroup[]
  /** simple content, written as `_value` */
  value: SimpleType | undefined
  /** every property name of the object (attributes, `_value`, elements, `_any`) */
  names: Set<string>
}

/** Computes shapes on demand, once per type, and records what cannot be mapped. */
export class JsonMapping {
  readonly model: SchemaModel
  readonly unsupported: Unsupported[]
  readonly #shapes = new Map<TypeDef, Shape>()

  constructor (model: SchemaModel) {
    this.model = model
    this.unsupported = model.unsupported
  }

  #note (where: { file: string, line: number }, construct: string, message: string): void {
    if (!this.unsupported.some((u) => u.file === where.file && u.line === where.line && u.construct === construct)) {
      this.unsupported.push({ file: where.file, line: where.line, construct, message })
    }
  }

  /** The shape of elements of type `type`. */
  shapeOf (type: TypeDef): Shape {
    const done = this.#shapes.get(type)
    if (done !== undefined) return done
    if (type.kind === 'simple') {
      const s: ScalarShape = { kind: 'scalar', type }
      this.#shapes.set(type, s)
      return s
    }
    const only = type.attributes[0]
    if (type.content === undefined && type.simpleContent === undefined && type.attributes.length === 1 &&
        only !== undefined && only.required && type.anyAttribute === undefined && !type.mixed) {
      const s: CodeShape = { kind: 'code', attribute: only }
      this.#shapes.set(type, s)
      return s
    }
    const s: ObjectShape = { kind: 'object', type, attributes: [], content: [], byLocal: new Map(), wildcard: undefined, choices: [], value: type.simpleContent, names: new Set() }
    this.#shapes.set(type, s) // before the children: a recursive type finds itself
    if (type.content !== undefined) this.#flatten(s, type.content, { min: 1, max: 1, choice: undefined })
    const taken = new Set<string>(s.content.map((p) => p.name))
    if (s.value !== undefined) taken.add('_value')
    for (const a of type.attributes) {
      let name = a.local
      if (taken.has(name)) {
        // An attribute that shares its name with a child element (or another attribute) is
        // written with a leading '@'; the generator checks that this is unique too.
        name = `@${a.local}`
        if (taken.has(name)) this.#note(a.source, 'attribute name', `two attributes named ${a.local} in one type`)
      }
      taken.add(name)
      s.attributes.push({ kind: 'attribute', name, attribute: a })
    }
    for (const name of taken) s.names.add(name)
    if (type.anyAttribute !== undefined && type.anyAttribute.namespace !== 'http://www.w3.org/2005/05/xmlmime') {
      this.#note(type.source, 'xs:anyAttribute', 'attributes admitted by xs:anyAttribute are not mapped to JSON (dropped on conversion)')
    }
    return s
  }

  #flatten (s: ObjectShape, p: Particle, ctx: { min: number, max: number, choice: { index: number, branch: number } | undefined }): void {
    if (p.kind === 'element') {
      const e = p.element
      const max = e.max * ctx.max
      const min = e.min * ctx.min
      const existing = s.byLocal.get(e.local)
      if (existing !== undefined) {
        this.#note(e.source, existing.element.uri === e.uri ? 'repeated element name' : 'element names in two namespaces',
          `${e.local} occurs twice in the content model of one type: their relative order is not kept in JSON`)
        existing.array = true
        existing.maxItems = Infinity
        return
      }
      const prop: ElementProperty = {
        kind: 'element',
        index: s.content.length,
        name: e.local,
        element: e,
        array: max > 1,
        required: min >= 1 && ctx.choice === undefined,
        minItems: ctx.choice === undefined ? min : e.min,
        maxItems: max,
        shape: { kind: 'scalar', type: { kind: 'simple', builtin: 'string', json: 'string', patterns: [], whiteSpace: 'preserve', source: e.source } }
      }
      if (ctx.choice !== undefined) prop.choice = ctx.choice
      if (e.local === ANY_PROPERTY) this.#note(e.source, 'element name', `an element named ${ANY_PROPERTY} collides with the wildcard property`)
      s.byLocal.set(e.local, prop)
      s.content.push(prop)
      prop.shape = this.shapeOf(e.type)
      return
    }
    if (p.kind === 'any') {
      if (s.wildcard === undefined) {
        s.wildcard = { kind: 'any', index: s.content.length, name: ANY_PROPERTY, wildcards: [p] }
        s.content.push(s.wildcard)
      } else {
        s.wildcard.wildcards.push(p)
        this.#note(p.source, 'several wildcards', 'a type with several xs:any: their content is written at the place of the first')
      }
      return
    }
    const min = ctx.min * p.min
    const max = ctx.max * p.max
    if (p.max > 1 && p.particles.length > 1) {
      this.#note(p.source, `repeated xs:${p.kind}`, `a repeated xs:${p.kind} of several particles: the interleaving of its children is not kept in JSON`)
    }
    if (p.kind === 'choice') {
      if (ctx.choice !== undefined) {
        this.#note(p.source, 'nested xs:choice', 'a choice inside a choice: mapped as optional properties without exclusivity')
        for (const sub of p.particles) this.#flatten(s, sub, { min: 0, max, choice: ctx.choice })
        return
      }
      const index = s.choices.length
      const group: ChoiceGroup = { branches: [], required: [], optional: min === 0 || p.particles.length === 0 }
      s.choices.push(group)
      for (const [branch, sub] of p.particles.entries()) {
        const before = s.content.length
        this.#flatten(s, sub, { min: p.min === 0 ? 0 : 1, max, choice: { index, branch } })
        const added = s.content.slice(before).filter((x): x is ElementProperty => x.kind === 'element')
        group.branches.push(added.map((x) => x.name))
        group.required.push(added.filter((x) => x.minItems >= 1).map((x) => x.name))
        if (added.every((x) => x.minItems === 0)) group.optional = true
      }
      return
    }
    for (const sub of p.particles) this.#flatten(s, sub, { min, max, choice: ctx.choice })
  }

  /** The shape of a global element. */
  elementShape (decl: ElementDecl): Shape {
    return this.shapeOf(decl.type)
  }

  /** Walks every shape reachable from `root`, once each. */
  * reachable (root: Shape): Generator<Shape> {
    const seen = new Set<Shape>()
    const stack = [root]
    while (stack.length > 0) {
      const s = stack.pop()!
      if (seen.has(s)) continue
      seen.add(s)
      yield s
      if (s.kind === 'object') {
        for (const p of s.content) if (p.kind === 'element') stack.push(p.shape)
      }
    }
  }
}

/** The global element a document root must be, by its key. */
export function findElement (model: SchemaModel, uri: string, local: string): ElementDecl | undefined {
  return model.elements.get(qkey({ uri, local }))
}
