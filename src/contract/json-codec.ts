/**
 * The JSON codec of interfaceNuu documents, both directions driven by the JSON mapping:
 *
 * - `treeToJson` reads the tree `soap/` already parsed (no second parse): properties by local
 *   name, arrays exactly where the schema allows repetition, typed scalars, codes as strings,
 *   wildcard elements serialized with their in-scope namespace declarations;
 * - `jsonToXml` writes elements in schema order whatever the key order of the JSON, through an
 *   escaping writer (never a string template): a value XML 1.0 cannot carry is refused, not
 *   replaced, and a wildcard fragment must parse as one element of another namespace.
 *
 * Both assume a value the caller validated (libxml2 for XML, ajv for JSON) and still refuse what
 * they cannot convert faithfully, with the JSON Pointer and the XSD path of the place.
 *
 * This is the generic codec: it interprets the mapping's shapes for every element. The contract
 * runs the codec compiled per shape (json-codec-compiled.ts), which shares this module's
 * conversions and refusals; this one stays the reference the compiled codec is tested against
 * (test/contract/json-codec-differential.test.ts), and its fallback.
 */
import { parseXml } from '../soap/xml-reader.js'
import { NOT_XML_CHAR, escapeXmlAttribute, escapeXmlText } from '../soap/xml-escape.js'
import { ANY_PROPERTY, VALUE_PROPERTY, type AttributeProperty, type ElementProperty, type JsonMapping, type ObjectShape, type Shape, type WildcardProperty } from './json-mapping.js'
import { escapeToken, xsdPathOf } from './json-paths.js'
import type { ElementDecl, SimpleType, Wildcard } from './schema-model.js'
import type { XmlElement } from '../soap/types.js'

/** A value that cannot be converted; `pointer` is a JSON Pointer, `path` the XSD (XML) path. */
export class JsonCodecError extends Error {
  readonly code = 'GW_SPEC_JSON_UNCONVERTIBLE'
  readonly pointer: string
  readonly path: string
  constructor (message: string, pointer: string, path: string) {
    super(message)
    this.name = 'JsonCodecError'
    this.pointer = pointer
    this.path = path
  }
}

export interface TreeToJsonOptions {
  /** answers: elements and attributes the model does not know are kept (`_any`) or skipped and counted, not refused */
  tolerant?: boolean
}

export interface TreeToJsonResult {
  value: Record<string, unknown>
  /** elements kept in `_any` although no wildcard admits them, plus attributes skipped (tolerant mode) */
  unknown: number
}

export const XMLNS_ATTR = 'http://www.w3.org/2000/xmlns/'
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance'

export function admits (wildcards: readonly Wildcard[], uri: string): boolean {
  return wildcards.some((w) => {
    switch (w.namespace.trim()) {
      case '##any': return true
      case '##other': return uri !== w.tns && uri !== ''
      case '##local': return uri === ''
      case '##targetNamespace': return uri === w.tns
      default: return w.namespace.split(/\s+/).some((n) => n === uri || (n === '##local' && uri === '') || (n === '##targetNamespace' && uri === w.tns))
    }
  })
}

export interface ReadContext {
  bytes: Buffer
  tolerant: boolean
  unknown: number
}

/**
 * A refusal while reading, located by the element (and attribute) at fault. The JSON Pointer and
 * the XSD path are computed from it only when it is thrown: building them for every element
 * cost more than the conversion itself.
 */
export class ReadFault {
  constructor (readonly message: string, readonly el: XmlElement, readonly attribute?: string) {}
}

