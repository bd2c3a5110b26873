/**
 * The reader's element: the light tree's data, with its line and column worked out from its
 * byte offset only when read (most elements are never named by a violation, and locating every
 * start tag while parsing was a tenth of the parse).
 */
import type { XmlAttribute, XmlElement } from './types.js'
import type { XmlPositions } from './xml-positions.js'

export class ReaderElement implements XmlElement {
  uri: string
  local: string
  prefix: string
  attributes: XmlAttribute[]
  children: XmlElement[]
  text = ''
  parent: XmlElement | undefined
  start: number
  end = 0
  namespaces: Readonly<Record<string, string>> | undefined
  readonly #positions: XmlPositions

  constructor (
    uri: string, local: string, prefix: string, attributes: XmlAttribute[], children: XmlElement[],
    parent: XmlElement | undefined, start: number, namespaces: Readonly<Record<string, string>> | undefined, positions: XmlPositions
  ) {
    this.uri = uri
    this.local = local
    this.prefix = prefix
    this.attributes = attributes
    this.children = children
    this.parent = parent
    this.start = start
    this.namespaces = namespaces
    this.#positions = positions
  }

  get line (): number {
    return this.#positions.locate(this.start).line
  }

  get column (): number {
    return this.#positions.locate(this.start).column
  }
}
