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
 */
import { parseXml } from '../soap/xml-reader.js'
import { escapeXmlAttribute, escapeXmlText } from '../soap/xml-escape.js'
import { ANY_PROPERTY, VALUE_PROPERTY, type ElementProperty, type JsonMapping, type ObjectShape, type Shape, type WildcardProperty } from './json-mapping.js'
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

const XMLNS_ATTR = 'http://www.w3.org/2000/xmlns/'
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance'

function escapePointer (name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1')
}

function admits (wildcards: readonly Wildcard[], uri: string): boolean {
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

interface ReadContext {
  bytes: Buffer
  tolerant: boolean
  unknown: number
}

/** The element's source text with every namespace declaration in scope written on its start tag. */
function fragmentOf (el: XmlElement, ctx: ReadContext): string {
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

function readScalar (t: SimpleType, raw: string, pointer: string, path: string): string | number | boolean {
  if (t.json === 'string') {
    if (t.whiteSpace === 'preserve') return raw
    const replaced = raw.replace(/[\t\n\r]/g, ' ')
    return t.whiteSpace === 'replace' ? replaced : replaced.replace(/ +/g, ' ').trim()
  }
  const v = raw.trim()
  if (t.json === 'boolean') {
    if (v === 'true' || v === '1') return true
    if (v === 'false' || v === '0') return false
    throw new JsonCodecError(`not an xs:boolean: ${shapeOfValue(v)}`, pointer, path)
  }
  if (t.json === 'integer') {
    if (!/^[+-]?[0-9]+$/.test(v)) throw new JsonCodecError(`not an integer: ${shapeOfValue(v)}`, pointer, path)
    const n = Number(v)
    if (!Number.isSafeInteger(n)) throw new JsonCodecError('an integer beyond the range JSON numbers hold exactly (±2^53)', pointer, path)
    return n
  }
  if (!/^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(v)) throw new JsonCodecError(`not a finite number: ${shapeOfValue(v)}`, pointer, path)
  return Number(v)
}

/** The shape of a value for messages: letters as 'a', digits as '9' (no personal data). */
function shapeOfValue (v: string): string {
  return JSON.stringify(v.slice(0, 40).replace(/\p{L}/gu, 'a').replace(/\p{N}/gu, '9'))
}

/** Attributes a scalar or code element may not carry: refused, or skipped and counted when tolerant. */
function checkAttributes (el: XmlElement, allowed: { local: string, uri: string } | undefined, ctx: ReadContext, path: string, pointer: string): void {
  for (const attr of el.attributes) {
    if (attr.uri === XMLNS_ATTR || (allowed !== undefined && attr.local === allowed.local && attr.uri === allowed.uri)) continue
    if (ctx.tolerant || attr.uri === XSI_NS) ctx.unknown++
    else throw new JsonCodecError(`the attribute ${attr.local} is not in the schema`, pointer, `${path}/@${attr.local}`)
  }
}

function readElement (el: XmlElement, shape: Shape, ctx: ReadContext, pointer: string, path: string): unknown {
  switch (shape.kind) {
    case 'scalar':
      if (el.attributes.length > 0) checkAttributes(el, undefined, ctx, path, pointer)
      if (!ctx.tolerant && el.children.length > 0) throw new JsonCodecError('child elements in an element of simple type', pointer, path)
      return readScalar(shape.type, el.text, pointer, path)
    case 'code': {
      const a = shape.attribute
      if (el.attributes.length > 1) checkAttributes(el, a, ctx, path, pointer)
      if (!ctx.tolerant && (el.children.length > 0 || el.text.trim() !== '')) throw new JsonCodecError(`content in an element that carries only its ${a.local}`, pointer, path)
      for (const attr of el.attributes) {
        if (attr.local === a.local && attr.uri === a.uri) return readScalar(a.type, attr.value, pointer, `${path}/@${a.local}`)
      }
      throw new JsonCodecError(`the attribute ${a.local} is missing`, pointer, `${path}/@${a.local}`)
    }
    case 'object':
      return readObject(el, shape, ctx, pointer, path)
  }
}

function readObject (el: XmlElement, shape: ObjectShape, ctx: ReadContext, pointer: string, path: string): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const attr of el.attributes) {
    if (attr.uri === XMLNS_ATTR) continue
    const prop = shape.attributes.find((p) => p.attribute.local === attr.local && p.attribute.uri === attr.uri)
    if (prop === undefined) {
      if (ctx.tolerant || attr.uri === XSI_NS) {
        ctx.unknown++
        continue
      }
      throw new JsonCodecError(`the attribute ${attr.local} is not in the schema`, pointer, `${path}/@${attr.local}`)
    }
    out[prop.name] = readScalar(prop.attribute.type, attr.value, `${pointer}/${escapePointer(prop.name)}`, `${path}/@${attr.local}`)
  }
  if (shape.value !== undefined) {
    out[VALUE_PROPERTY] = readScalar(shape.value, el.text, `${pointer}/${VALUE_PROPERTY}`, path)
  } else if (!ctx.tolerant && el.text.trim() !== '') {
    throw new JsonCodecError('text where the type allows only elements', pointer, path)
  }
  const counts = new Map<string, number>()
  for (const child of el.children) {
    const prop = shape.byLocal.get(child.local)
    const n = (counts.get(child.local) ?? 0) + 1
    counts.set(child.local, n)
    const childPath = `${path}/${child.local}${n > 1 || prop?.array === true ? `[${n}]` : ''}`
    if (prop !== undefined && prop.element.uri === child.uri) {
      if (prop.array) {
        let list = out[prop.name] as unknown[] | undefined
        if (list === undefined) {
          list = []
          out[prop.name] = list
        }
        list.push(readElement(child, prop.shape, ctx, `${pointer}/${escapePointer(prop.name)}/${list.length}`, childPath))
      } else {
        if (Object.hasOwn(out, prop.name) && !ctx.tolerant) throw new JsonCodecError(`${child.local} occurs more than once`, `${pointer}/${escapePointer(prop.name)}`, childPath)
        out[prop.name] = readElement(child, prop.shape, ctx, `${pointer}/${escapePointer(prop.name)}`, childPath)
      }
      continue
    }
    const admitted = shape.wildcard !== undefined && admits(shape.wildcard.wildcards, child.uri)
    if (!admitted) {
      if (!ctx.tolerant) throw new JsonCodecError(`the element ${child.local} is not in the schema here`, pointer, childPath)
      ctx.unknown++
    }
    let list = out[ANY_PROPERTY] as string[] | undefined
    if (list === undefined) {
      list = []
      out[ANY_PROPERTY] = list
    }
    list.push(fragmentOf(child, ctx))
  }
  // Properties in schema order, whatever the document order of attributes and elements.
  const ordered: Record<string, unknown> = {}
  for (const a of shape.attributes) if (Object.hasOwn(out, a.name)) ordered[a.name] = out[a.name]
  if (Object.hasOwn(out, VALUE_PROPERTY)) ordered[VALUE_PROPERTY] = out[VALUE_PROPERTY]
  for (const p of shape.content) if (Object.hasOwn(out, p.name)) ordered[p.name] = out[p.name]
  if (!Object.hasOwn(ordered, ANY_PROPERTY) && Object.hasOwn(out, ANY_PROPERTY)) ordered[ANY_PROPERTY] = out[ANY_PROPERTY]
  return ordered
}