/** The element's source text with every namespace declaration in scope written on its start tag. */
export function fragmentOf (el: XmlElement, ctx: ReadContext): string {
  const text = ctx.bytes.toString('utf8', el.start, el.end)
  const declared = new Set(Object.keys(el.namespaces ?? {}))
  let decls = ''
  for (let e = el.parent; e !== undefined; e = e.parent) {
    for (const [prefix, uri] of Object.entries(e.namespaces ?? {})) {
      if (declared.has(prefix)) continue
      declared.add(prefix)
      decls += prefix === '' ? ` xmlns="${escapeXmlAttribute(uri)}"` : ` xmlns:${prefix}="${escapeXmlAttribute(uri)}"`
    }
  }
  // A fragment with no prefix in a document with no default namespace: say so, so that it keeps
  // its (empty) namespace wherever it is written.
  if (!declared.has('') && el.prefix === '') decls += ' xmlns=""'
  if (decls === '') return text
  const nameEnd = 1 + (el.prefix === '' ? el.local.length : el.prefix.length + 1 + el.local.length)
  return text.slice(0, nameEnd) + decls + text.slice(nameEnd)
}

/**
 * Whether xs:whiteSpace changes a value: `replace` changes tabs and line ends, `collapse` those
 * and leading, trailing or doubled spaces. One pass over the characters, no regular expression:
 * it runs on every string value of an answer.
 */
function whiteSpaceChanges (raw: string, collapse: boolean): boolean {
  const n = raw.length
  if (collapse && n > 0 && (raw.charCodeAt(0) === 0x20 || raw.charCodeAt(n - 1) === 0x20)) return true
  for (let i = 0; i < n; i++) {
    const c = raw.charCodeAt(i)
    if (c === 0x09 || c === 0x0a || c === 0x0d) return true
    if (collapse && c === 0x20 && raw.charCodeAt(i + 1) === 0x20) return true
  }
  return false
}

/** `^[+-]?[0-9]+$`, by its characters. */
function isIntegerLexical (v: string): boolean {
  const n = v.length
  let i = n > 0 && (v.charCodeAt(0) === 0x2b || v.charCodeAt(0) === 0x2d) ? 1 : 0
  if (i === n) return false
  for (; i < n; i++) {
    const c = v.charCodeAt(i)
    if (c < 0x30 || c > 0x39) return false
  }
  return true
}

/** An xs:string-like value after its xs:whiteSpace facet. */
export function readString (t: SimpleType, raw: string): string {
  // Most values need no whitespace processing: one test, no copy.
  if (t.whiteSpace === 'preserve' || !whiteSpaceChanges(raw, t.whiteSpace === 'collapse')) return raw
  const replaced = raw.replace(/[\t\n\r]/g, ' ')
  return t.whiteSpace === 'replace' ? replaced : replaced.replace(/ +/g, ' ').trim()
}

export function readBoolean (raw: string, el: XmlElement, attribute?: string): boolean {
  const v = raw.trim()
  if (v === 'true' || v === '1') return true
  if (v === 'false' || v === '0') return false
  throw new ReadFault(`not an xs:boolean: ${shapeOfValue(v)}`, el, attribute)
}

export function readInteger (raw: string, el: XmlElement, attribute?: string): number {
  const v = raw.trim()
  if (!isIntegerLexical(v)) throw new ReadFault(`not an integer: ${shapeOfValue(v)}`, el, attribute)
  const n = Number(v)
  if (!Number.isSafeInteger(n)) throw new ReadFault('an integer beyond the range JSON numbers hold exactly (±2^53)', el, attribute)
  return n
}

export function readNumber (raw: string, el: XmlElement, attribute?: string): number {
  const v = raw.trim()
  if (!/^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(v)) throw new ReadFault(`not a finite number: ${shapeOfValue(v)}`, el, attribute)
  return Number(v)
}

function readScalar (t: SimpleType, raw: string, el: XmlElement, attribute?: string): string | number | boolean {
  switch (t.json) {
    case 'string': return readString(t, raw)
    case 'boolean': return readBoolean(raw, el, attribute)
    case 'integer': return readInteger(raw, el, attribute)
    default: return readNumber(raw, el, attribute)
  }
}

