/**
 * The JSON codec compiled once per object shape of the JSON mapping, when the contract is built:
 * the same conversions and refusals as the generic walk of json-codec.ts (which stays the
 * reference: test/contract/json-codec-differential.test.ts runs both), without interpreting the
 * shapes for every element.
 *
 * Per object shape, one reader (tree → JSON) and one writer (JSON → XML) are generated as
 * JavaScript source and compiled with `new Function`: property names are string constants (named
 * property accesses rather than keyed ones, which V8 served through its megamorphic stubs), the
 * object is built in schema order, arrays only where the schema repeats, and each scalar's
 * conversion is picked here rather than switched on per value. The source is made of the schema's
 * names only, each written as a JSON string literal; nothing of a message is ever compiled.
 *
 * One difference of output, by design: the compiled reader always writes an object's attributes in
 * schema order, where the generic walk keeps their document order unless the children break the
 * schema's order (JSON objects compare equal either way; both orders are valid JSON of the schema).
 *
 * What it does not compile (a shape whose property names collide: two attributes of one name, an
 * element named `_any` or `_value`, all reported by the mapping as unsupported) leaves the whole
 * version on the generic codec: `compiled` is then false.
 */
import {
  XMLNS_ATTR, XSI_NS, ReadFault, WriteFault, admits, at, checkAttributes, escAttr, escText, fragmentOf, genericJsonToXml,
  genericTreeToJson, isObject, readBoolean, readDocument, readInteger, readNumber, readString, tagOf, writeBoolean,
  writeDocument, writeFragments, writeInteger, writeNumber, writeString,
  type JsonToXmlOptions, type Loc, type ReadContext, type Tag, type TreeToJsonOptions, type TreeToJsonResult, type WriteContext
} from './json-codec.js'
import { ANY_PROPERTY, VALUE_PROPERTY, type JsonMapping, type ObjectShape, type Shape } from './json-mapping.js'
import type { AttributeDecl, ElementDecl, SimpleType } from './schema-model.js'
import type { XmlElement } from '../soap/types.js'

/** The codec of one document type (an interfaceNuu version's root). */
export interface JsonCodec {
  /** false when the shapes could not be compiled and the generic codec runs instead */
  readonly compiled: boolean
  treeToJson: (root: XmlElement, bytes: Buffer, options?: TreeToJsonOptions) => TreeToJsonResult
  jsonToXml: (value: unknown, options?: JsonToXmlOptions) => string
}

type ScalarReader = (raw: string, el: XmlElement, attribute?: string) => string | number | boolean
type ScalarWriter = (v: unknown, up: Loc | undefined, key: string | number | undefined) => string
type ElementReader = (el: XmlElement, ctx: ReadContext) => unknown
type ElementWriter = (ctx: WriteContext, v: unknown, up: Loc | undefined, key: string | number | undefined) => void
type ObjectWriter = (ctx: WriteContext, v: Record<string, unknown>, tag: Tag, loc: Loc | undefined, decls: string) => void

/** One object shape's compiled functions; `elementReaders`/`elementWriters` by content index, filled once every shape has its functions (shapes recurse). */
interface Compiled {
  read: ElementReader
  write: ObjectWriter
  elementReaders: Array<ElementReader | undefined>
  elementWriters: Array<ElementWriter | undefined>
}

const identity = (raw: string): string => raw

function scalarReader (t: SimpleType): ScalarReader {
  switch (t.json) {
    case 'string': return t.whiteSpace === 'preserve' ? identity : (raw) => readString(t, raw)
    case 'boolean': return readBoolean
    case 'integer': return readInteger
    default: return readNumber
  }
}

function scalarWriter (t: SimpleType): ScalarWriter {
  switch (t.json) {
    case 'boolean': return writeBoolean
    case 'integer': return writeInteger
    case 'number': return writeNumber
    default: return writeString
  }
}

const lit = (s: string): string => JSON.stringify(s)

/** Whether the shape's property names are distinct, so that each can be a variable and a constant key. */
function compilable (shape: ObjectShape): boolean {
  const count = shape.attributes.length + (shape.value === undefined ? 0 : 1) + shape.content.length
  if (count !== shape.names.size) return false
  return shape.content.every((p) => p.kind === 'any' || (p.name !== ANY_PROPERTY && p.name !== VALUE_PROPERTY))
}

