/**
 * Reads `perf script` output of a Node process run with `--perf-basic-prof` and says which code a
 * thread's time goes to, by owner rather than by symbol (a flat profile of a proxy is hundreds of
 * small entries: IC stubs, malloc, memmove, each on behalf of some caller):
 * - `self`: each sample goes to the innermost frame of the stack that is the application's or a
 *   package's JavaScript (`dist/src/<dir>/<file>`, `node_modules/<package>`), so that Node's own
 *   internals, V8's stubs and libc count for the code that called them; a sample with no such
 *   frame (TLS, HTTP parsing, libuv, GC, the kernel, reached from Node's own callbacks) goes to
 *   `node (no application frame)`;
 * - `inclusive`: each owner found anywhere on a sample's stack, counted once per sample.
 */

export interface StackShares {
  samples: number
  self: Map<string, number>
  inclusive: Map<string, number>
}

export const NO_APPLICATION_FRAME = 'node (no application frame)'

/**
 * The owner of JavaScript compiled from a string (`new Function`: ajv's validators, Fastify's
 * serializers), which has no script name: perf names it `JS:^validate12 :3:189`.
 */
export const GENERATED_CODE = 'generated code (new Function: ajv, fast-json-stringify)'

/** The owner of one frame's symbol, or undefined for Node's internals, V8, libc and the kernel. */
export function frameOwner (symbol: string): string | undefined {
  const src = /\/dist\/(src|bench)\/(.+?)\.js:\d+/.exec(symbol)
  if (src !== null) return `${src[1]}/${src[2]}`
  const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(symbol)
  if (pkg !== null) return pkg[1]
  if (/ JS:[*^~+]?\S* :\d+:\d+/.test(symbol)) return GENERATED_CODE
  return undefined
}

/** The samples of `perf script` text (`-g` call chains, innermost frame first). */
export function stackShares (script: string): StackShares {
  const self = new Map<string, number>()
  const inclusive = new Map<string, number>()
  let samples = 0
  for (const block of script.split(/\n\s*\n/)) {
    const lines = block.split('\n').filter((l) => l.trim() !== '')
    if (lines.length < 2 || /^\s/.test(lines[0]!)) continue
    samples++
    const owners: string[] = []
    for (const frame of lines.slice(1)) {
      const owner = frameOwner(frame)
      if (owner !== undefined) owners.push(owner)
    }
    const first = owners[0] ?? NO_APPLICATION_FRAME
    self.set(first, (self.get(first) ?? 0) + 1)
    for (const owner of new Set(owners.length > 0 ? owners : [NO_APPLICATION_FRAME])) inclusive.set(owner, (inclusive.get(owner) ?? 0) + 1)
  }
  return { samples, self, inclusive }
}