/**
 * The JSON of the document whose root is `root` (declared as `decl`). `bytes` is the buffer the
 * tree was parsed from: wildcard content is copied from it.
 */
export function treeToJson (mapping: JsonMapping, decl: ElementDecl, root: XmlElement, bytes: Buffer, options: TreeToJsonOptions = {}): TreeToJsonResult {
  const ctx: ReadContext = { bytes, tolerant: options.tolerant === true, unknown: 0 }
  const path = `/${root.local}`
  if (root.local !== decl.local || root.uri !== decl.uri) throw new JsonCodecError(`the root element is ${root.local}, not ${decl.local}`, '', path)
  const shape = mapping.shapeOf(decl.type)
  const value = readElement(root, shape, ctx, '', path)
  if (shape.kind !== 'object') throw new JsonCodecError('the root element must have element content', '', path)
  return { value: value as Record<string, unknown>, unknown: ctx.unknown }
}

// ----- JSON → XML -----

export interface JsonToXmlOptions {
  /** the prefix of the document's namespace (default `ns1`, as the SNE's own documents); '' for a default namespace */
  prefix?: string
  /** write the XML declaration `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` (default true) */
  declaration?: boolean
}

// C0 controls but TAB/LF/CR, lone surrogates, U+FFFE/U+FFFF: XML 1.0 cannot carry them at all.
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

