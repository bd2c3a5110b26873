/**
 * XSD regular expressions (XML Schema Part 2, appendix F) as anchored ECMAScript expressions
 * for the `u` flag, as JSON Schema's `pattern` and ajv use them. The two dialects differ:
 * an XSD pattern matches the whole value (no `^`/`$` anchors: both are literal characters),
 * `\d` and `\w` are Unicode classes, `.` excludes only line ends, `\i`/`\c` are XML name
 * characters, and a class may subtract another (`[a-z-[aeiou]]`). Constructs ECMAScript cannot
 * express (Unicode block escapes `\p{IsBasicLatin}`) throw an `XsdRegexError`.
 */

export class XsdRegexError extends Error {}

// XML 1.0 (fifth edition) NameStartChar and NameChar, as ECMAScript class contents.
const NAME_START = ':A-Z_a-z\\u{C0}-\\u{D6}\\u{D8}-\\u{F6}\\u{F8}-\\u{2FF}\\u{370}-\\u{37D}\\u{37F}-\\u{1FFF}\\u{200C}-\\u{200D}\\u{2070}-\\u{218F}\\u{2C00}-\\u{2FEF}\\u{3001}-\\u{D7FF}\\u{F900}-\\u{FDCF}\\u{FDF0}-\\u{FFFD}\\u{10000}-\\u{EFFFF}'
const NAME_CHAR = NAME_START + '\\-.0-9\\u{B7}\\u{300}-\\u{36F}\\u{203F}-\\u{2040}'

/** Class escapes usable outside a class. */
const CLASS_ESCAPES: Record<string, string> = {
  d: '\\p{Nd}',
  D: '\\P{Nd}',
  s: '[ \\t\\n\\r]',
  S: '[^ \\t\\n\\r]',
  w: '[^\\p{P}\\p{Z}\\p{C}]',
  W: '[\\p{P}\\p{Z}\\p{C}]',
  i: `[${NAME_START}]`,
  I: `[^${NAME_START}]`,
  c: `[${NAME_CHAR}]`,
  C: `[^${NAME_CHAR}]`
}
/** Their contents inside a class, where ECMAScript (without the `v` flag) cannot nest a negation. */
const IN_CLASS: Record<string, string | undefined> = {
  d: '\\p{Nd}',
  s: ' \\t\\n\\r',
  i: NAME_START,
  c: NAME_CHAR
}
const SINGLE_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t' }
const SINGLE_ESCAPABLE = new Set(['\\', '|', '.', '?', '*', '+', '(', ')', '{', '}', '-', '[', ']', '^', '$'])

function literal (ch: string): string {
  return /^[\p{L}\p{N} ]$/u.test(ch) ? ch : `\\u{${ch.codePointAt(0)!.toString(16)}}`
}

class Parser {
  readonly #chars: string[]
  #i = 0

  constructor (pattern: string) {
    this.#chars = [...pattern]
  }

