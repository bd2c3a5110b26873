/**
 * The XSD of an interface version compiled to closures (the way ajv compiles a JSON Schema),
 * from the schema model the JSON contract is generated from, and run on the light tree that
 * `soap/`'s reader already built: one parse per document, no schema interpreted per message.
 *
 * It reports what libxml2 reports, in libxml2's order, with the same GW_SCHEMA_ codes, paths,
 * lines and columns (libxml2 walks the tree in document order: an element's attributes at its
 * start tag; a child the content model does not accept where it stands, skipping it and the
 * siblings after it; a simple value, and missing children, at the element's end). libxml2 stays
 * the oracle: test/contract/compiled-differential.test.ts runs both on the corpus and on
 * generated documents.
 *
 * What it does not compile is found at load (`unsupported`, with file, line and construct): the
 * version then validates with libxml2. A document carrying `xsi:` attributes (xsi:type, xsi:nil,
 * schema location hints) is handed to libxml2 too: `validate` answers undefined.
 */
import { schemaViolation, MAX_SCHEMA_VIOLATIONS } from './violation-mapper.js'
import { compileSimpleType, normalizeSpace, UnsupportedConstruct, valueEquality } from './compiled-simple-types.js'
import { pathOf } from './xml-locator.js'
import { qkey } from './schema-model.js'
import type { ValueCheck } from './compiled-simple-types.js'
import type { ComplexType, ElementDecl, Particle, SchemaModel, SimpleType, TypeDef, Unsupported, Wildcard } from './schema-model.js'
import type { Violation, XmlElement } from '../soap/types.js'

export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance'

/** A compiled interface version: undefined from `validate` means "ask libxml2" (xsi: attributes). */
export interface CompiledDocumentSchema {
  /**
   * `ignored`: elements read as absent (the xop:Include of MTOM attachments, as libxml2 sees them
   * blanked); `showValues`: quote the document's values as they are rather than masked
   */
  validate: (root: XmlElement, part: string, ignored?: ReadonlySet<XmlElement>, showValues?: boolean) => Violation[] | undefined
}

export interface CompileResult {
  schema: CompiledDocumentSchema | undefined
  unsupported: Unsupported[]
}

/** Thrown inside a validation to hand the document to libxml2. */
class Defer extends Error {}

/** Model notes that do not stop the compiled validator (xsi:nil documents go to libxml2). */
const HARMLESS_NOTES = new Set(['nillable'])

interface Run {
  part: string
  out: Violation[]
  /** violations found, listed or not */
  total: number
  ignored: ReadonlySet<XmlElement> | undefined
  showValues: boolean
}

/** An element's children, less those the run reads as absent. */
function kidsOf (el: XmlElement, run: Run): XmlElement[] {
  return run.ignored === undefined ? el.children : el.children.filter((c) => !run.ignored!.has(c))
}

/** Has the element children, less those the run reads as absent? */
function hasKids (el: XmlElement, run: Run): boolean {
  return run.ignored === undefined ? el.children.length > 0 : kidsOf(el, run).length > 0
}

type ElementCheck = (el: XmlElement, run: Run) => void

/** An element's attribute check; unless `always`, an element without attributes has nothing to check. */
interface AttributesCheck {
  check: ElementCheck
  always: boolean
}

function checkAttributes (attrs: AttributesCheck, el: XmlElement, run: Run): void {
  if (attrs.always || el.attributes.length !== 0) attrs.check(el, run)
}

function elementName (el: XmlElement): string {
  return el.uri === '' ? el.local : `{${el.uri}}${el.local}`
}

function report (run: Run, el: XmlElement, code: string, message: string, attribute?: string): void {
  if (++run.total > MAX_SCHEMA_VIOLATIONS) return
  const at = attribute === undefined ? '' : `, attribute '${attribute}'`
  run.out.push(schemaViolation({
    code,
    message: `Element '${elementName(el)}'${at}: ${message}`,
    part: run.part,
    path: pathOf(el) + (attribute === undefined ? '' : `/@${attribute}`),
    line: el.line,
    column: el.column
  }, run.showValues))
}

