/**
 * Ties libxml2's view of a document back to the light tree of `soap/`'s reader: libxml2 names
 * the node of a validation error by an XPath (`xmlGetNodePath`) but reports no column, while
 * the light tree knows the line and column of every start tag.
 */
import type { XmlElement } from '../soap/types.js'

/**
 * Finds the element an `xmlGetNodePath` XPath names: steps are `prefix:local`, `local` (an
 * element in no namespace) or `*` (an element in a default namespace), each with an optional 1-based `[n]` among the siblings
 * the step matches. Returns the deepest element reached when a step cannot be followed.
 */
export function locate (root: XmlElement, xpath: string): XmlElement | undefined {
  const steps = xpath.split('/').filter((s) => s !== '')
  let current: XmlElement | undefined
  for (const step of steps) {
    const m = /^([^[]+)(?:\[(\d+)\])?$/.exec(step)
    if (m === null) return current
    const name = m[1]!
    const nth = m[2] === undefined ? 1 : Number(m[2])
    const colon = name.indexOf(':')
    const matches = (el: XmlElement): boolean => name === '*' ||
      (colon < 0 ? el.uri === '' && el.local === name : el.prefix === name.slice(0, colon) && el.local === name.slice(colon + 1))
    const candidates = current === undefined ? [root] : current.children
    const next = candidates.filter(matches)[nth - 1]
    if (next === undefined) return current
    current = next
  }
  return current
}

/** The path of an element, as every violation shows it (`soap/`'s format). */
export { elementPath as pathOf } from '../soap/xml-tree.js'
