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

/** Each sample's frames in `perf script` text (`-g` call chains, innermost frame first). */
function * sampleFrames (script: string): Generator<string[]> {
  for (const block of script.split(/\n\s*\n/)) {
    const lines = block.split('\n').filter((l) => l.trim() !== '')
    if (lines.length < 2 || /^\s/.test(lines[0]!)) continue
    yield lines.slice(1)
  }
}

/** The samples of `perf script` text by owner. */
export function stackShares (script: string): StackShares {
  const self = new Map<string, number>()
  const inclusive = new Map<string, number>()
  let samples = 0
  for (const frames of sampleFrames(script)) {
    samples++
    const owners: string[] = []
    for (const frame of frames) {
      const owner = frameOwner(frame)
      if (owner !== undefined) owners.push(owner)
    }
    const first = owners[0] ?? NO_APPLICATION_FRAME
    self.set(first, (self.get(first) ?? 0) + 1)
    for (const owner of new Set(owners.length > 0 ? owners : [NO_APPLICATION_FRAME])) inclusive.set(owner, (inclusive.get(owner) ?? 0) + 1)
  }
  return { samples, self, inclusive }
}

/** A step of a call found by one of its frames, counted inclusively (any frame of the stack). */
export interface NamedStep {
  name: string
  frame: RegExp
}

/**
 * Where the answer's writing goes: it cuts across owners (in the floor the client's answer is
 * written under undici's body stream, in the gateway under Fastify's `onSendEnd`), so the owner
 * tables cannot compare it; these steps can.
 */
export const ANSWER_STEPS: readonly NamedStep[] = [
  { name: "Node's HTTP answer writing (`writeHead`, `write`, `end`: node:_http_outgoing, node:_http_server)", frame: /JS:\S+ node:_http_outgoing:|JS:\S*writeHead node:_http_server:/ },
  { name: "the kernel's write and writev (both sockets)", frame: /\b(?:ksys_write|ksys_writev|do_writev)\+/ },
  { name: "Fastify's reply path (`onSendEnd`)", frame: /JS:\S*onSendEnd \S*fastify\/lib\/reply\.js:/ }
]

/** The samples of `perf script` text with at least one frame of each step. */
export function stepShares (script: string, steps: readonly NamedStep[]): { samples: number, steps: Map<string, number> } {
  const counts = new Map<string, number>(steps.map((s) => [s.name, 0]))
  let samples = 0
  for (const frames of sampleFrames(script)) {
    samples++
    for (const step of steps) {
      if (frames.some((f) => step.frame.test(f))) counts.set(step.name, (counts.get(step.name) ?? 0) + 1)
    }
  }
  return { samples, steps: counts }
}
