/**
 * The I/O of `loadSpec`: lists the spec directory and reads its files. Parsing lives in
 * `schema-graph.ts`; this module only touches the disk.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join, posix } from 'node:path'
import { codes } from './errors.js'

/** What the spec directory holds at its top level. */
export interface SpecDirListing {
  /** the single `*.wsdl` file */
  wsdl: string
  /** every `*.xsd` file at the top level, sorted */
  xsd: string[]
}

/** Lists the spec directory: exactly one WSDL is required. */
export async function listSpecDir (dir: string): Promise<SpecDirListing> {
  let names: string[]
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name).sort()
  } catch (err) {
    throw new codes.GW_SPEC_DIR_UNREADABLE(dir, (err as Error).message, { cause: err })
  }
  const wsdl = names.filter((n) => n.toLowerCase().endsWith('.wsdl'))
  if (wsdl.length === 0) throw new codes.GW_SPEC_NO_WSDL(dir)
  if (wsdl.length > 1) throw new codes.GW_SPEC_MANY_WSDL(dir, wsdl.join(', '))
  return { wsdl: wsdl[0]!, xsd: names.filter((n) => n.toLowerCase().endsWith('.xsd')) }
}

/** Reads one spec file by its posix path relative to the spec directory. */
export async function readSpecFile (dir: string, path: string): Promise<Buffer> {
  return await readFile(join(dir, ...path.split(posix.sep)))
}