function isBlank (text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false
  }
  return true
}

function namespaceMatcher (w: { namespace: string, tns: string }): (uri: string) => boolean {
  const ns = w.namespace.trim()
  if (ns === '##any') return () => true
  if (ns === '##other') return (uri) => uri !== w.tns && uri !== ''
  const allowed = new Set(ns.split(/\s+/).map((t) => t === '##targetNamespace' ? w.tns : t === '##local' ? '' : t))
  return (uri) => allowed.has(uri)
}

/**
 * What the content model matched each child to: the check of its declaration, or of the wildcard
 * that let it in, resolved once per particle rather than looked up per child.
 */
interface MatchState {
  assigned: ElementCheck[]
  /** index of the child where matching failed (children.length: something is missing at the end) */
  failAt: number
}

type Matcher = (kids: XmlElement[], i: number, st: MatchState) => number
interface CompiledParticle {
  match: Matcher
  /** can the particle start with this element? */
  first: (el: XmlElement) => boolean
  emptiable: boolean
}

/** The checks a content model assigns: an element declaration's, a wildcard's. */
interface CheckSource {
  element: (d: ElementDecl) => ElementCheck
  wildcard: (w: Wildcard) => ElementCheck
}

/** `resolve()` once, on first use: a declaration's check may still be compiling when its particle is. */
function lazily<T> (resolve: () => T): () => T {
  let value: T | undefined
  return () => (value ??= resolve())
}

/**
 * libxml2's automaton returns, after each match of a repeated wildcard, to the wildcard's start
 * state, which is the end state of the particle before it; an unbounded element loops on its
 * end state. So after `e*` (or `e+`) then `xs:any*`, libxml2 accepts `e` again among the
 * wildcard's elements. The oracle is followed: `recurring` is that element.
 */
function compileWildcard (p: Wildcard, recurring: ElementDecl | undefined, checks: CheckSource): CompiledParticle {
  const ns = namespaceMatcher(p)
  const first = (el: XmlElement): boolean => ns(el.uri)
  const again = (el: XmlElement): boolean => recurring !== undefined && el.local === recurring.local && el.uri === recurring.uri
  const own = checks.wildcard(p)
  const recurringCheck = lazily(() => checks.element(recurring!))
  return {
    first,
    emptiable: p.min === 0,
    match: (kids, i, st) => {
      let n = 0
      while (n < p.max && i < kids.length) {
        const kid = kids[i]!
        if (first(kid)) st.assigned[i] = own
        else if (n > 0 && again(kid)) st.assigned[i] = recurringCheck()
        else break
        i++
        n++
      }
      if (n < p.min) {
        st.failAt = i
        return -1
      }
      return i
    }
  }
}

