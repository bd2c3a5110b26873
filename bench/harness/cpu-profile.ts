/**
 * Reads a V8 `.cpuprofile` (`node --cpu-prof`) and says where the time went: self time per
 * function, and per area (our modules by folder, each dependency, Node internals, GC, wasm).
 */

export interface CpuProfileNode {
  id: number
  callFrame: { functionName: string, url: string, lineNumber: number, columnNumber?: number }
  hitCount?: number
  children?: number[]
}

export interface CpuProfile {
  nodes: CpuProfileNode[]
  startTime: number
  endTime: number
  samples?: number[]
  timeDeltas?: number[]
}

export interface SelfTimeRow {
  /** function name, `(anonymous)` when it has none */
  name: string
  /** shortened script location with 1-based line, '' for V8's pseudo-nodes */
  location: string
  area: string
  selfMs: number
  /** share of the non-idle time */
  percent: number
}

export interface ProfileSummary {
  /** profiled wall time */
  totalMs: number
  /** time the thread had nothing to run */
  idleMs: number
  top: SelfTimeRow[]
  areas: Array<{ area: string, selfMs: number, percent: number }>
}

/** A script URL without the machine's paths: `src/contract/x.js`, `fastify/lib/route.js`, `node:internal/…`. */
export function shortLocation (url: string, root: string): string {
  let u = url.replace(/^file:\/\//, '')
  const nm = u.lastIndexOf('/node_modules/')
  if (nm >= 0) return u.slice(nm + '/node_modules/'.length)
  if (root !== '' && u.startsWith(root)) u = u.slice(root.length).replace(/^\//, '')
  return u.replace(/^dist\//, '')
}

/** The area a frame belongs to, for the per-area table. */
export function areaOf (name: string, url: string, root: string): string {
  if (url === '') {
    if (name === '(garbage collector)' || name === '(program)' || name === '(idle)' || name === '(root)') return name
    // frames without a script: builtins and native code called from JS
    return '(native/builtin)'
  }
  if (url.startsWith('wasm://')) return 'wasm'
  if (url.startsWith('node:')) return 'node internals'
  const loc = shortLocation(url, root)
  if (url.includes('/node_modules/')) {
    const parts = loc.split('/')
    const pkg = parts[0]?.startsWith('@') === true ? `${parts[0]}/${parts[1] ?? ''}` : (parts[0] ?? loc)
    return pkg
  }
  const m = /^(src|bench)\/([^/]+)\//.exec(loc)
  if (m !== null) return `${m[1]!}/${m[2]!}`
  return loc.startsWith('src/') ? 'src' : loc
}

/** A span of the profile's clock (V8's monotonic microseconds: CLOCK_MONOTONIC on Linux). */
export interface ProfileWindow {
  startUs: number
  endUs: number
}

/**
 * Self time of each node, in microseconds, from the samples taken inside `window` (all of them
 * without one); from the hit counts when the profile has no samples.
 */
function selfTimes (profile: CpuProfile, window: ProfileWindow | undefined): Map<number, number> {
  const out = new Map<number, number>()
  const samples = profile.samples ?? []
  const deltas = profile.timeDeltas ?? []
  if (samples.length > 0 && deltas.length === samples.length) {
    // sample i lasts until sample i+1 (DevTools' attribution); the last one until endTime
    let t = profile.startTime
    const stamps = deltas.map((d) => (t += d))
    for (let i = 0; i < samples.length; i++) {
      const at = stamps[i]!
      if (window !== undefined && (at < window.startUs || at >= window.endUs)) continue
      const next = i + 1 < stamps.length ? stamps[i + 1]! : profile.endTime
      const dt = Math.max(0, next - at)
      out.set(samples[i]!, (out.get(samples[i]!) ?? 0) + dt)
    }
    return out
  }
  const hits = profile.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0)
  const per = hits > 0 ? (profile.endTime - profile.startTime) / hits : 0
  for (const n of profile.nodes) out.set(n.id, (n.hitCount ?? 0) * per)
  return out
}

/**
 * Summarises a profile: the `top` functions by self time and the time per area, over `window`
 * when given (the measured load, not the start-up's module loading and schema compiling).
 */
export function summariseCpuProfile (profile: CpuProfile, options: { root: string, top?: number, window?: ProfileWindow }): ProfileSummary {
  const self = selfTimes(profile, options.window)
  // microseconds until the end: sums of fractional milliseconds drift
  const byFunction = new Map<string, SelfTimeRow & { us: number }>()
  const byArea = new Map<string, number>()
  let idleUs = 0
  let totalUs = 0
  for (const node of profile.nodes) {
    const us = self.get(node.id) ?? 0
    if (us === 0) continue
    totalUs += us
    const name = node.callFrame.functionName === '' ? '(anonymous)' : node.callFrame.functionName
    if (name === '(idle)') {
      idleUs += us
      continue
    }
    const url = node.callFrame.url
    const location = url === '' ? '' : `${shortLocation(url, options.root)}:${node.callFrame.lineNumber + 1}`
    const area = areaOf(name, url, options.root)
    const key = `${name}\u0000${location}`
    const row = byFunction.get(key)
    if (row === undefined) byFunction.set(key, { name, location, area, selfMs: 0, percent: 0, us })
    else row.us += us
    byArea.set(area, (byArea.get(area) ?? 0) + us)
  }
  const busyMs = (totalUs - idleUs) / 1000
  const pct = (ms: number): number => (busyMs > 0 ? (100 * ms) / busyMs : 0)
  const rows: SelfTimeRow[] = [...byFunction.values()]
    .sort((a, b) => b.us - a.us)
    .map(({ us, ...r }) => ({ ...r, selfMs: us / 1000, percent: pct(us / 1000) }))
  return {
    totalMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    top: rows.slice(0, options.top ?? 15),
    areas: [...byArea.entries()].map(([area, us]) => ({ area, selfMs: us / 1000, percent: pct(us / 1000) })).sort((a, b) => b.selfMs - a.selfMs)
  }
}

/**
 * The thread of a profile written by `node --cpu-prof`, from its file name
 * (`CPU.<date>.<time>.<pid>.<threadId>.<sequence>.cpuprofile`): 0 is the main thread; undefined
 * when the name has another form.
 */
export function profileThreadId (file: string): number | undefined {
  const m = /CPU\.\d+\.\d+\.\d+\.(\d+)\.\d+\.cpuprofile$/.exec(file)
  return m === null ? undefined : Number(m[1])
}
