/**
 * The demande as a tree of `XmlNode`s: converted once from the light tree of `soap/`'s reader,
 * kept as JSON by the store, written back by `xml-writer.ts`. Helpers read and place children in
 * the order of the interfaceNuu schema, so that answers stay valid.
 */
import type { XmlElement } from '../soap/types.js'
import type { XmlNode } from './xml-writer.js'

/** The interfaceNuu namespace. */
export const NUU_NS = 'http://nuu.application.i2/'

const XMLNS_NS = 'http://www.w3.org/2000/xmlns/'

/** Children of demandeLogement in schema order (TDemandeLogement); extension elements follow. */
export const DEMANDE_ORDER = [
  'numGuichet', 'numUnique', 'dateCreationDemande', 'dateRenouvellement', 'dateFinValidite',
  'personnePhysique', 'personneMorale', 'listeMotifDemande', 'handicap', 'dalo', 'logementRecherche',
  'radiation', 'listeEvenement', 'listeAnomalie'
]

/** Children of radiation in schema order (TRadiation). */
export const RADIATION_ORDER = ['motif', 'sousMotif', 'dateRadiation', 'attribution']

/** Children of dalo in schema order (TDalo). */
export const DALO_ORDER = ['statutDalo', 'dateDecisionDalo', 'typologieLogementDalo']

/**
 * Converts an element of the reader's tree. Elements of the interfaceNuu namespace carry no
 * `uri` (the writer's main namespace); namespace declarations are dropped (the writer declares
 * what it uses); the text of an element with children is indentation and is dropped.
 */
export function fromElement (el: XmlElement): XmlNode {
  const node: XmlNode = { name: el.local }
  if (el.uri !== NUU_NS) node.uri = el.uri
  const attrs = el.attributes.filter((a) => a.uri !== XMLNS_NS && a.prefix !== 'xmlns' && !(a.prefix === '' && a.local === 'xmlns'))
  if (attrs.length > 0) node.attrs = attrs.map((a) => (a.uri === '' ? { name: a.local, value: a.value } : { name: a.local, uri: a.uri, value: a.value }))
  if (el.children.length > 0) node.children = el.children.map(fromElement)
  else if (el.text !== '') node.text = el.text
  return node
}

/** True for a child of the interfaceNuu namespace with this local name. */
function isNamed (node: XmlNode, name: string): boolean {
  return node.name === name && node.uri === undefined
}

/** The first child with this name. */
export function child (node: XmlNode | undefined, name: string): XmlNode | undefined {
  return node?.children?.find((c) => isNamed(c, name))
}

/** Every child with this name. */
export function childrenNamed (node: XmlNode | undefined, name: string): XmlNode[] {
  return node?.children?.filter((c) => isNamed(c, name)) ?? []
}

/** Follows a path of child names. */
export function at (node: XmlNode | undefined, ...path: string[]): XmlNode | undefined {
  let current = node
  for (const name of path) current = child(current, name)
  return current
}

/** The trimmed text at a path, or undefined. */
export function textAt (node: XmlNode | undefined, ...path: string[]): string | undefined {
  const found = at(node, ...path)
  return found === undefined ? undefined : (found.text ?? '').trim()
}

/** The `code` attribute at a path (code-carrying elements such as `<civilite code="2"/>`), or undefined. */
export function codeAt (node: XmlNode | undefined, ...path: string[]): string | undefined {
  return at(node, ...path)?.attrs?.find((a) => a.name === 'code' && (a.uri ?? '') === '')?.value
}

/** A leaf element holding text. */
export function leaf (name: string, text: string): XmlNode {
  return { name, text }
}

/** An empty element carrying a code. */
export function coded (name: string, code: string): XmlNode {
  return { name, attrs: [{ name: 'code', value: code }] }
}

/**
 * Returns a copy of `node` where the children named `value.name` are replaced by `value` (or
 * removed when `value` is a name alone), placed at its position in `order`. Children unknown to
 * `order` (extension elements) keep their place after the known ones.
 */
export function withChild (node: XmlNode, order: readonly string[], name: string, value: XmlNode | undefined): XmlNode {
  const kept = (node.children ?? []).filter((c) => !isNamed(c, name))
  if (value === undefined) return { ...node, children: kept }
  const rank = order.indexOf(name)
  if (rank < 0) throw new RangeError(`${name} has no place in this element`)
  const index = kept.findIndex((c) => {
    const r = c.uri === undefined ? order.indexOf(c.name) : -1
    return r < 0 || r > rank
  })
  const children = index < 0 ? [...kept, value] : [...kept.slice(0, index), value, ...kept.slice(index)]
  return { ...node, children }
}

/** `withChild` applied for several names in turn. */
export function withChildren (node: XmlNode, order: readonly string[], values: Record<string, XmlNode | undefined>): XmlNode {
  let result = node
  for (const [name, value] of Object.entries(values)) result = withChild(result, order, name, value)
  return result
}