/** The shape of a value for messages: letters as 'a', digits as '9' (no personal data). */
function shapeOfValue (v: string): string {
  return JSON.stringify(v.slice(0, 40).replace(/\p{L}/gu, 'a').replace(/\p{N}/gu, '9'))
}

/** Attributes a scalar or code element may not carry: refused, or skipped and counted when tolerant. */
export function checkAttributes (el: XmlElement, allowed: { local: string, uri: string } | undefined, ctx: ReadContext): void {
  for (const attr of el.attributes) {
    if (attr.uri === XMLNS_ATTR || (allowed !== undefined && attr.local === allowed.local && attr.uri === allowed.uri)) continue
    if (ctx.tolerant || attr.uri === XSI_NS) ctx.unknown++
    else throw new ReadFault(`the attribute ${attr.local} is not in the schema`, el, attr.local)
  }
}

function readElement (el: XmlElement, shape: Shape, ctx: ReadContext): unknown {
  switch (shape.kind) {
    case 'scalar':
      if (el.attributes.length > 0) checkAttributes(el, undefined, ctx)
      if (!ctx.tolerant && el.children.length > 0) throw new ReadFault('child elements in an element of simple type', el)
      return readScalar(shape.type, el.text, el)
    case 'code': {
      const a = shape.attribute
      if (el.attributes.length > 1) checkAttributes(el, a, ctx)
      if (!ctx.tolerant && (el.children.length > 0 || el.text.trim() !== '')) throw new ReadFault(`content in an element that carries only its ${a.local}`, el)
      for (const attr of el.attributes) {
        if (attr.local === a.local && attr.uri === a.uri) return readScalar(a.type, attr.value, el, a.local)
      }
      throw new ReadFault(`the attribute ${a.local} is missing`, el, a.local)
    }
    case 'object':
      return readObject(el, shape, ctx)
  }
}

function attributeOf (shape: ObjectShape, local: string, uri: string): AttributeProperty | undefined {
  for (const p of shape.attributes) if (p.attribute.local === local && p.attribute.uri === uri) return p
  return undefined
}

/**
 * The element property named `local`, as `byLocal` gives it. Documents follow the schema's
 * order, so the property is first looked for among the few after the previous child's (`last`):
 * comparing a few short strings costs less than hashing the child's name, a fresh string.
 */
function propertyOf (shape: ObjectShape, local: string, last: number): ElementProperty | undefined {
  const content = shape.content
  const from = last < 0 ? 0 : last
  const end = Math.min(content.length, from + 4)
  for (let i = from; i < end; i++) {
    const p = content[i]!
    if (p.kind === 'element' && p.name === local) return p
  }
  return shape.byLocal.get(local)
}

