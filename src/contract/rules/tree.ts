/**
 * Small readers over the light tree of an interfaceNuu document, shared by the rules. Elements
 * are matched by local name in the document root's namespace (the interfaceNuu schema is
 * elementFormDefault="qualified").
 */
import { pathOf } from '../xml-locator.js'
import type { Violation, XmlElement } from '../../soap/types.js'

/** The first child of `el` named `local` in `el`'s namespace. */
export function child (el: XmlElement | undefined, local: string): XmlElement | undefined {
  return el?.children.find((c) => c.local === local && c.uri === el.uri)
}

/** Every child of `el` named `local` in `el`'s namespace. */
export function children (el: XmlElement | undefined, local: string): XmlElement[] {
  return el === undefined ? [] : el.children.filter((c) => c.local === local && c.uri === el.uri)
}

/** The value of an unqualified attribute, or undefined. */
export function attr (el: XmlElement | undefined, name: string): string | undefined {
  return el?.attributes.find((a) => a.local === name && a.uri === '')?.value
}

/** `interfaceNuu/entete/typeFichier`, trimmed. */
export function typeFichier (root: XmlElement): string | undefined {
  return child(child(root, 'entete'), 'typeFichier')?.text.trim()
}

/** Every `interfaceNuu/demande/demandeLogement`. */
export function demandes (root: XmlElement): XmlElement[] {
  return children(root, 'demande').flatMap((d) => children(d, 'demandeLogement'))
}

/** A violation located at `el` (its path, optionally extended by `suffix`, line and column). */
export function at (el: XmlElement, code: string, message: string, part: string, suffix = ''): Violation {
  return { code, message, path: pathOf(el) + suffix, line: el.line, column: el.column, part }
}