function compileParticle (p: Particle, checks: CheckSource, before?: Particle): CompiledParticle {
  if (p.kind === 'element') {
    const d = p.element
    const { min, max } = d
    const first = (el: XmlElement): boolean => el.local === d.local && el.uri === d.uri
    const check = lazily(() => checks.element(d))
    return {
      first,
      emptiable: min === 0,
      match: (kids, i, st) => {
        let n = 0
        while (n < max && i < kids.length && first(kids[i]!)) {
          st.assigned[i++] = check()
          n++
        }
        if (n < min) {
          st.failAt = i
          return -1
        }
        return i
      }
    }
  }
  if (p.kind === 'any') {
    const loops = before?.kind === 'element' && before.element.max === Infinity && before.element.min <= 1 && p.max > 1
    return compileWildcard(p, loops ? before.element : undefined, checks)
  }
  const parts = p.particles.map((c, i) => compileParticle(c, checks, p.kind === 'sequence' ? p.particles[i - 1] : undefined))
  const { min, max } = p
  if (p.kind === 'sequence') {
    let until = parts.findIndex((c) => !c.emptiable)
    if (until < 0) until = parts.length - 1
    const heads = parts.slice(0, until + 1)
    const first = (el: XmlElement): boolean => heads.some((c) => c.first(el))
    const once: Matcher = (kids, i, st) => {
      for (const c of parts) {
        i = c.match(kids, i, st)
        if (i < 0) return -1
      }
      return i
    }
    const emptiable = min === 0 || parts.every((c) => c.emptiable)
    return {
      first,
      emptiable,
      match: (kids, i, st) => {
        let n = 0
        while (n < max && i < kids.length && first(kids[i]!)) {
          const next = once(kids, i, st)
          if (next < 0) return -1
          n++
          if (next === i) break
          i = next
        }
        // Too few rounds: one more, consuming nothing, fails where the first required part is missing.
        if (n < min && !emptiable) return once(kids, i, st)
        return i
      }
    }
  }
  if (p.kind === 'choice') {
    const first = (el: XmlElement): boolean => parts.some((c) => c.first(el))
    const emptiable = min === 0 || parts.some((c) => c.emptiable)
    return {
      first,
      emptiable,
      match: (kids, i, st) => {
        let n = 0
        while (n < max && i < kids.length) {
          const kid = kids[i]!
          const branch = parts.find((c) => c.first(kid))
          if (branch === undefined) break
          const next = branch.match(kids, i, st)
          if (next < 0) return -1
          n++
          if (next === i) break
          i = next
        }
        if (n < min && !emptiable) {
          st.failAt = i
          return -1
        }
        return i
      }
    }
  }
  // xs:all: each element at most once, in any order.
  const decls = p.particles.map((c) => {
    if (c.kind !== 'element') throw new UnsupportedConstruct('xs:all', p.source, 'an xs:all holding something else than elements')
    return c.element
  })
  const first = (el: XmlElement): boolean => decls.some((d) => d.local === el.local && d.uri === el.uri)
  const declChecks = decls.map((d) => lazily(() => checks.element(d)))
  return {
    first,
    emptiable: min === 0 || decls.every((d) => d.min === 0),
    match: (kids, i, st) => {
      const seen = new Set<ElementDecl>()
      while (i < kids.length) {
        const kid = kids[i]!
        const k = decls.findIndex((x) => x.local === kid.local && x.uri === kid.uri)
        const d = decls[k]
        if (d === undefined || seen.has(d)) break
        seen.add(d)
        st.assigned[i++] = declChecks[k]!()
      }
      if (seen.size === 0 && min === 0) return i
      if (decls.some((d) => d.min > 0 && !seen.has(d))) {
        st.failAt = i
        return -1
      }
      return i
    }
  }
}

/**
 * A content model that is one sequence, once, of slots: element declarations, choices (once) of
 * element declarations that occur once, and a wildcard last (with no element recurring after it,
 * see `compileWildcard`), every element name distinct: every type of the interface. It is matched
 * by one forward scan of the names per child, each child checked as it is matched, with the slot
 * reached and its count as the only state.
 */
interface FlatSequence {
  /** the names, in the order of their slots */
  decls: ElementDecl[]
  locals: string[]
  uris: string[]
  /** each name's slot */
  slotOf: number[]
  /** by slot (the wildcard's included, last): its occurrences, where its names start in `decls` (one more entry: decls.length) */
  mins: number[]
  maxs: number[]
  firstName: number[]
  /** nextRequired[s]: the first slot from s on with minOccurs > 0 (the slot count if none) */
  nextRequired: number[]
  wildcard: Wildcard | undefined
}

