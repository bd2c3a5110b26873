/**
 * Where a value stands, in both of its forms: the JSON Pointer in a document's JSON and the XSD
 * path (`/interfaceNuu/demande[1]/…/@code`) of the same field in its XML. Errors of the JSON side
 * give both, so that an integrator finds the field whichever form they work in.
 */
import type { ElementDecl } from './schema-model.js'
import { ANY_PROPERTY, VALUE_PROPERTY, type JsonMapping, type ObjectShape, type Shape } from './json-mapping.js'

/** A JSON Pointer reference token (RFC 6901). */
export function escapeToken (name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1')
}

export function unescapeToken (token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~')
}

/** The XSD path (`/interfaceNuu/demande[1]/…/@code`) of the value at `pointer`. */
export function xsdPathOf (mapping: JsonMapping, root: ElementDecl, pointer: string): string {
  let path = `/${root.local}`
  let shape: Shape | undefined = mapping.shapeOf(root.type)
  const tokens = pointer === '' ? [] : pointer.slice(1).split('/').map(unescapeToken)
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!
    if (shape?.kind !== 'object') return path
    const obj: ObjectShape = shape
    const attr = obj.attributes.find((a) => a.name === token)
    if (attr !== undefined) return `${path}/@${attr.attribute.local}`
    if (token === ANY_PROPERTY) return `${path}/*`
    if (token === VALUE_PROPERTY) return path
    const prop = obj.byLocal.get(token)
    if (prop === undefined) return `${path}/${token}`
    path += `/${prop.element.local}`
    if (prop.array && i + 1 < tokens.length && /^[0-9]+$/.test(tokens[i + 1]!)) {
      path += `[${Number(tokens[i + 1]) + 1}]`
      i++
    }
    shape = prop.shape
    if (shape.kind === 'code' && i === tokens.length - 1) return `${path}/@${shape.attribute.local}`
  }
  if (shape?.kind === 'code') return `${path}/@${shape.attribute.local}`
  return path
}

/**
 * The JSON Pointer of the value an XSD path (`/interfaceNuu/demande[2]/…/@code`, as XML
 * violations give it) names in the document's JSON, or undefined when the path leaves the schema.
 * The inverse of `xsdPathOf`.
 */
export function pointerOfPath (v: { mapping: JsonMapping, root: ElementDecl }, path: string | undefined): string | undefined {
  if (path === undefined) return undefined
  const steps = path.split('/').filter((s) => s !== '')
  if (steps[0] !== v.root.local) return undefined
  let shape: Shape = v.mapping.shapeOf(v.root.type)
  let pointer = ''
  for (const step of steps.slice(1)) {
    if (step.startsWith('@')) {
      const local = step.slice(1)
      if (shape.kind === 'code') return shape.attribute.local === local ? pointer : undefined
      if (shape.kind !== 'object') return undefined
      const attr = shape.attributes.find((a) => a.attribute.local === local)
      return attr === undefined ? undefined : `${pointer}/${escapeToken(attr.name)}`
    }
    const m = /^([^[\]]+)(?:\[([0-9]+)\])?$/.exec(step)
    if (m === null || shape.kind !== 'object') return undefined
    const prop = shape.byLocal.get(m[1]!)
    if (prop === undefined) return undefined
    const nth = m[2] === undefined ? 1 : Number(m[2])
    pointer += `/${escapeToken(prop.name)}`
    if (prop.array) pointer += `/${nth - 1}`
    else if (nth !== 1) return undefined
    shape = prop.shape
  }
  return pointer
}
