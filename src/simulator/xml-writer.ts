/**
 * A small XML writer for the answers the simulator builds. It writes documents, it never parses
 * (reading is `soap/`'s job): elements of one main namespace get one prefix declared on the root;
 * elements of any other namespace declare their own prefix where they appear. Every text and
 * attribute value is escaped, and characters XML 1.0 cannot carry are replaced, so that no value
 * a client sent can change the structure of an answer.
 */

export interface XmlNodeAttribute {
  /** local name */
  name: string
  /** namespace URI; '' or undefined for an unqualified attribute */
  uri?: string
  value: string
}

/** An element to write. */
export interface XmlNode {
  /** local name */
  name: string
  /** namespace URI; undefined means the document's main namespace, '' means no namespace */
  uri?: string
  attrs?: XmlNodeAttribute[]
  /** text content, written before the children */
  text?: string
  children?: XmlNode[]
}

export interface WriteOptions {
  /** the main namespace and its prefix (e.g. `http://nuu.application.i2/`, `ns2`) */
  uri: string
  prefix: string
  /** write `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` first (default true) */
  declaration?: boolean
}

// XML 1.0 Char production: anything else (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/F) is replaced.
const INVALID_CHARS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu

/** Escapes a text node. `\r` is written as a character reference so that it survives parsing. */
export function escapeText (value: string): string {
  return value.replace(INVALID_CHARS, '\uFFFD').replace(/[&<>\r]/g, (c) => TEXT_ESCAPES[c]!)
}

/** Escapes an attribute value written between double quotes; whitespace controls survive normalization. */
export function escapeAttribute (value: string): string {
  return value.replace(INVALID_CHARS, '\uFFFD').replace(/[&<>"\t\n\r]/g, (c) => ATTR_ESCAPES[c]!)
}

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' }
const ATTR_ESCAPES: Record<string, string> = { ...TEXT_ESCAPES, '"': '&quot;', '\t': '&#9;', '\n': '&#10;' }

const NAME = /^[A-Za-z_][A-Za-z0-9._-]*$/

function checkName (name: string): string {
  // Names come from our own code or from a parsed document, so this never fires on valid input;
  // it keeps a future mistake from producing a broken document.
  if (!NAME.test(name)) throw new TypeError(`not an XML name: ${JSON.stringify(name)}`)
  return name
}

interface Scope {
  main: string
  prefix: string
  /** namespaces declared by ancestors, uri → prefix */
  declared: Map<string, string>
  counter: { n: number }
}

function nextPrefix (scope: Scope): string {
  let prefix: string
  do prefix = `ns${++scope.counter.n}`
  while (prefix === scope.prefix)
  return prefix
}

function writeNode (node: XmlNode, scope: Scope, out: string[], isRoot: boolean): void {
  const uri = node.uri ?? scope.main
  let declared = scope.declared
  const decls: string[] = []
  let prefix = ''
  if (uri === scope.main) {
    prefix = scope.prefix
  } else if (uri !== '') {
    prefix = declared.get(uri) ?? ''
    if (prefix === '') {
      prefix = nextPrefix(scope)
      declared = new Map(declared).set(uri, prefix)
      decls.push(` xmlns:${prefix}="${escapeAttribute(uri)}"`)
    }
  }
  const attrs: string[] = []
  for (const attr of node.attrs ?? []) {
    let name = checkName(attr.name)
    if (attr.uri !== undefined && attr.uri !== '') {
      let p = attr.uri === scope.main ? scope.prefix : declared.get(attr.uri)
      if (p === undefined) {
        p = nextPrefix(scope)
        declared = new Map(declared).set(attr.uri, p)
        decls.push(` xmlns:${p}="${escapeAttribute(attr.uri)}"`)
      }
      name = `${p}:${name}`
    }
    attrs.push(` ${name}="${escapeAttribute(attr.value)}"`)
  }
  const qname = prefix === '' ? checkName(node.name) : `${prefix}:${checkName(node.name)}`
  const rootDecl = isRoot ? ` xmlns:${scope.prefix}="${escapeAttribute(scope.main)}"` : ''
  out.push(`<${qname}${rootDecl}${decls.join('')}${attrs.join('')}`)
  const children = node.children ?? []
  const text = node.text ?? ''
  if (children.length === 0 && text === '') {
    out.push('/>')
    return
  }
  out.push('>')
  if (text !== '') out.push(escapeText(text))
  const inner: Scope = declared === scope.declared ? scope : { ...scope, declared }
  for (const child of children) writeNode(child, inner, out, false)
  out.push(`</${qname}>`)
}

/** Writes a document (or, with `declaration: false`, a fragment) rooted at `root`. */
export function writeXml (root: XmlNode, options: WriteOptions): string {
  const out: string[] = []
  if (options.declaration ?? true) out.push('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>')
  const scope: Scope = { main: options.uri, prefix: checkName(options.prefix), declared: new Map([[options.uri, options.prefix]]), counter: { n: 2 } }
  writeNode(root, scope, out, true)
  return out.join('')
}