  #peek (): string | undefined { return this.#chars[this.#i] }
  #next (): string {
    const c = this.#chars[this.#i++]
    if (c === undefined) throw new XsdRegexError('unexpected end of pattern')
    return c
  }

  translate (): string {
    const out = this.#regExp()
    if (this.#i < this.#chars.length) throw new XsdRegexError(`unbalanced ')' at ${this.#i}`)
    return out
  }

  #regExp (): string {
    const branches = [this.#branch()]
    while (this.#peek() === '|') {
      this.#i++
      branches.push(this.#branch())
    }
    return branches.join('|')
  }

  #branch (): string {
    let out = ''
    for (let c = this.#peek(); c !== undefined && c !== '|' && c !== ')'; c = this.#peek()) {
      out += this.#atom() + this.#quantifier()
    }
    return out
  }

  #quantifier (): string {
    const c = this.#peek()
    if (c === '?' || c === '*' || c === '+') {
      this.#i++
      return c
    }
    if (c !== '{') return ''
    let q = ''
    this.#i++
    for (let d = this.#next(); d !== '}'; d = this.#next()) {
      if (!/[0-9,]/.test(d)) throw new XsdRegexError(`bad quantifier character ${d}`)
      q += d
    }
    const m = /^([0-9]+)(?:,([0-9]*))?$/.exec(q)
    if (m === null) throw new XsdRegexError(`bad quantifier {${q}}`)
    if (m[2] !== undefined && m[2] !== '' && Number(m[2]) < Number(m[1])) throw new XsdRegexError(`quantifier {${q}}: its maximum is below its minimum`)
    return `{${q}}`
  }

  #atom (): string {
    const c = this.#next()
    switch (c) {
      case '(': {
        const inner = this.#regExp()
        if (this.#next() !== ')') throw new XsdRegexError('unbalanced (')
        return `(?:${inner})`
      }
      case '[': return this.#classExpr()
      case '.': return '[^\\n\\r]'
      case '\\': return this.#escape(false)
      case '?': case '*': case '+': case '{': case ')': case ']':
        throw new XsdRegexError(`unexpected ${c}`)
      default: return literal(c)
    }
  }

  /** An escape after its backslash: outside a class, a complete atom; inside, class contents. */
  #escape (inClass: boolean): string {
    const c = this.#next()
    if (c === 'p' || c === 'P') {
      if (this.#next() !== '{') throw new XsdRegexError('\\p without {')
      let name = ''
      for (let d = this.#next(); d !== '}'; d = this.#next()) name += d
      if (name.startsWith('Is')) throw new XsdRegexError(`Unicode block escape \\${c}{${name}} has no ECMAScript equivalent`)
      if (!/^[A-Z][a-z]?$/.test(name)) throw new XsdRegexError(`unknown category \\${c}{${name}}`)
      return `\\${c}{${name}}`
    }
    const single = SINGLE_ESCAPES[c]
    if (single !== undefined) return literal(single)
    if (SINGLE_ESCAPABLE.has(c)) return literal(c)
    if (inClass) {
      const inside = IN_CLASS[c]
      if (inside === undefined) {
        if (CLASS_ESCAPES[c] !== undefined) throw new XsdRegexError(`\\${c} inside a character class is not supported`)
        throw new XsdRegexError(`unknown escape \\${c}`)
      }
      return inside
    }
    const cls = CLASS_ESCAPES[c]
    if (cls === undefined) throw new XsdRegexError(`unknown escape \\${c}`)
    return cls
  }

  /** After '[': a positive or negative group, maybe with a subtraction `-[…]`. */
  #classExpr (): string {
    let negated = false
    if (this.#peek() === '^') {
      negated = true
      this.#i++
    }
    let body = ''
    let first = true
    let subtraction: string | undefined
    for (;;) {
      const c = this.#next()
      if (c === ']' && !first) break
      if (c === '-' && this.#peek() === '[' && !first) {
        this.#i++
        subtraction = this.#classExpr()
        if (this.#next() !== ']') throw new XsdRegexError('a subtraction must end its class')
        break
      }
      first = false
      let start: string
      let startIsChar = true
      if (c === '\\') {
        const before = this.#i
        const esc = this.#escape(true)
        start = esc
        const escaped = this.#chars[before]!
        startIsChar = SINGLE_ESCAPES[escaped] !== undefined || SINGLE_ESCAPABLE.has(escaped)
      } else if (c === '[') {
        throw new XsdRegexError('[ inside a character class must be escaped')
      } else {
        start = literal(c)
      }
      // A range a-b (a '-' before ']' or '-[' is a literal or the subtraction).
      if (startIsChar && this.#peek() === '-' && this.#chars[this.#i + 1] !== ']' && this.#chars[this.#i + 1] !== '[') {
        this.#i++
        const e = this.#next()
        const end = e === '\\' ? this.#escape(true) : literal(e)
        body += `${start}-${end}`
      } else {
        body += start
      }
    }
    const cls = `[${negated ? '^' : ''}${body}]`
    return subtraction === undefined ? cls : `(?:(?!${subtraction})${cls})`
  }
}

/** The body of an ECMAScript expression equivalent to the XSD pattern, unanchored. */
export function translateXsdPattern (pattern: string): string {
  return new Parser(pattern).translate()
}

/** One anchored ECMAScript pattern matching a value that matches any of `patterns` (one derivation step). */
export function anchoredPattern (patterns: readonly string[]): string {
  const bodies = patterns.map(translateXsdPattern)
  const anchored = bodies.length === 1 ? `^(?:${bodies[0]!})$` : `^(?:${bodies.map((b) => `(?:${b})`).join('|')})$`
  // What the translation lets through but ECMAScript refuses (a reversed range [z-a], an unknown
  // category \p{Xx}) is refused here, as untranslatable, rather than by ajv at compile time.
  try {
    new RegExp(anchored, 'u')
  } catch (err) {
    throw new XsdRegexError((err as Error).message)
  }
  return anchored
}