interface WriteContext {
  out: string[]
  /** the main namespace and its prefix */
  uri: string
  prefix: string
}

function isObject (v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function writeScalar (t: SimpleType, v: unknown, pointer: string, path: string): string {
  switch (t.json) {
    case 'boolean':
      if (typeof v !== 'boolean') throw new JsonCodecError('expected a boolean', pointer, path)
      return v ? 'true' : 'false'
    case 'integer':
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new JsonCodecError('expected an integer', pointer, path)
      return String(v)
    case 'number': {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new JsonCodecError('expected a finite number', pointer, path)
      const s = String(v)
      // xs:decimal has no exponent form.
      return /e/i.test(s) ? v.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 }) : s
    }
    default:
      if (typeof v !== 'string') throw new JsonCodecError('expected a string', pointer, path)
      if (NOT_XML.test(v)) throw new JsonCodecError('a character XML 1.0 cannot carry (control character or lone surrogate)', pointer, path)
      return v
  }
}

function tagName (ctx: WriteContext, decl: ElementDecl, pointer: string, path: string): { name: string, decl: string } {
  if (decl.uri === ctx.uri) return { name: ctx.prefix === '' ? decl.local : `${ctx.prefix}:${decl.local}`, decl: '' }
  if (decl.uri === '') {
    // An unqualified element under a default namespace must undeclare it.
    return { name: decl.local, decl: ctx.prefix === '' ? ' xmlns=""' : '' }
  }
  throw new JsonCodecError(`the element ${decl.local} is in a namespace the writer does not declare`, pointer, path)
}

function writeElement (ctx: WriteContext, decl: ElementDecl, shape: Shape, v: unknown, pointer: string, path: string, rootDecls: string): void {
  const tag = tagName(ctx, decl, pointer, path)
  const open = `<${tag.name}${rootDecls}${tag.decl}`
  switch (shape.kind) {
    case 'scalar': {
      const text = writeScalar(shape.type, v, pointer, path)
      ctx.out.push(`${open}>${escapeXmlText(text)}</${tag.name}>\n`)
      return
    }
    case 'code': {
      const a = shape.attribute
      const text = writeScalar(a.type, v, pointer, `${path}/@${a.local}`)
      ctx.out.push(`${open} ${a.local}="${escapeXmlAttribute(text)}"/>\n`)
      return
    }
    case 'object': {
      if (!isObject(v)) throw new JsonCodecError('expected an object', pointer, path)
      writeObject(ctx, shape, v, open, tag.name, pointer, path)
    }
  }
}

