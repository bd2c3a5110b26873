/**
 * A read-only index of the global declarations of every schema of the spec (the XSD files and
 * the WSDL's inline schemas), enough to answer the catalogue's questions at load time: what
 * are the children of a wrapper element, which of them are base64Binary, which expect an XML
 * document, which value does an attribute fix. libxml2 compiles the schemas for validation;
 * this index only reads their declarations.
 */
import { XSD_NS } from './schema-graph.js'
import type { Libxml2, LxDocument, LxElement } from './libxml2.js'
import type { QName } from '../soap/types.js'

export const XMIME_NS = 'http://www.w3.org/2005/05/xmlmime'

/** A declaration and the schema it belongs to. */
export interface Decl {
  el: LxElement
  /** the targetNamespace of its schema ('' when none) */
  tns: string
  /** elementFormDefault="qualified" in its schema */
  qualified: boolean
  /** the spec file holding it */
  file: string
}

/** A child element declaration of a complex type, with the name instances carry. */
export interface ChildDecl extends QName {
  decl: Decl
}

export interface SchemaIndex {
  elements: Map<string, Decl>
  types: Map<string, Decl>
  groups: Map<string, Decl>
  attributeGroups: Map<string, Decl>
}

const MAX_DEPTH = 32

/** `{uri}local`, the key of the index's maps. */
export function qkey (q: QName): string {
  return `{${q.uri}}${q.local}`
}

/** Element children of a libxml2 element (text, comments and PIs skipped). */
export function elementChildren (lx: Libxml2, el: LxElement): LxElement[] {
  const out: LxElement[] = []
  for (let n = el.firstChild; n !== null; n = n.next) {
    if (n instanceof lx.XmlElement) out.push(n)
  }
  return out
}

function xsChildren (lx: Libxml2, el: LxElement, local?: string): LxElement[] {
  return elementChildren(lx, el).filter((c) => c.namespaceUri === XSD_NS && (local === undefined || c.name === local))
}

function attrValue (el: LxElement, name: string): string | undefined {
  return el.attr(name)?.value
}

/** Resolves a QName-valued attribute against the namespaces in scope on `el`. */
export function resolveQName (el: LxElement, value: string): QName {
  const v = value.trim()
  const colon = v.indexOf(':')
  const prefix = colon < 0 ? '' : v.slice(0, colon)
  return { uri: el.namespaceForPrefix(prefix) ?? '', local: colon < 0 ? v : v.slice(colon + 1) }
}

/** Indexes the global declarations of every `xs:schema` found in `docs` (root or inline). */
export function buildSchemaIndex (lx: Libxml2, docs: Array<{ path: string, doc: LxDocument }>): SchemaIndex {
  const index: SchemaIndex = { elements: new Map(), types: new Map(), groups: new Map(), attributeGroups: new Map() }
  for (const { path, doc } of docs) {
    for (const node of doc.find('//xs:schema', { xs: XSD_NS })) {
      const schema = node as LxElement
      const tns = attrValue(schema, 'targetNamespace') ?? ''
      const qualified = attrValue(schema, 'elementFormDefault') === 'qualified'
      for (const child of xsChildren(lx, schema)) {
        const name = attrValue(child, 'name')
        if (name === undefined) continue
        const decl: Decl = { el: child, tns, qualified, file: path }
        const key = qkey({ uri: tns, local: name })
        const map = child.name === 'element'
          ? index.elements
          : child.name === 'complexType' || child.name === 'simpleType'
            ? index.types
            : child.name === 'group' ? index.groups : child.name === 'attributeGroup' ? index.attributeGroups : undefined
        // The first declaration wins, as when one schema is reachable along two import paths.
        if (map !== undefined && !map.has(key)) map.set(key, decl)
      }
    }
  }
  return index
}

function sameSchema (decl: Decl, el: LxElement): Decl {
  return { el, tns: decl.tns, qualified: decl.qualified, file: decl.file }
}

/** The type definition of an element declaration: inline, named, or undefined for built-ins. */
function typeOf (lx: Libxml2, index: SchemaIndex, decl: Decl): Decl | QName | undefined {
  const inline = xsChildren(lx, decl.el).find((c) => c.name === 'complexType' || c.name === 'simpleType')
  if (inline !== undefined) return sameSchema(decl, inline)
  const type = attrValue(decl.el, 'type')
  if (type === undefined) return undefined
  const q = resolveQName(decl.el, type)
  return index.types.get(qkey(q)) ?? q
}

function particles (lx: Libxml2, index: SchemaIndex, group: Decl, out: ChildDecl[], depth: number): void {
  if (depth > MAX_DEPTH) return
  for (const c of xsChildren(lx, group.el)) {
    if (c.name === 'element') {
      const ref = attrValue(c, 'ref')
      if (ref !== undefined) {
        const q = resolveQName(c, ref)
        const global = index.elements.get(qkey(q))
        if (global !== undefined) out.push({ ...q, decl: global })
        continue
      }
      const local = attrValue(c, 'name') ?? ''
      const form = attrValue(c, 'form')
      const qualified = form === undefined ? group.qualified : form === 'qualified'
      out.push({ uri: qualified ? group.tns : '', local, decl: sameSchema(group, c) })
    } else if (c.name === 'sequence' || c.name === 'choice' || c.name === 'all') {
      particles(lx, index, sameSchema(group, c), out, depth + 1)
    } else if (c.name === 'group') {
      const ref = attrValue(c, 'ref')
      const g = ref === undefined ? undefined : index.groups.get(qkey(resolveQName(c, ref)))
      if (g !== undefined) particles(lx, index, g, out, depth + 1)
    }
  }
}