function readObject (el: XmlElement, shape: ObjectShape, ctx: ReadContext): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const attr of el.attributes) {
    if (attr.uri === XMLNS_ATTR) continue
    const prop = attributeOf(shape, attr.local, attr.uri)
    if (prop === undefined) {
      if (ctx.tolerant || attr.uri === XSI_NS) {
        ctx.unknown++
        continue
      }
      throw new ReadFault(`the attribute ${attr.local} is not in the schema`, el, attr.local)
    }
    out[prop.name] = readScalar(prop.attribute.type, attr.value, el, attr.local)
  }
  if (shape.value !== undefined) {
    out[VALUE_PROPERTY] = readScalar(shape.value, el.text, el)
  } else if (!ctx.tolerant && el.text.trim() !== '') {
    throw new ReadFault('text where the type allows only elements', el)
  }
  // Properties come out in schema order: document order, unless a document breaks it.
  let last = -1
  let reorder = false
  for (const child of el.children) {
    const prop = propertyOf(shape, child.local, last)
    if (prop !== undefined && prop.element.uri === child.uri) {
      if (prop.index < last) reorder = true
      last = prop.index
      if (prop.array) {
        const list = out[prop.name] as unknown[] | undefined
        const value = readElement(child, prop.shape, ctx)
        if (list === undefined) out[prop.name] = [value]
        else list.push(value)
      } else {
        if (out[prop.name] !== undefined && !ctx.tolerant) throw new ReadFault(`${child.local} occurs more than once`, child)
        out[prop.name] = readElement(child, prop.shape, ctx)
      }
      continue
    }
    const wildcard = shape.wildcard
    if (wildcard === undefined || !admits(wildcard.wildcards, child.uri)) {
      if (!ctx.tolerant) throw new ReadFault(`the element ${child.local} is not in the schema here`, child)
      ctx.unknown++
    }
    const index = wildcard?.index ?? shape.content.length
    if (index < last) reorder = true
    last = index
    const list = out[ANY_PROPERTY] as string[] | undefined
    if (list === undefined) out[ANY_PROPERTY] = [fragmentOf(child, ctx)]
    else list.push(fragmentOf(child, ctx))
  }
  if (!reorder) return out
  const ordered: Record<string, unknown> = {}
  for (const a of shape.attributes) if (Object.hasOwn(out, a.name)) ordered[a.name] = out[a.name]
  if (Object.hasOwn(out, VALUE_PROPERTY)) ordered[VALUE_PROPERTY] = out[VALUE_PROPERTY]
  for (const p of shape.content) if (Object.hasOwn(out, p.name)) ordered[p.name] = out[p.name]
  if (!Object.hasOwn(ordered, ANY_PROPERTY) && Object.hasOwn(out, ANY_PROPERTY)) ordered[ANY_PROPERTY] = out[ANY_PROPERTY]
  return ordered
}

/** The JSON Pointer and XSD path of a fault: the element's chain, walked down the shapes. */
export function locate (mapping: JsonMapping, decl: ElementDecl, fault: ReadFault): { pointer: string, path: string } {
  const chain: XmlElement[] = []
  for (let e: XmlElement | undefined = fault.el; e !== undefined; e = e.parent) chain.unshift(e)
  let shape: Shape | undefined = mapping.shapeOf(decl.type)
  let pointer = ''
  let path = `/${decl.local}`
  let known = true
  for (const el of chain.slice(1)) {
    const parent = el.parent!
    const same = parent.children.filter((c) => c.local === el.local && c.uri === el.uri)
    const nth = same.indexOf(el) + 1
    const prop: ElementProperty | undefined = shape?.kind === 'object' ? shape.byLocal.get(el.local) : undefined
    path += `/${el.local}${same.length > 1 || prop?.array === true ? `[${nth}]` : ''}`
    if (!known) continue
    if (prop === undefined || prop.element.uri !== el.uri) {
      // Not in the schema: the pointer names the object that holds it.
      known = false
      continue
    }
    pointer += `/${escapeToken(prop.name)}${prop.array ? `/${nth - 1}` : ''}`
    shape = prop.shape
  }
  if (fault.attribute !== undefined) {
    path += `/@${fault.attribute}`
    if (known && shape?.kind === 'object') {
      const a = shape.attributes.find((x) => x.attribute.local === fault.attribute)
      if (a !== undefined) pointer += `/${escapeToken(a.name)}`
    }
  }
  return { pointer, path }
}

/** Reads an object element's children and attributes: the generic walk, or a compiled one. */
export type ObjectReader = (el: XmlElement, shape: ObjectShape, ctx: ReadContext) => Record<string, unknown>