function flatSequence (p: Particle): FlatSequence | undefined {
  if (p.kind !== 'sequence' || p.min !== 1 || p.max !== 1 || p.particles.length === 0) return undefined
  const decls: ElementDecl[] = []
  const slotOf: number[] = []
  const mins: number[] = []
  const maxs: number[] = []
  const firstName: number[] = []
  let wildcard: Wildcard | undefined
  for (const [s, c] of p.particles.entries()) {
    if (wildcard !== undefined) return undefined
    firstName.push(decls.length)
    if (c.kind === 'element') {
      decls.push(c.element)
      slotOf.push(s)
      mins.push(c.element.min)
      maxs.push(c.element.max)
    } else if (c.kind === 'choice' && c.min === 1 && c.max === 1 && c.particles.every((b) => b.kind === 'element' && b.element.min === 1 && b.element.max === 1)) {
      for (const b of c.particles) {
        decls.push((b as Extract<Particle, { kind: 'element' }>).element)
        slotOf.push(s)
      }
      mins.push(1)
      maxs.push(1)
    } else if (c.kind === 'any') {
      const before = p.particles[s - 1]
      if (before?.kind === 'element' && before.element.max === Infinity && before.element.min <= 1 && c.max > 1) return undefined
      wildcard = c
      mins.push(c.min)
      maxs.push(c.max)
    } else return undefined
  }
  firstName.push(decls.length)
  if (new Set(decls.map((d) => d.local)).size !== decls.length) return undefined
  const slots = mins.length
  const nextRequired = new Array<number>(slots + 1).fill(slots)
  for (let m = slots - 1; m >= 0; m--) nextRequired[m] = mins[m]! > 0 ? m : nextRequired[m + 1]!
  return { decls, locals: decls.map((d) => d.local), uris: decls.map((d) => d.uri), slotOf, mins, maxs, firstName, nextRequired, wildcard }
}

/**
 * Compiles every global element of `model` (and, through them, every type they use). Returns
 * the schema, or undefined with the list of what is not compiled.
 */