function writeObject (ctx: WriteContext, shape: ObjectShape, v: Record<string, unknown>, open: string, name: string, pointer: string, path: string): void {
  const known = new Set<string>()
  let start = open
  for (const a of shape.attributes) {
    known.add(a.name)
    const value = v[a.name]
    if (value === undefined) continue
    const text = writeScalar(a.attribute.type, value, `${pointer}/${escapePointer(a.name)}`, `${path}/@${a.attribute.local}`)
    if (a.attribute.uri !== '') throw new JsonCodecError(`the attribute ${a.attribute.local} is in a namespace the writer does not declare`, pointer, path)
    start += ` ${a.attribute.local}="${escapeXmlAttribute(text)}"`
  }
  let text = ''
  if (shape.value !== undefined) {
    known.add(VALUE_PROPERTY)
    text = escapeXmlText(writeScalar(shape.value, v[VALUE_PROPERTY], `${pointer}/${VALUE_PROPERTY}`, path))
  }
  // The start tag's slot: filled once we know whether the element is empty.
  const slot = ctx.out.length
  ctx.out.push('')
  for (const p of shape.content) {
    known.add(p.name)
    const value = v[p.name]
    if (value === undefined) continue
    const at = `${pointer}/${escapePointer(p.name)}`
    if (p.kind === 'any') writeFragments(ctx, p, value, at, path)
    else writeProperty(ctx, p, value, at, path)
  }
  for (const key of Object.keys(v)) {
    if (!known.has(key) && v[key] !== undefined) throw new JsonCodecError(`the property ${key} is not in the schema here`, `${pointer}/${escapePointer(key)}`, path)
  }
  if (ctx.out.length === slot + 1) {
    ctx.out[slot] = text === '' ? `${start}/>\n` : `${start}>${text}</${name}>\n`
  } else {
    ctx.out[slot] = `${start}>${text}\n`
    ctx.out.push(`</${name}>\n`)
  }
}

function writeProperty (ctx: WriteContext, p: ElementProperty, value: unknown, pointer: string, path: string): void {
  if (p.array) {
    if (!Array.isArray(value)) throw new JsonCodecError('expected an array', pointer, `${path}/${p.element.local}`)
    for (const [i, item] of value.entries()) writeElement(ctx, p.element, p.shape, item, `${pointer}/${i}`, `${path}/${p.element.local}[${i + 1}]`, '')
    return
  }
  writeElement(ctx, p.element, p.shape, value, pointer, `${path}/${p.element.local}`, '')
}

function writeFragments (ctx: WriteContext, p: WildcardProperty, value: unknown, pointer: string, path: string): void {
  if (!Array.isArray(value)) throw new JsonCodecError('expected an array of XML fragments', pointer, path)
  for (const [i, item] of value.entries()) {
    const at = `${pointer}/${i}`
    if (typeof item !== 'string') throw new JsonCodecError('expected an XML fragment (a string)', at, path)
    const trimmed = item.trim()
    if (!trimmed.startsWith('<') || trimmed.startsWith('<?') || trimmed.startsWith('<!')) throw new JsonCodecError('an XML fragment must be one element', at, path)
    let root: XmlElement
    try {
      const doc = parseXml(Buffer.from(trimmed, 'utf8'))
      if (doc.processingInstructions.length > 0) throw new JsonCodecError('an XML fragment must not hold processing instructions', at, path)
      root = doc.root
    } catch (err) {
      if (err instanceof JsonCodecError) throw err
      throw new JsonCodecError(`not a well-formed XML element: ${(err as Error).message}`, at, path)
    }
    if (!admits(p.wildcards, root.uri)) throw new JsonCodecError(`the element ${root.local} is not admitted here (its namespace is not one the wildcard allows)`, at, `${path}/${root.local}`)
    ctx.out.push(`${trimmed}\n`)
  }
}

/**
 * The XML document of `value`, the JSON of an element declared as `decl` (an interfaceNuu root).
 * @throws JsonCodecError when a value cannot be written faithfully
 */
export function jsonToXml (mapping: JsonMapping, decl: ElementDecl, value: unknown, options: JsonToXmlOptions = {}): string {
  const prefix = options.prefix ?? 'ns1'
  const ctx: WriteContext = { out: [], uri: decl.uri, prefix }
  if (options.declaration ?? true) ctx.out.push('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n')
  const ns = decl.uri === '' ? '' : prefix === '' ? ` xmlns="${escapeXmlAttribute(decl.uri)}"` : ` xmlns:${prefix}="${escapeXmlAttribute(decl.uri)}"`
  const shape = mapping.shapeOf(decl.type)
  if (shape.kind !== 'object') throw new JsonCodecError('the root element must have element content', '', `/${decl.local}`)
  writeElement(ctx, decl, shape, value, '', `/${decl.local}`, ns)
  return ctx.out.join('')
}