/** The root's checks and the refusals' location, around the reader of its object. */
export function readDocument (mapping: JsonMapping, decl: ElementDecl, root: XmlElement, bytes: Buffer, options: TreeToJsonOptions, read: ObjectReader): TreeToJsonResult {
  const ctx: ReadContext = { bytes, tolerant: options.tolerant === true, unknown: 0 }
  const path = `/${root.local}`
  if (root.local !== decl.local || root.uri !== decl.uri) throw new JsonCodecError(`the root element is ${root.local}, not ${decl.local}`, '', path)
  const shape = mapping.shapeOf(decl.type)
  if (shape.kind !== 'object') throw new JsonCodecError('the root element must have element content', '', path)
  try {
    return { value: read(root, shape, ctx), unknown: ctx.unknown }
  } catch (err) {
    if (!(err instanceof ReadFault)) throw err
    const where = locate(mapping, decl, err)
    throw new JsonCodecError(err.message, where.pointer, where.path)
  }
}

/**
 * The JSON of the document whose root is `root` (declared as `decl`), by the generic walk. `bytes`
 * is the buffer the tree was parsed from: wildcard content is copied from it.
 */
export function genericTreeToJson (mapping: JsonMapping, decl: ElementDecl, root: XmlElement, bytes: Buffer, options: TreeToJsonOptions = {}): TreeToJsonResult {
  return readDocument(mapping, decl, root, bytes, options, readObject)
}

// ----- JSON → XML -----

export interface JsonToXmlOptions {
  /** the prefix of the document's namespace (default `ns1`, as the SNE's own documents); '' for a default namespace */
  prefix?: string
  /** write the XML declaration `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` (default true) */
  declaration?: boolean
}


// Values reach the writer checked by writeScalar (NOT_XML_CHAR refused), so escaping is only the
// markup characters; a value without any (most of them) is written as is, with no copy.
const TEXT_SPECIAL = /[&<>\r]/
const ATTR_SPECIAL = /[&<>"'\r\n\t]/

export function escText (v: string): string {
  return TEXT_SPECIAL.test(v) ? escapeXmlText(v) : v
}

export function escAttr (v: string): string {
  return ATTR_SPECIAL.test(v) ? escapeXmlAttribute(v) : v
}

export interface WriteContext {
  out: string[]
  /** the main namespace and its prefix */
  uri: string
  prefix: string
  /** the key of this prefix and namespace in the tag cache */
  tagKey: string
}

/** Where a value stands in the JSON, as a chain built only as deep as the walk goes. */
export interface Loc {
  up: Loc | undefined
  key: string | number
}

/** A refusal while writing; its JSON Pointer (and from it the XSD path) is computed when thrown. */
export class WriteFault {
  constructor (readonly message: string, readonly loc: Loc | undefined) {}
}

export function pointerOf (loc: Loc | undefined): string {
  let pointer = ''
  for (let l = loc; l !== undefined; l = l.up) pointer = `/${typeof l.key === 'number' ? l.key : escapeToken(l.key)}${pointer}`
  return pointer
}

export function isObject (v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

export function writeBoolean (v: unknown, up: Loc | undefined, key: string | number | undefined): string {
  if (typeof v !== 'boolean') throw new WriteFault('expected a boolean', at(up, key))
  return v ? 'true' : 'false'
}

export function writeInteger (v: unknown, up: Loc | undefined, key: string | number | undefined): string {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new WriteFault('expected an integer', at(up, key))
  return String(v)
}

export function writeNumber (v: unknown, up: Loc | undefined, key: string | number | undefined): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new WriteFault('expected a finite number', at(up, key))
  const s = String(v)
  // xs:decimal has no exponent form.
  return /e/i.test(s) ? v.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 }) : s
}

export function writeString (v: unknown, up: Loc | undefined, key: string | number | undefined): string {
  if (typeof v !== 'string') throw new WriteFault('expected a string', at(up, key))
  if (NOT_XML_CHAR.test(v)) throw new WriteFault('a character XML 1.0 cannot carry (control character or lone surrogate)', at(up, key))
  return v
}

/** A scalar as written; `up` and `key` locate it (a location is made only for a refusal). */
function writeScalar (t: SimpleType, v: unknown, up: Loc | undefined, key: string | number | undefined): string {
  switch (t.json) {
    case 'boolean': return writeBoolean(v, up, key)
    case 'integer': return writeInteger(v, up, key)
    case 'number': return writeNumber(v, up, key)
    default: return writeString(v, up, key)
  }
}

