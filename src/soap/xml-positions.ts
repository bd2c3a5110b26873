/**
 * Line and column of a byte offset in one parsed document, computed when asked for: the
 * reader's hot path records only each element's byte offset, and a line and column are needed
 * only for the few elements a violation or an error names.
 *
 * Every answer costs at most one binary search and two counts of under 4 KiB, whatever the order
 * of the questions: line starts and, for documents that are not pure ASCII, the character count
 * at each 4 KiB block are found once, as far into the document as questions have reached (a
 * hostile document that asks for many positions in reverse order cannot make it quadratic).
 */

const LF = 0x0a
const CR = 0x0d
const BLOCK_BITS = 12

export class XmlPositions {
  private readonly b: Buffer
  private readonly ascii: boolean
  /** offsets where lines start, in order; line n starts at starts[n - 1] */
  private readonly starts: number[]
  /** line starts are known for every offset below this one */
  private scanned: number
  /** cached positions of the next LF and CR at or after `scanned`: -1 none, -2 not searched yet */
  private nextLf = -2
  private nextCr = -2
  /** characters (UTF-8 lead bytes) before each 4 KiB block, for documents that are not ASCII */
  private readonly blockChars: number[] = [0]
  line = 1
  column = 1
  private lastPos = -1

  /** `bomLength`: 3 when the document starts with a byte order mark (not a column) */
  constructor (input: Buffer, ascii: boolean, bomLength: number) {
    this.b = input
    this.ascii = ascii
    this.starts = [bomLength]
    this.scanned = bomLength
  }

  /** Sets `line` and `column` (1-based, columns in characters) for a byte offset; returns `this`. */
  locate (pos: number): this {
    // an element's line and column are often read one after the other
    if (pos === this.lastPos) return this
    this.lastPos = pos
    const starts = this.starts
    if (pos > this.scanned) this.scanLines(pos)
    // the last line start at or before pos
    let lo = 0
    let hi = starts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1
      if (starts[mid]! <= pos) lo = mid
      else hi = mid - 1
    }
    const lineStart = starts[lo]!
    this.line = lo + 1
    this.column = this.ascii || pos <= lineStart ? Math.max(1, pos - lineStart + 1) : this.charIndex(pos) - this.charIndex(lineStart) + 1
    return this
  }

  /** Records the line starts up to `pos`: about one native search per line. */
  private scanLines (pos: number): void {
    const b = this.b
    let from = this.scanned
    for (;;) {
      if (this.nextLf !== -1 && this.nextLf < from) this.nextLf = b.indexOf(LF, from)
      if (this.nextCr !== -1 && this.nextCr < from) this.nextCr = b.indexOf(CR, from)
      let end = this.nextLf
      // XML 1.0 §2.11: a CR not followed by LF ends a line too
      const cr = this.nextCr
      if (cr >= 0 && (end < 0 || cr < end) && b[cr + 1] !== LF) end = cr
      if (end < 0 || end >= pos) break
      from = end + 1
      this.starts.push(from)
    }
    this.scanned = pos
  }

  /** Characters before a byte offset (lead bytes: an astral character counts once, as libxml2 counts). */
  private charIndex (pos: number): number {
    const b = this.b
    const block = pos >>> BLOCK_BITS
    const chars = this.blockChars
    for (let k = chars.length - 1; k < block; k++) {
      let n = chars[k]!
      const end = (k + 1) << BLOCK_BITS
      for (let i = k << BLOCK_BITS; i < end; i++) if ((b[i]! & 0xc0) !== 0x80) n++
      chars.push(n)
    }
    let n = chars[block]!
    for (let i = block << BLOCK_BITS; i < pos; i++) if ((b[i]! & 0xc0) !== 0x80) n++
    return n
  }
}
