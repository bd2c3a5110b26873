// Documents generated from the schema model, valid by construction, then mutated: the input of
// the differential test between the compiled validator and libxml2. Seeded (mulberry32): a seed
// and an index give the same document on every run.
import type { ElementDecl, Particle, SchemaModel, SimpleType, TypeDef } from '../../../src/contract/schema-model.js'

export type Random = () => number

/** The seeded PRNG (mulberry32) the simulator's `--seed` uses. */
export { createPrng as mulberry32 } from '../../../src/simulator/seed.js'

export interface Node {
  ns: string
  name: string
  attrs: Array<[string, string]>
  children: Node[]
  text: string
}

const int = (r: Random, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1))
const pick = <T>(r: Random, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!
const pad = (n: number, w: number): string => String(n).padStart(w, '0')

// --- values matching an XSD pattern (the subset the interface uses: classes, groups, |, quantifiers)

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.+/@ '

function classChars (body: string): string[] {
  let negated = false
  let i = 0
  if (body[0] === '^') { negated = true; i = 1 }
  const set = new Set<string>()
  while (i < body.length) {
    let c = body[i]!
    if (c === '\\') {
      const e = body[i + 1]!
      i += 2
      if (e === 's') { for (const s of ' \t\n\r') set.add(s); continue }
      if (e === 'd') { for (const s of '0123456789') set.add(s); continue }
      c = e
    } else i++
    if (body[i] === '-' && i + 1 < body.length) {
      const to = body[i + 1]!
      i += 2
      for (let x = c.charCodeAt(0); x <= to.charCodeAt(0); x++) set.add(String.fromCharCode(x))
    } else set.add(c)
  }
  return negated ? [...ALPHABET].filter((x) => !set.has(x) && x !== ' ') : [...set]
}

/** A random string matching `pattern` (whole value). */
export function fromPattern (r: Random, pattern: string): string {
  let i = 0
  const alt = (): string => {
    const seqs: Array<Array<() => string>> = [[]]
    while (i < pattern.length && pattern[i] !== ')') {
      if (pattern[i] === '|') { i++; seqs.push([]); continue }
      let gen: () => string
      const c = pattern[i]!
      if (c === '(') {
        i++
        const inner = i
        let depth = 0
        // the group's source, generated afresh on each use
        for (; i < pattern.length; i++) {
          if (pattern[i] === '\\') { i++; continue }
          if (pattern[i] === '(') depth++
          if (pattern[i] === ')') { if (depth === 0) break; depth-- }
        }
        const src = pattern.slice(inner, i)
        i++
        gen = () => fromPattern(r, src)
      } else if (c === '[') {
        const end = pattern.indexOf(']', i + 2)
        const chars = classChars(pattern.slice(i + 1, end))
        i = end + 1
        gen = () => pick(r, chars)
      } else if (c === '\\') {
        const e = pattern[i + 1]!
        i += 2
        gen = e === 'd' ? () => String(int(r, 0, 9)) : e === 's' ? () => ' ' : () => e
      } else if (c === '.') {
        i++
        gen = () => pick(r, [...'abcXYZ019'])
      } else {
        i++
        gen = () => c
      }
      let min = 1
      let max = 1
      const q = pattern[i]
      if (q === '?') { min = 0; max = 1; i++ } else if (q === '*') { min = 0; max = 4; i++ } else if (q === '+') { min = 1; max = 5; i++ } else if (q === '{') {
        const end = pattern.indexOf('}', i)
        const [a, b] = pattern.slice(i + 1, end).split(',')
        min = Number(a)
        max = b === undefined ? min : b === '' ? min + 4 : Number(b)
        i = end + 1
      }
      const lo = min
      const hi = max
      seqs[seqs.length - 1]!.push(() => {
        let s = ''
        for (let n = int(r, lo, hi); n > 0; n--) s += gen()
        return s
      })
    }
    return pick(r, seqs).map((g) => g()).join('')
  }
  return alt()
}

// --- valid values of a simple type

function validValue (r: Random, t: SimpleType): string {
  if (t.enumeration !== undefined) return pick(r, t.enumeration).value
  const last = t.patterns.at(-1)
  if (last !== undefined) {
    for (let tries = 0; tries < 20; tries++) {
      const v = fromPattern(r, pick(r, last))
      const n = [...v].length
      if ((t.minLength ?? 0) <= n && n <= (t.maxLength ?? Infinity) && (t.length === undefined || n === t.length)) return v
    }
  }
  switch (t.builtin) {
    case 'date': return `${int(r, 1950, 2030)}-${pad(int(r, 1, 12), 2)}-${pad(int(r, 1, 28), 2)}`
    case 'dateTime': return `${int(r, 1950, 2030)}-${pad(int(r, 1, 12), 2)}-${pad(int(r, 1, 28), 2)}T${pad(int(r, 0, 23), 2)}:${pad(int(r, 0, 59), 2)}:${pad(int(r, 0, 59), 2)}`
    case 'gYear': return String(int(r, 1900, 2030))
    case 'boolean': return pick(r, ['true', 'false'])
    case 'positiveInteger': case 'nonNegativeInteger': case 'integer': case 'int': {
      const max = t.maxInclusive === undefined ? 1000 : Math.min(1000, Number(t.maxInclusive))
      return String(int(r, Math.max(1, Number(t.minInclusive ?? 1)), max))
    }
    default: {
      const lo = t.length ?? t.minLength ?? 1
      const hi = t.length ?? Math.min(t.maxLength ?? 12, lo + 12)
      let s = ''
      for (let n = int(r, lo, hi); n > 0; n--) s += pick(r, [...'abcdefghXYZ'])
      return s
    }
  }
}

/** A value that is likely outside the type: junk of other types, lengths, case, spaces. */
export function badValue (r: Random, t: SimpleType): string {
  const v = validValue(r, t)
  return pick(r, [
    '', 'x', '-1', '0', '00', '1.5', '2020-13-01', '2021-02-29', '2020-02-30T10:00:00', '0000-01-01', '24:00', 'true ', 'TRUE',
    `${v}X`, v.toLowerCase(), v.toUpperCase(), v.slice(1), `${v}${v}`, ` ${v} `, 'é'.repeat(int(r, 1, 300)),
    v.replace(/[0-9]/, 'A'), '99999999999999999999', '+12', '2020-01-01Z', '2020-01-01+15:00', '2020-1-1', '12345', 'G12345'
  ])
}

// --- documents

const MAX_DEPTH = 12

interface Gen { r: Random, model: SchemaModel, depth: number }

function elementNode (g: Gen, d: ElementDecl): Node {
  const node: Node = { ns: d.uri, name: d.local, attrs: [], children: [], text: '' }
  fill(g, node, d.type)
  if (d.fixed !== undefined) node.text = d.fixed
  return node
}

function fill (g: Gen, node: Node, t: TypeDef): void {
  if (t.kind === 'simple') { node.text = validValue(g.r, t); return }
  for (const a of t.attributes) {
    if (a.required || g.r() < 0.5) node.attrs.push([a.local, a.fixed ?? validValue(g.r, a.type)])
  }
  if (t.simpleContent !== undefined) node.text = validValue(g.r, t.simpleContent)
  if (t.content !== undefined) node.children = particle({ ...g, depth: g.depth + 1 }, t.content)
}

function occurrences (g: Gen, min: number, max: number): number {
  const hi = Math.min(max, min + 2, g.depth > MAX_DEPTH ? min : Infinity)
  return int(g.r, min, Math.max(min, hi))
}

function particle (g: Gen, p: Particle): Node[] {
  if (p.kind === 'element') {
    const out: Node[] = []
    for (let n = occurrences(g, p.element.min, p.element.max); n > 0; n--) out.push(elementNode(g, p.element))
    return out
  }
  if (p.kind === 'any') {
    const out: Node[] = []
    if (g.r() < 0.2) for (let n = occurrences(g, p.min, p.max); n > 0; n--) out.push({ ns: 'urn:example:extension', name: 'ext', attrs: [['a', 'b']], children: [], text: 'free' })
    return out
  }
  const out: Node[] = []
  for (let n = occurrences(g, p.min, p.max); n > 0; n--) {
    if (p.kind === 'choice') out.push(...particle(g, pick(g.r, p.particles)))
    else for (const c of p.particles) out.push(...particle(g, c))
  }
  return out
}

/** A valid document of the global element `root` (`{uri}local`). */
export function generateDocument (r: Random, model: SchemaModel, root: string): Node {
  return elementNode({ r, model, depth: 0 }, model.elements.get(root)!)
}

function all (node: Node, out: Array<{ node: Node, parent: Node | undefined }> = [], parent?: Node): Array<{ node: Node, parent: Node | undefined }> {
  out.push({ node, parent })
  for (const c of node.children) all(c, out, node)
  return out
}

/** The type of each generated element, found again by walking the model along the names. */
function typeOf (model: SchemaModel, root: Node, target: Node): TypeDef | undefined {
  const find = (p: Particle | undefined, n: Node): ElementDecl | undefined => {
    if (p === undefined || p.kind === 'any') return undefined
    if (p.kind === 'element') return p.element.local === n.name && p.element.uri === n.ns ? p.element : undefined
    for (const c of p.particles) {
      const d = find(c, n)
      if (d !== undefined) return d
    }
    return undefined
  }
  const walk = (n: Node, t: TypeDef): TypeDef | undefined => {
    if (n === target) return t
    if (t.kind !== 'complex') return undefined
    for (const c of n.children) {
      const d = find(t.content, c)
      if (d === undefined) continue
      const found = walk(c, d.type)
      if (found !== undefined) return found
    }
    return undefined
  }
  const decl = model.elements.get(`{${root.ns}}${root.name}`)
  return decl === undefined ? undefined : walk(root, decl.type)
}

export const MUTATIONS = ['drop', 'duplicate', 'reorder', 'value', 'attribute-value', 'unknown-attribute', 'drop-attribute', 'namespace', 'foreign', 'unknown-element', 'none'] as const
export type Mutation = typeof MUTATIONS[number]

/** Mutates `doc` in place with one mutation; returns its name. */
export function mutate (r: Random, model: SchemaModel, doc: Node, kind: Mutation = pick(r, MUTATIONS)): Mutation {
  const nodes = all(doc)
  const { node, parent } = pick(r, nodes)
  switch (kind) {
    case 'drop':
      if (parent !== undefined) parent.children.splice(parent.children.indexOf(node), 1)
      break
    case 'duplicate':
      if (parent !== undefined) parent.children.splice(parent.children.indexOf(node), 0, structuredClone(node))
      break
    case 'reorder':
      if (parent !== undefined && parent.children.length > 1) {
        const i = int(r, 0, parent.children.length - 2)
        const [a] = parent.children.splice(i, 1)
        parent.children.splice(i + 1, 0, a!)
      }
      break
    case 'value': {
      const leaves = nodes.filter((x) => x.node.children.length === 0)
      const leaf = pick(r, leaves).node
      const t = typeOf(model, doc, leaf)
      if (t?.kind === 'simple') leaf.text = badValue(r, t)
      else if (t?.kind === 'complex' && t.content === undefined && t.simpleContent === undefined) leaf.text = 'text'
      break
    }
    case 'attribute-value': {
      const withAttrs = nodes.filter((x) => x.node.attrs.length > 0)
      if (withAttrs.length === 0) break
      const n = pick(r, withAttrs).node
      const t = typeOf(model, doc, n)
      const i = int(r, 0, n.attrs.length - 1)
      const decl = t?.kind === 'complex' ? t.attributes.find((a) => a.local === n.attrs[i]![0]) : undefined
      if (decl !== undefined) n.attrs[i]![1] = badValue(r, decl.type)
      break
    }
    case 'unknown-attribute':
      node.attrs.push([pick(r, ['foo', 'code', 'versionInterface', 'id']), 'X1'])
      node.attrs = node.attrs.filter((a, i) => node.attrs.findIndex((b) => b[0] === a[0]) === i)
      break
    case 'drop-attribute':
      node.attrs.pop()
      break
    case 'namespace':
      node.ns = pick(r, ['', 'urn:wrong', 'http://nuu.application.i2/x'])
      break
    case 'foreign':
      if (node.text === '' || node.children.length > 0) node.children.splice(int(r, 0, node.children.length), 0, { ns: 'urn:other', name: 'extra', attrs: [], children: [], text: '1' })
      break
    case 'unknown-element':
      if (node.text === '' || node.children.length > 0) node.children.splice(int(r, 0, node.children.length), 0, { ns: doc.ns, name: pick(r, ['inconnu', 'demande', 'entete', 'numGuichet']), attrs: [], children: [], text: '' })
      break
    case 'none':
      break
  }
  return kind
}

function escape (s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;')
}

/** The document as XML: a default namespace declaration wherever an element's namespace changes. */
export function serialize (doc: Node): Buffer {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>\n']
  const write = (n: Node, parentNs: string | undefined, depth: number): void => {
    out.push(`${'  '.repeat(depth)}<${n.name}`)
    if (n.ns !== parentNs) out.push(` xmlns="${escape(n.ns)}"`)
    for (const [k, v] of n.attrs) out.push(` ${k}="${escape(v)}"`)
    if (n.children.length === 0) {
      out.push(n.text === '' ? '/>\n' : `>${escape(n.text)}</${n.name}>\n`)
      return
    }
    out.push('>\n')
    for (const c of n.children) write(c, n.ns, depth + 1)
    out.push(`${'  '.repeat(depth)}</${n.name}>\n`)
  }
  write(doc, undefined, 0)
  return Buffer.from(out.join(''), 'utf8')
}