function complexParticles (lx: Libxml2, index: SchemaIndex, type: Decl, out: ChildDecl[], depth: number): void {
  if (depth > MAX_DEPTH || type.el.name !== 'complexType') return
  for (const c of xsChildren(lx, type.el)) {
    if (c.name === 'complexContent') {
      for (const d of xsChildren(lx, c)) {
        const base = attrValue(d, 'base')
        const baseDecl = base === undefined ? undefined : index.types.get(qkey(resolveQName(d, base)))
        // An extension inherits its base's particles first; a restriction restates them.
        if (d.name === 'extension' && baseDecl !== undefined) complexParticles(lx, index, baseDecl, out, depth + 1)
        particles(lx, index, sameSchema(type, d), out, depth + 1)
      }
    } else if (c.name === 'sequence' || c.name === 'choice' || c.name === 'all' || c.name === 'group') {
      particles(lx, index, sameSchema(type, type.el), out, depth + 1)
      return
    }
  }
}

/** The child element declarations of an element declaration's complex type, in document order. */
export function childElements (lx: Libxml2, index: SchemaIndex, decl: Decl): ChildDecl[] {
  const type = typeOf(lx, index, decl)
  const out: ChildDecl[] = []
  if (type !== undefined && 'el' in type) complexParticles(lx, index, type, out, 0)
  return out
}

function typeDerivesFrom (lx: Libxml2, index: SchemaIndex, type: Decl | QName, target: QName, depth: number): boolean {
  if (depth > MAX_DEPTH) return false
  if (!('el' in type)) return type.uri === target.uri && type.local === target.local
  const holders = type.el.name === 'simpleType'
    ? [type.el]
    : xsChildren(lx, type.el, 'simpleContent')
  for (const holder of holders) {
    for (const d of xsChildren(lx, holder).filter((c) => c.name === 'restriction' || c.name === 'extension')) {
      const base = attrValue(d, 'base')
      if (base !== undefined) {
        const q = resolveQName(d, base)
        if (typeDerivesFrom(lx, index, index.types.get(qkey(q)) ?? q, target, depth + 1)) return true
      } else {
        const inline = xsChildren(lx, d, 'simpleType')[0]
        if (inline !== undefined && typeDerivesFrom(lx, index, sameSchema(type, inline), target, depth + 1)) return true
      }
    }
  }
  return false
}

/** True when the element's type is, or derives from, the built-in `target` (e.g. xs:base64Binary). */
export function elementDerivesFrom (lx: Libxml2, index: SchemaIndex, decl: Decl, target: QName): boolean {
  const type = typeOf(lx, index, decl)
  return type !== undefined && typeDerivesFrom(lx, index, type, target, 0)
}

/**
 * The media types an element declaration expects (`xmime:expectedContentTypes`), lower-cased: on
 * the declaration, else on its type (where JAXB reads it for a type with simple content).
 */
export function expectedContentTypes (lx: Libxml2, index: SchemaIndex, decl: Decl): string[] {
  const expected = (el: LxElement | undefined): { value: string } | undefined =>
    el?.attrs.find((a) => a.namespaceUri === XMIME_NS && a.name === 'expectedContentTypes')
  const type = typeOf(lx, index, decl)
  const attr = expected(decl.el) ?? (type !== undefined && 'el' in type ? expected(type.el) : undefined)
  if (attr === undefined) return []
  return attr.value.split(',').map((s) => s.trim().toLowerCase().split(';')[0]!.trim()).filter((s) => s !== '')
}

function attributesOf (lx: Libxml2, index: SchemaIndex, holder: Decl, depth: number): LxElement[] {
  if (depth > MAX_DEPTH) return []
  const out: LxElement[] = []
  for (const c of xsChildren(lx, holder.el)) {
    if (c.name === 'attribute') out.push(c)
    else if (c.name === 'attributeGroup') {
      const ref = attrValue(c, 'ref')
      const g = ref === undefined ? undefined : index.attributeGroups.get(qkey(resolveQName(c, ref)))
      if (g !== undefined) out.push(...attributesOf(lx, index, g, depth + 1))
    } else if (c.name === 'complexContent' || c.name === 'simpleContent') {
      for (const d of xsChildren(lx, c)) {
        out.push(...attributesOf(lx, index, sameSchema(holder, d), depth + 1))
        const base = attrValue(d, 'base')
        const baseDecl = base === undefined ? undefined : index.types.get(qkey(resolveQName(d, base)))
        if (d.name === 'extension' && baseDecl !== undefined) out.push(...attributesOf(lx, index, baseDecl, depth + 1))
      }
    }
  }
  return out
}

/**
 * The value an element declaration's attribute is bound to: its `fixed` value, or the single
 * enumeration of its inline type. Undefined when the attribute may take several values.
 */
export function fixedAttributeValue (lx: Libxml2, index: SchemaIndex, decl: Decl, name: string): string | undefined {
  const type = typeOf(lx, index, decl)
  if (type === undefined || !('el' in type)) return undefined
  const attr = attributesOf(lx, index, type, 0).find((a) => attrValue(a, 'name') === name)
  if (attr === undefined) return undefined
  const fixed = attrValue(attr, 'fixed')
  if (fixed !== undefined) return fixed.trim()
  const enums = attr.find('./xs:simpleType/xs:restriction/xs:enumeration', { xs: XSD_NS })
  if (enums.length === 1) return attrValue(enums[0] as LxElement, 'value')?.trim()
  return undefined
}