/** An element's tag as written with the writer's prefix, and the declaration it needs (an unqualified element under a default namespace). */
export interface Tag {
  name: string
  /** `<name` */
  open: string
  /** `</name>\n` */
  close: string
  decl: string
}

/** Tags by declaration and prefix: made once, not for every element written. */
const tags = new WeakMap<ElementDecl, Map<string, Tag>>()

export function tagOf (ctx: WriteContext, decl: ElementDecl, up: Loc | undefined, key: string | number | undefined): Tag {
  let byPrefix = tags.get(decl)
  let tag = byPrefix?.get(ctx.tagKey)
  if (tag !== undefined) return tag
  let name: string
  let declaration = ''
  if (decl.uri === ctx.uri) name = ctx.prefix === '' ? decl.local : `${ctx.prefix}:${decl.local}`
  else if (decl.uri === '') {
    name = decl.local
    if (ctx.prefix === '') declaration = ' xmlns=""'
  } else throw new WriteFault(`the element ${decl.local} is in a namespace the writer does not declare`, at(up, key))
  tag = { name, open: `<${name}`, close: `</${name}>\n`, decl: declaration }
  if (byPrefix === undefined) tags.set(decl, byPrefix = new Map())
  byPrefix.set(ctx.tagKey, tag)
  return tag
}

/** The location of a value: its holder's location and its key there (none for the root). */
export function at (up: Loc | undefined, key: string | number | undefined): Loc | undefined {
  return key === undefined ? up : { up, key }
}

function writeElement (ctx: WriteContext, decl: ElementDecl, shape: Shape, v: unknown, up: Loc | undefined, key: string | number | undefined, rootDecls: string): void {
  const tag = tagOf(ctx, decl, up, key)
  const decls = rootDecls === '' ? tag.decl : `${rootDecls}${tag.decl}`
  const out = ctx.out
  switch (shape.kind) {
    case 'scalar':
      out.push(tag.open, decls, '>', escText(writeScalar(shape.type, v, up, key)), tag.close)
      return
    case 'code':
      out.push(tag.open, decls, ' ', shape.attribute.local, '="', escAttr(writeScalar(shape.attribute.type, v, up, key)), '"/>\n')
      return
    case 'object': {
      const loc = at(up, key)
      if (!isObject(v)) throw new WriteFault('expected an object', loc)
      // Attributes before namespace declarations, as the SNE writes its documents
      // (`<ns1:interfaceNuu versionInterface="02.01" xmlns:ns1="…">`).
      writeObject(ctx, shape, v, tag, loc, decls)
    }
  }
}

function writeObject (ctx: WriteContext, shape: ObjectShape, v: Record<string, unknown>, tag: Tag, loc: Loc | undefined, decls: string): void {
  for (const key in v) {
    if (!shape.names.has(key) && v[key] !== undefined) throw new WriteFault(`the property ${key} is not in the schema here`, { up: loc, key })
  }
  const out = ctx.out
  let start = tag.open
  for (const a of shape.attributes) {
    const value = v[a.name]
    if (value === undefined) continue
    if (a.attribute.uri !== '') throw new WriteFault(`the attribute ${a.attribute.local} is in a namespace the writer does not declare`, { up: loc, key: a.name })
    start += ` ${a.attribute.local}="${escAttr(writeScalar(a.attribute.type, value, loc, a.name))}"`
  }
  start += decls
  const text = shape.value === undefined ? '' : escText(writeScalar(shape.value, v[VALUE_PROPERTY], loc, VALUE_PROPERTY))
  // The start tag's slot: filled once we know whether the element is empty.
  const slot = out.length
  out.push('')
  for (const p of shape.content) {
    const value = v[p.name]
    if (value === undefined) continue
    if (p.kind === 'any') writeFragments(ctx, p, value, { up: loc, key: p.name })
    else if (!p.array) writeElement(ctx, p.element, p.shape, value, loc, p.name, '')
    else {
      if (!Array.isArray(value)) throw new WriteFault('expected an array', { up: loc, key: p.name })
      const list: Loc = { up: loc, key: p.name }
      for (let i = 0; i < value.length; i++) writeElement(ctx, p.element, p.shape, value[i], list, i, '')
    }
  }
  if (out.length === slot + 1) {
    out[slot] = text === '' ? `${start}/>\n` : `${start}>${text}${tag.close}`
  } else {
    out[slot] = `${start}>${text}\n`
    out.push(tag.close)
  }
}