/**
 * The content index of the element property named `local`, or -1: first among the few after the
 * previous child's (documents follow the schema's order), then by name, as the generic reader finds it.
 */
function finder (shape: ObjectShape): (local: string, last: number) => number {
  const names = shape.content.map((p) => p.kind === 'element' ? p.name : '\u0000')
  const byLocal = new Map([...shape.byLocal].map(([name, p]) => [name, p.index]))
  const n = names.length
  return (local, last) => {
    const from = last < 0 ? 0 : last
    const end = Math.min(n, from + 4)
    for (let i = from; i < end; i++) if (names[i] === local) return i
    return byLocal.get(local) ?? -1
  }
}

const READ_HELPERS = { ReadFault, checkAttributes, fragmentOf, admits, XMLNS: XMLNS_ATTR, XSI: XSI_NS }

function compileReader (shape: ObjectShape, elementReaders: Array<ElementReader | undefined>): ElementReader {
  const src: string[] = ['const { ReadFault, fragmentOf, admits, XMLNS, XSI } = H', 'return function read (el, ctx) {']
  const attrs = shape.attributes
  src.push(`let ${['x', 'anyList', ...attrs.map((_, i) => `a${i}`), ...shape.content.map((_, i) => `c${i}`)].join(', ')}`)
  src.push('const attrs = el.attributes', 'for (let i = 0; i < attrs.length; i++) {', 'const attr = attrs[i]', 'const uri = attr.uri', 'if (uri === XMLNS) continue', 'const local = attr.local')
  attrs.forEach((a, i) => src.push(`if (local === ${lit(a.attribute.local)} && uri === ${lit(a.attribute.uri)}) { a${i} = A[${i}](attr.value, el, local); continue }`))
  src.push('if (ctx.tolerant || uri === XSI) { ctx.unknown++; continue }', "throw new ReadFault('the attribute ' + local + ' is not in the schema', el, local)", '}')
  if (shape.value !== undefined) src.push('const value = V(el.text, el)')
  else src.push("if (!ctx.tolerant && el.text.trim() !== '') throw new ReadFault('text where the type allows only elements', el)")
  src.push('let last = -1', 'const kids = el.children', 'for (let i = 0; i < kids.length; i++) {', 'const child = kids[i]', 'switch (find(child.local, last)) {')
  for (const p of shape.content) {
    if (p.kind !== 'element') continue
    const k = p.index
    src.push(`case ${k}: if (child.uri === ${lit(p.element.uri)}) {`, `last = ${k}`)
    if (p.array) src.push(`x = E[${k}](child, ctx)`, `if (c${k} === undefined) c${k} = [x]; else c${k}.push(x)`)
    else src.push(`if (c${k} !== undefined && !ctx.tolerant) throw new ReadFault(child.local + ' occurs more than once', child)`, `c${k} = E[${k}](child, ctx)`)
    src.push('continue', '} break')
  }
  src.push('}')
  const notHere = "{ if (!ctx.tolerant) throw new ReadFault('the element ' + child.local + ' is not in the schema here', child); ctx.unknown++ }"
  const w = shape.wildcard
  src.push(w === undefined ? notHere : `if (!admits(W, child.uri)) ${notHere}`)
  src.push(`last = ${w?.index ?? shape.content.length}`, 'x = fragmentOf(child, ctx)', 'if (anyList === undefined) anyList = [x]; else anyList.push(x)', '}')
  // the object, in schema order
  src.push('const out = {}')
  attrs.forEach((a, i) => src.push(`if (a${i} !== undefined) out[${lit(a.name)}] = a${i}`))
  if (shape.value !== undefined) src.push(`out[${lit(VALUE_PROPERTY)}] = value`)
  for (const p of shape.content) {
    if (p.kind === 'element') src.push(`if (c${p.index} !== undefined) out[${lit(p.name)}] = c${p.index}`)
    else src.push(`if (anyList !== undefined) out[${lit(ANY_PROPERTY)}] = anyList`)
  }
  if (w === undefined) src.push(`if (anyList !== undefined) out[${lit(ANY_PROPERTY)}] = anyList`)
  src.push('return out', '}')
  // Source made of the schema's names as JSON literals only (see the header).
  const factory = new Function('H', 'A', 'V', 'E', 'W', 'find', src.join('\n')) as (...deps: unknown[]) => ElementReader
  return factory(READ_HELPERS, attrs.map((a) => scalarReader(a.attribute.type)), shape.value === undefined ? undefined : scalarReader(shape.value),
    elementReaders, w?.wildcards, finder(shape))
}

