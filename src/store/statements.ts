/**
 * Prepared statements of the shared store's stores, by name.
 */
import { createHash } from 'node:crypto'

const names = new Map<string, string>()
/**
 * A prepared statement's name for `text`: each connection parses and plans a statement once, then
 * runs it by name (an unnamed statement is parsed and planned again at every call, on the server's
 * CPU). The texts are a bounded set: the constant ones, and one per combination of changed columns.
 */
export function statementName (text: string): string {
  let name = names.get(text)
  if (name === undefined) {
    name = `sne_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`
    names.set(text, name)
  }
  return name
}