export function writeFragments (ctx: WriteContext, p: WildcardProperty, value: unknown, loc: Loc): void {
  if (!Array.isArray(value)) throw new WriteFault('expected an array of XML fragments', loc)
  for (const [i, item] of value.entries()) {
    const at: Loc = { up: loc, key: i }
    if (typeof item !== 'string') throw new WriteFault('expected an XML fragment (a string)', at)
    const trimmed = item.trim()
    if (!trimmed.startsWith('<') || trimmed.startsWith('<?') || trimmed.startsWith('<!')) throw new WriteFault('an XML fragment must be one element', at)
    let root: XmlElement
    try {
      const doc = parseXml(Buffer.from(trimmed, 'utf8'))
      if (doc.processingInstructions.length > 0) throw new WriteFault('an XML fragment must not hold processing instructions', at)
      root = doc.root
    } catch (err) {
      if (err instanceof WriteFault) throw err
      throw new WriteFault(`not a well-formed XML element: ${(err as Error).message}`, at)
    }
    if (!admits(p.wildcards, root.uri)) throw new WriteFault(`the element ${root.local} is not admitted here (its namespace is not one the wildcard allows)`, at)
    ctx.out.push(`${trimmed}\n`)
  }
}

/** Writes the root element (its tag, its namespace declaration `ns`): the generic walk, or a compiled one. */
export type RootWriter = (ctx: WriteContext, decl: ElementDecl, shape: ObjectShape, value: unknown, ns: string) => void

/** The declaration, the root's namespace and the refusals' location, around the writer of the root. */
export function writeDocument (mapping: JsonMapping, decl: ElementDecl, value: unknown, options: JsonToXmlOptions, write: RootWriter): string {
  const prefix = options.prefix ?? 'ns1'
  const ctx: WriteContext = { out: [], uri: decl.uri, prefix, tagKey: `${prefix}\u0000${decl.uri}` }
  if (options.declaration ?? true) ctx.out.push('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n')
  const ns = decl.uri === '' ? '' : prefix === '' ? ` xmlns="${escapeXmlAttribute(decl.uri)}"` : ` xmlns:${prefix}="${escapeXmlAttribute(decl.uri)}"`
  const shape = mapping.shapeOf(decl.type)
  if (shape.kind !== 'object') throw new JsonCodecError('the root element must have element content', '', `/${decl.local}`)
  try {
    write(ctx, decl, shape, value, ns)
  } catch (err) {
    if (!(err instanceof WriteFault)) throw err
    const pointer = pointerOf(err.loc)
    throw new JsonCodecError(err.message, pointer, xsdPathOf(mapping, decl, pointer))
  }
  return ctx.out.join('')
}

/**
 * The XML document of `value`, the JSON of an element declared as `decl` (an interfaceNuu root),
 * by the generic walk.
 * @throws JsonCodecError when a value cannot be written faithfully
 */
export function genericJsonToXml (mapping: JsonMapping, decl: ElementDecl, value: unknown, options: JsonToXmlOptions = {}): string {
  return writeDocument(mapping, decl, value, options, (ctx, d, shape, v, ns) => writeElement(ctx, d, shape, v, undefined, undefined, ns))
}