const WRITE_HELPERS = { WriteFault, escAttr, escText, writeFragments }

function compileWriter (shape: ObjectShape, elementWriters: Array<ElementWriter | undefined>): ObjectWriter {
  const src: string[] = ['const { WriteFault, escAttr, escText, writeFragments } = H', 'return function write (ctx, v, tag, loc, decls) {']
  src.push('for (const key in v) {', "if (!NAMES.has(key) && v[key] !== undefined) throw new WriteFault('the property ' + key + ' is not in the schema here', { up: loc, key })", '}')
  src.push('const out = ctx.out', 'let start = tag.open', 'let x')
  shape.attributes.forEach((a, i) => {
    src.push(`x = v[${lit(a.name)}]`, 'if (x !== undefined) {')
    if (a.attribute.uri !== '') src.push(`throw new WriteFault(${lit(`the attribute ${a.attribute.local} is in a namespace the writer does not declare`)}, { up: loc, key: ${lit(a.name)} })`)
    else src.push(`start += ${lit(` ${a.attribute.local}="`)} + escAttr(AW[${i}](x, loc, ${lit(a.name)})) + '"'`)
    src.push('}')
  })
  src.push('start += decls')
  src.push(shape.value === undefined ? "const text = ''" : `const text = escText(VW(v[${lit(VALUE_PROPERTY)}], loc, ${lit(VALUE_PROPERTY)}))`)
  src.push('const slot = out.length', "out.push('')")
  for (const p of shape.content) {
    src.push(`x = v[${lit(p.name)}]`, 'if (x !== undefined) {')
    if (p.kind === 'any') src.push(`writeFragments(ctx, WP, x, { up: loc, key: ${lit(p.name)} })`)
    else if (!p.array) src.push(`EW[${p.index}](ctx, x, loc, ${lit(p.name)})`)
    else {
      src.push(`if (!Array.isArray(x)) throw new WriteFault('expected an array', { up: loc, key: ${lit(p.name)} })`,
        `const list = { up: loc, key: ${lit(p.name)} }`, 'const write = EW[' + String(p.index) + ']', 'for (let i = 0; i < x.length; i++) write(ctx, x[i], list, i)')
    }
    src.push('}')
  }
  src.push("if (out.length === slot + 1) out[slot] = text === '' ? start + '/>\\n' : start + '>' + text + tag.close",
    "else { out[slot] = start + '>' + text + '\\n'; out.push(tag.close) }", '}')
  // Source made of the schema's names as JSON literals only (see the header).
  const factory = new Function('H', 'NAMES', 'AW', 'VW', 'EW', 'WP', src.join('\n')) as (...deps: unknown[]) => ObjectWriter
  return factory(WRITE_HELPERS, shape.names, shape.attributes.map((a) => scalarWriter(a.attribute.type)),
    shape.value === undefined ? undefined : scalarWriter(shape.value), elementWriters, shape.wildcard)
}

function scalarElementReader (t: SimpleType): ElementReader {
  const conv = scalarReader(t)
  return (el, ctx) => {
    if (el.attributes.length > 0) checkAttributes(el, undefined, ctx)
    if (!ctx.tolerant && el.children.length > 0) throw new ReadFault('child elements in an element of simple type', el)
    return conv(el.text, el)
  }
}

function codeElementReader (a: AttributeDecl): ElementReader {
  const conv = scalarReader(a.type)
  const local = a.local
  const uri = a.uri
  const onlyAttribute = `content in an element that carries only its ${local}`
  const missing = `the attribute ${local} is missing`
  return (el, ctx) => {
    const attrs = el.attributes
    if (attrs.length > 1) checkAttributes(el, a, ctx)
    if (!ctx.tolerant && (el.children.length > 0 || el.text.trim() !== '')) throw new ReadFault(onlyAttribute, el)
    for (let i = 0; i < attrs.length; i++) {
      const attr = attrs[i]!
      if (attr.local === local && attr.uri === uri) return conv(attr.value, el, local)
    }
    throw new ReadFault(missing, el, local)
  }
}

/** An element's writer: its tag kept for the last writer prefix seen, its value by its shape. */
function elementWriter (decl: ElementDecl, shape: Shape, objectOf: (s: ObjectShape) => Compiled): ElementWriter {
  let tagKey: string | undefined
  let cached: Tag | undefined
  const tagFor = (ctx: WriteContext, up: Loc | undefined, key: string | number | undefined): Tag => {
    if (ctx.tagKey === tagKey) return cached!
    const tag = tagOf(ctx, decl, up, key)
    tagKey = ctx.tagKey
    cached = tag
    return tag
  }
  switch (shape.kind) {
    case 'scalar': {
      const conv = scalarWriter(shape.type)
      return (ctx, v, up, key) => {
        const tag = tagFor(ctx, up, key)
        ctx.out.push(tag.open, tag.decl, '>', escText(conv(v, up, key)), tag.close)
      }
    }
    case 'code': {
      const conv = scalarWriter(shape.attribute.type)
      const opening = ` ${shape.attribute.local}="`
      return (ctx, v, up, key) => {
        const tag = tagFor(ctx, up, key)
        ctx.out.push(tag.open, tag.decl, opening, escAttr(conv(v, up, key)), '"/>\n')
      }
    }
    case 'object': {
      const compiled = objectOf(shape)
      return (ctx, v, up, key) => {
        const tag = tagFor(ctx, up, key)
        const loc = at(up, key)
        if (!isObject(v)) throw new WriteFault('expected an object', loc)
        compiled.write(ctx, v, tag, loc, tag.decl)
      }
    }
  }
}

/**
 * The codec of documents whose root is `decl`: compiled per object shape reachable from it, or
 * the generic codec if one of them cannot be compiled.
 */
export function compileJsonCodec (mapping: JsonMapping, decl: ElementDecl): JsonCodec {
  const rootShape = mapping.shapeOf(decl.type)
  const objects = [...mapping.reachable(rootShape)].filter((s): s is ObjectShape => s.kind === 'object')
  if (rootShape.kind !== 'object' || !objects.every(compilable)) {
    return {
      compiled: false,
      treeToJson: (root, bytes, options = {}) => genericTreeToJson(mapping, decl, root, bytes, options),
      jsonToXml: (value, options = {}) => genericJsonToXml(mapping, decl, value, options)
    }
  }
  const table = new Map<ObjectShape, Compiled>()
  for (const shape of objects) {
    const elementReaders: Array<ElementReader | undefined> = shape.content.map(() => undefined)
    const elementWriters: Array<ElementWriter | undefined> = shape.content.map(() => undefined)
    table.set(shape, { read: compileReader(shape, elementReaders), write: compileWriter(shape, elementWriters), elementReaders, elementWriters })
  }
  const objectOf = (s: ObjectShape): Compiled => table.get(s)!
  for (const [shape, compiled] of table) {
    for (const p of shape.content) {
      if (p.kind !== 'element') continue
      const s = p.shape
      compiled.elementReaders[p.index] = s.kind === 'scalar' ? scalarElementReader(s.type) : s.kind === 'code' ? codeElementReader(s.attribute) : objectOf(s).read
      compiled.elementWriters[p.index] = elementWriter(p.element, s, objectOf)
    }
  }
  const root = objectOf(rootShape)
  const readRoot = (el: XmlElement, _shape: ObjectShape, ctx: ReadContext): Record<string, unknown> => root.read(el, ctx) as Record<string, unknown>
  const writeRoot = (ctx: WriteContext, d: ElementDecl, _shape: ObjectShape, value: unknown, ns: string): void => {
    const tag = tagOf(ctx, d, undefined, undefined)
    if (!isObject(value)) throw new WriteFault('expected an object', undefined)
    root.write(ctx, value, tag, undefined, ns === '' ? tag.decl : `${ns}${tag.decl}`)
  }
  return {
    compiled: true,
    treeToJson: (el, bytes, options = {}) => readDocument(mapping, decl, el, bytes, options, readRoot),
    jsonToXml: (value, options = {}) => writeDocument(mapping, decl, value, options, writeRoot)
  }
}
