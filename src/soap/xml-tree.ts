/**
 * Small read-only helpers over the reader's light tree (`XmlElement`).
 */
import type { XmlElement } from './types.js'
import { XML_NAMESPACE } from './xml-reader.js'

/** The namespace URI bound to `prefix` where `el` stands ('' prefix: the default namespace). */
export function lookupNamespaceUri (el: XmlElement | undefined, prefix: string): string | undefined {
  if (prefix === 'xml') return XML_NAMESPACE
  for (let e = el; e !== undefined; e = e.parent) {
    const ns = e.namespaces
    if (ns !== undefined && Object.hasOwn(ns, prefix)) return ns[prefix]
  }
  return prefix === '' ? '' : undefined
}

/** The element's name as written (`prefix:local`). */
export function qualifiedName (el: XmlElement): string {
  return el.prefix === '' ? el.local : `${el.prefix}:${el.local}`
}

/**
 * An XPath-like path of local names from the root, with a 1-based index where siblings
 * share the name, e.g. `/Envelope/Body/numUniqueParametres/fichierDemande`.
 */
export function elementPath (el: XmlElement): string {
  const steps: string[] = []
  for (let e: XmlElement | undefined = el; e !== undefined; e = e.parent) {
    let step = e.local
    const parent: XmlElement | undefined = e.parent
    if (parent !== undefined) {
      let index = 0
      let same = 0
      for (const sibling of parent.children) {
        if (sibling.local === e.local && sibling.uri === e.uri) {
          same++
          if (sibling === e) index = same
        }
      }
      if (same > 1) step += `[${index}]`
    }
    steps.push(step)
  }
  return '/' + steps.reverse().join('/')
}

/** The element children of `el`, optionally only those of one expanded name. */
export function childElements (el: XmlElement, uri?: string, local?: string): XmlElement[] {
  if (uri === undefined && local === undefined) return el.children
  return el.children.filter((c) => (uri === undefined || c.uri === uri) && (local === undefined || c.local === local))
}

/** The value of an attribute by expanded name (unprefixed attributes have the namespace ''). */
export function attributeValue (el: XmlElement, local: string, uri = ''): string | undefined {
  for (const a of el.attributes) {
    if (a.local === local && a.uri === uri) return a.value
  }
  return undefined
}

/** Visits `root` and its descendants in document order, without recursion. */
export function walkElements (root: XmlElement, visit: (el: XmlElement) => void): void {
  const stack: XmlElement[] = [root]
  while (stack.length > 0) {
    const el = stack.pop()!
    visit(el)
    for (let i = el.children.length - 1; i >= 0; i--) stack.push(el.children[i]!)
  }
}
