/**
 * Access to libxml2-wasm. The WebAssembly module is instantiated by its first import, so it is
 * imported dynamically, at `loadSpec` time, never by a static import of a module that only
 * needs types: merely importing `spec/types.ts` must not cost the wasm start-up.
 */
import type * as libxml2 from 'libxml2-wasm'

export type Libxml2 = typeof libxml2
export type LxDocument = libxml2.XmlDocument
export type LxElement = libxml2.XmlElement
export type LxValidator = libxml2.XsdValidator
export type LxErrorDetail = libxml2.ErrorDetail

/** Loads (once per process, by the module cache) and returns the libxml2-wasm binding. */
export async function loadLibxml2 (): Promise<Libxml2> {
  return await import('libxml2-wasm')
}

/**
 * Parse options for every document handed to libxml2: never fetch anything (no network, no
 * external DTD or entity), line numbers past 65535. Errors are collected by the binding, not printed.
 * Messages reach libxml2 only after the hardened reader of `soap/` accepted them.
 */
export function parseOptions (lx: Libxml2): number {
  const o = lx.ParseOption
  return o.XML_PARSE_NONET | o.XML_PARSE_NO_XXE | o.XML_PARSE_BIG_LINES
}

/**
 * Parse options for messages and documents on the request path: those of `parseOptions`, plus
 * COMPACT (short texts stored in the node, fewer allocations), which made libxml2-wasm parse
 * a 3 KB demande about 20% faster here (A/B, CPU time).
 */
export function messageParseOptions (lx: Libxml2): number {
  return parseOptions(lx) | lx.ParseOption.XML_PARSE_COMPACT
}