export function compileDocumentSchema (model: SchemaModel): CompileResult {
  const unsupported: Unsupported[] = model.unsupported.filter((u) => !HARMLESS_NOTES.has(u.construct))
  const simpleChecks = new Map<SimpleType, ValueCheck>()
  const typeChecks = new Map<TypeDef, ElementCheck>()
  const elementChecks = new Map<ElementDecl, ElementCheck>()
  /** a type's check (an indirection) to its body, once compiled */
  const typeBodies = new Map<ElementCheck, () => ElementCheck | undefined>()
  const globals = new Map<string, ElementCheck>()
  // a schema without a target namespace in the set: its global attributes would have none
  const noNamespaceSchema = [...model.elements.keys(), ...model.types.keys()].some((k) => k.startsWith('{}'))

  const simple = (t: SimpleType): ValueCheck => {
    let c = simpleChecks.get(t)
    if (c === undefined) {
      c = compileSimpleType(t)
      simpleChecks.set(t, c)
    }
    return c
  }

  /** The element-level value check of simple content, with the declaration's default and fixed values. */
  const valueCheck = (t: SimpleType, decl: ElementDecl | undefined): ((el: XmlElement, run: Run) => void) => {
    const check = simple(t)
    const dflt = decl?.default ?? decl?.fixed
    const fixed = decl?.fixed
    const eq = fixed === undefined ? undefined : valueEquality(t.builtin, decl!.source)
    const fixedValue = fixed === undefined ? undefined : normalizeSpace(fixed, t.whiteSpace)
    return (el, run) => {
      const value = el.text === '' && dflt !== undefined ? dflt : el.text
      const failed = check(value)
      if (failed !== undefined) {
        report(run, el, failed.code, failed.message)
        return
      }
      if (eq !== undefined && !eq(normalizeSpace(value, t.whiteSpace), fixedValue!)) {
        report(run, el, 'GW_SCHEMA_FIXED_VALUE', `The element content '${value}' does not match the fixed value constraint '${fixed!}'.`)
      }
    }
  }

  /**
   * The attribute check of an element of type `t`. Declarations are matched by a scan of a short
   * array (no key string built per attribute), and required ones counted on the way.
   */
  const attributesCheck = (t: ComplexType | undefined): AttributesCheck => {
    const decls = (t?.attributes ?? []).map((a) => ({
      decl: a,
      check: simple(a.type),
      eq: a.fixed === undefined ? undefined : valueEquality(a.type.builtin, a.source),
      fixed: a.fixed === undefined ? undefined : normalizeSpace(a.fixed, a.type.whiteSpace)
    }))
    const required = (t?.attributes ?? []).filter((a) => a.required)
    // A lax or skip attribute wildcard admits attributes of its namespaces unchecked; libxml2
    // would check one a global declaration of the schema set names: only namespaces outside
    // the schema's own are compiled (no-namespace too, unless a schema of the set has no target
    // namespace, where global attributes have none), and no strict wildcard.
    const wild = t?.anyAttribute
    const any = wild === undefined ? undefined : namespaceMatcher({ namespace: wild.namespace, tns: wild.tns ?? '' })
    if (wild !== undefined && (wild.processContents === 'strict' || any!(wild.tns ?? '') || (noNamespaceSchema && any!('')))) {
      throw new UnsupportedConstruct('xs:anyAttribute', t!.source, 'a strict attribute wildcard, or one admitting the schema\'s own namespace, is not compiled')
    }
    const check = (el: XmlElement, run: Run): void => {
      let requiredSeen = 0
      for (const a of el.attributes) {
        if (a.uri === XSI_NS) throw new Defer()
        let known: typeof decls[number] | undefined
        for (const d of decls) {
          if (d.decl.local === a.local && d.decl.uri === a.uri) {
            known = d
            break
          }
        }
        if (known === undefined) {
          if (any?.(a.uri) !== true) report(run, el, 'GW_SCHEMA_UNKNOWN_ATTRIBUTE', `The attribute '${a.local}' is not allowed.`, a.local)
          continue
        }
        if (known.decl.required) requiredSeen++
        const failed = known.check(a.value)
        if (failed !== undefined) report(run, el, failed.code, failed.message, a.local)
        else if (known.eq !== undefined && !known.eq(normalizeSpace(a.value, known.decl.type.whiteSpace), known.fixed!)) {
          report(run, el, 'GW_SCHEMA_FIXED_VALUE', `The value '${a.value}' does not match the fixed value constraint '${known.decl.fixed!}'.`, a.local)
        }
      }
      // an element carries an attribute once at most (the reader refuses duplicates)
      if (requiredSeen === required.length) return
      for (const r of required) {
        if (!el.attributes.some((a) => a.local === r.local && a.uri === r.uri)) {
          report(run, el, 'GW_SCHEMA_MISSING_ATTRIBUTE', `The attribute '${r.local}' is required but missing.`)
        }
      }
    }
    return { check, always: required.length > 0 }
  }

  /** Lax assessment of content a wildcard let in: children with a global declaration are validated. */
  const lax = (el: XmlElement, run: Run): void => {
    for (const a of el.attributes) if (a.uri === XSI_NS) throw new Defer()
    for (const kid of el.children) {
      const global = globals.get(qkey(kid))
      if (global !== undefined) global(kid, run)
      else lax(kid, run)
    }
  }

  const wildcardChild = (w: Wildcard, kid: XmlElement, run: Run): void => {
    if (w.processContents === 'skip') return
    const global = globals.get(qkey(kid))
    if (global !== undefined) global(kid, run)
    else if (w.processContents === 'strict') report(run, kid, 'GW_SCHEMA_UNEXPECTED_ELEMENT', 'No matching global element declaration available, but demanded by the strict wildcard.')
    else lax(kid, run)
  }

  const wildcardChecks = new Map<Wildcard, ElementCheck>()
  const checkSource: CheckSource = {
    // once compiled, a type's own body rather than the indirection recursive types need while compiling
    element: (d) => {
      const c = elementCheck(d)
      return typeBodies.get(c)?.() ?? c
    },
    wildcard: (w) => {
      let c = wildcardChecks.get(w)
      if (c === undefined) {
        c = (kid, run) => { wildcardChild(w, kid, run) }
        wildcardChecks.set(w, c)
      }
      return c
    }
  }

  const complexCheck = (t: ComplexType): ElementCheck => {
    if (t.mixed) throw new UnsupportedConstruct('mixed content', t.source, 'mixed content is not compiled')
    const attrs = attributesCheck(t)
    if (t.simpleContent !== undefined) {
      const value = valueCheck(t.simpleContent, undefined)
      return (el, run) => {
        checkAttributes(attrs, el, run)
        if (hasKids(el, run)) report(run, el, 'GW_SCHEMA_TEXT_NOT_ALLOWED', 'Element content is not allowed, because the content type is a simple type definition.')
        else value(el, run)
      }
    }
    if (t.content === undefined) {
      return (el, run) => {
        checkAttributes(attrs, el, run)
        if (!isBlank(el.text)) report(run, el, 'GW_SCHEMA_TEXT_NOT_ALLOWED', 'Character content is not allowed, because the content type is empty.')
        if (hasKids(el, run)) report(run, el, 'GW_SCHEMA_TEXT_NOT_ALLOWED', 'Element content is not allowed, because the content type is empty.')
      }
    }
    const content = compileParticle(t.content, checkSource)
    const general: ElementCheck = (el, run) => {
      checkAttributes(attrs, el, run)
      if (!isBlank(el.text)) report(run, el, 'GW_SCHEMA_TEXT_NOT_ALLOWED', 'Character content other than whitespace is not allowed because the content type is \'element-only\'.')
      const kids = kidsOf(el, run)
      const st: MatchState = { assigned: new Array<ElementCheck>(kids.length), failAt: -1 }
      const matched = content.match(kids, 0, st)
      // Matched up to `matched`: a child left over is not expected; -1: failAt says where.
      if (matched >= 0) st.failAt = matched < kids.length ? matched : -1
      const end = st.failAt < 0 ? kids.length : st.failAt
      for (let i = 0; i < end; i++) st.assigned[i]!(kids[i]!, run)
      if (st.failAt >= 0 && st.failAt < kids.length) report(run, kids[st.failAt]!, 'GW_SCHEMA_UNEXPECTED_ELEMENT', 'This element is not expected.')
      else if (st.failAt >= 0) report(run, el, 'GW_SCHEMA_MISSING_ELEMENT', 'Missing child element(s).')
    }
    const flat = flatSequence(t.content)
    if (flat === undefined) return general
    // What `general` does, for a flat sequence: the same children matched, checked and reported,
    // in the same order, with no state allocated. Runs with ignored children take `general`.
    const { locals, uris, slotOf, mins, maxs, firstName, nextRequired, wildcard } = flat
    const names = locals.length
    const slots = mins.length
    const wildSlot = slots - 1
    const wildNs = wildcard === undefined ? undefined : namespaceMatcher(wildcard)
    let checks: ElementCheck[] | undefined
    let wildCheck: ElementCheck | undefined
    return (el, run) => {
      if (run.ignored !== undefined) {
        general(el, run)
        return
      }
      checkAttributes(attrs, el, run)
      if (!isBlank(el.text)) report(run, el, 'GW_SCHEMA_TEXT_NOT_ALLOWED', 'Character content other than whitespace is not allowed because the content type is \'element-only\'.')
      // resolved on first use: a declaration's check may still be compiling when this type is
      checks ??= flat.decls.map((d) => checkSource.element(d))
      if (wildcard !== undefined) wildCheck ??= checkSource.wildcard(wildcard)
      const kids = el.children
      // the slot reached, and how many children it has matched
      let cur = 0
      let n = 0
      let i = 0
      for (; i < kids.length; i++) {
        const kid = kids[i]!
        // a slot that has all its occurrences takes no more
        let e = firstName[n < maxs[cur]! ? cur : cur + 1]!
        while (e < names && (locals[e] !== kid.local || uris[e] !== kid.uri)) e++
        let k: number
        let check: ElementCheck
        if (e < names) {
          k = slotOf[e]!
          check = checks[e]!
        } else if (wildNs !== undefined && wildNs(kid.uri) && (cur < wildSlot || n < maxs[wildSlot]!)) {
          k = wildSlot
          check = wildCheck!
        } else break
        if (k === cur) n++
        else {
          // the slots skipped must all be optional
          if (n < mins[cur]! || nextRequired[cur + 1]! < k) break
          cur = k
          n = 1
        }
        check(kid, run)
      }
      if (i < kids.length) report(run, kids[i]!, 'GW_SCHEMA_UNEXPECTED_ELEMENT', 'This element is not expected.')
      else if (n < mins[cur]! || nextRequired[cur + 1]! < slots) report(run, el, 'GW_SCHEMA_MISSING_ELEMENT', 'Missing child element(s).')
    }
  }

  const typeCheck = (t: TypeDef): ElementCheck => {
    let c = typeChecks.get(t)
    if (c !== undefined) return c
    // Recursive types: the entry exists before its body is compiled.
    let body: ElementCheck | undefined
    c = (el, run) => body!(el, run)
    typeChecks.set(t, c)
    typeBodies.set(c, () => body)
    if (t.kind === 'complex') body = complexCheck(t)
    else {
      const value = valueCheck(t, undefined)
      const attrs = attributesCheck(undefined)
      body = (el, run) => {
        checkAttributes(attrs, el, run)
        if (hasKids(el, run)) report(run, el, 'GW_SCHEMA_TEXT_NOT_ALLOWED', 'Element content is not allowed, because the type definition is simple.')
        else value(el, run)
      }
    }
    return c
  }

  const elementCheck = (d: ElementDecl): ElementCheck => {
    let c = elementChecks.get(d)
    if (c !== undefined) return c
    if (d.fixed === undefined && d.default === undefined) {
      c = typeCheck(d.type)
    } else {
      const t = d.type.kind === 'simple' ? d.type : d.type.simpleContent
      if (t === undefined) throw new UnsupportedConstruct('fixed/default value', d.source, 'a fixed or default value on an element of complex content')
      const attrs = attributesCheck(d.type.kind === 'complex' ? d.type : undefined)
      const value = valueCheck(t, d)
      c = (el, run) => {
        checkAttributes(attrs, el, run)
        if (hasKids(el, run)) report(run, el, 'GW_SCHEMA_TEXT_NOT_ALLOWED', 'Element content is not allowed, because the type definition is simple.')
        else value(el, run)
      }
    }
    elementChecks.set(d, c)
    return c
  }

  for (const [key, decl] of model.elements) {
    try {
      globals.set(key, elementCheck(decl))
    } catch (err) {
      if (!(err instanceof UnsupportedConstruct)) throw err
      unsupported.push({ file: err.source.file, line: err.source.line, construct: err.construct, message: err.message })
    }
  }
  // Every type, including those no element uses yet: what does not compile is known at load.
  for (const t of model.types.values()) {
    try {
      typeCheck(t)
    } catch (err) {
      if (!(err instanceof UnsupportedConstruct)) throw err
      if (!unsupported.some((u) => u.file === err.source.file && u.line === err.source.line)) {
        unsupported.push({ file: err.source.file, line: err.source.line, construct: err.construct, message: err.message })
      }
    }
  }
  if (unsupported.length > 0) return { schema: undefined, unsupported }

  return {
    unsupported,
    schema: {
      validate (root, part, ignored, showValues = false) {
        const run: Run = { part, out: [], total: 0, ignored: ignored !== undefined && ignored.size > 0 ? ignored : undefined, showValues }
        const check = globals.get(qkey(root))
        if (check === undefined) {
          report(run, root, 'GW_SCHEMA_UNKNOWN_ROOT', 'No matching global declaration available for the validation root.')
          return run.out
        }
        try {
          check(root, run)
        } catch (err) {
          if (err instanceof Defer) return undefined
          throw err
        }
        if (run.total > MAX_SCHEMA_VIOLATIONS) {
          run.out.push({ code: 'GW_SCHEMA_INVALID', message: `${run.total - MAX_SCHEMA_VIOLATIONS} more schema violations not listed`, part })
        }
        return run.out
      }
    }
  }
}
