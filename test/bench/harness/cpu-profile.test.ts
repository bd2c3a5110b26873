import t from 'tap'
import { areaOf, profileThreadId, shortLocation, summariseCpuProfile, type CpuProfile } from '../../../bench/harness/cpu-profile.js'

const root = '/repo/dist'
const frame = (functionName: string, url: string, lineNumber = 0) => ({ functionName, url, lineNumber })

t.test('shortLocation and areaOf', async (t) => {
  t.equal(shortLocation('file:///repo/dist/src/contract/message-validator.js', root), 'src/contract/message-validator.js')
  t.equal(shortLocation('file:///repo/node_modules/fastify/lib/route.js', root), 'fastify/lib/route.js')
  t.equal(areaOf('validate', 'file:///repo/dist/src/contract/message-validator.js', root), 'src/contract')
  t.equal(areaOf('x', 'file:///repo/node_modules/@fastify/ajv-compiler/index.js', root), '@fastify/ajv-compiler')
  t.equal(areaOf('x', 'file:///repo/node_modules/libxml2-wasm/lib/index.mjs', root), 'libxml2-wasm')
  t.equal(areaOf('writeGeneric', 'node:internal/stream_base_commons', root), 'node internals')
  t.equal(areaOf('(garbage collector)', '', root), '(garbage collector)')
  t.equal(areaOf('memcpy', '', root), '(native/builtin)')
  t.equal(areaOf('$xmlSchemaValidate', 'wasm://wasm/0012', root), 'wasm')
})

t.test('self time from samples and time deltas; idle kept apart', async (t) => {
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(root)', ''), children: [2, 3, 4, 5] },
      { id: 2, callFrame: frame('(idle)', '') },
      { id: 3, callFrame: frame('validate', 'file:///repo/dist/src/contract/index.js', 9) },
      { id: 4, callFrame: frame('', 'file:///repo/node_modules/fastify/lib/route.js', 0) },
      { id: 5, callFrame: frame('validate', 'file:///repo/dist/src/contract/index.js', 9) }
    ],
    startTime: 0,
    endTime: 1000,
    // stamps 0, 100, 400, 700, 800; each sample lasts until the next (the last until endTime)
    samples: [3, 3, 4, 2, 5],
    timeDeltas: [0, 100, 300, 300, 100]
  }
  const s = summariseCpuProfile(profile, { root })
  t.equal(s.totalMs, 1)
  t.equal(s.idleMs, 0.1)
  t.equal(s.top[0]!.name, 'validate')
  t.equal(s.top[0]!.location, 'src/contract/index.js:10', 'same function and line merged, 1-based line')
  t.equal(s.top[0]!.selfMs, 0.6, '100 + 300 + 200 µs')
  t.equal(s.top[1]!.name, '(anonymous)')
  t.equal(s.top[1]!.selfMs, 0.3)
  t.equal(Math.round(s.top[0]!.percent), 67, 'percent of the busy (non-idle) time')
  t.same(s.areas.map((a) => a.area), ['src/contract', 'fastify'])
})

t.test('a window keeps the samples taken inside it', async (t) => {
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('startup', 'node:internal/modules/esm/loader') },
      { id: 2, callFrame: frame('handle', 'file:///repo/dist/src/routes/soap-service.js') }
    ],
    startTime: 1000,
    endTime: 2000,
    // stamps 1000, 1200, 1500, 1700
    samples: [1, 1, 2, 2],
    timeDeltas: [0, 200, 300, 200]
  }
  const all = summariseCpuProfile(profile, { root })
  t.same(all.areas.map((a) => a.area), ['node internals', 'src/routes'])
  const load = summariseCpuProfile(profile, { root, window: { startUs: 1500, endUs: 2000 } })
  t.same(load.top.map((r) => [r.name, r.selfMs]), [['handle', 0.5]])
  t.equal(load.totalMs, 0.5)
})

t.test('hit counts when the profile has no samples', async (t) => {
  const s = summariseCpuProfile({
    nodes: [
      { id: 1, callFrame: frame('a', 'file:///repo/dist/src/soap/mime.js'), hitCount: 3 },
      { id: 2, callFrame: frame('b', 'file:///repo/dist/src/soap/mime.js'), hitCount: 1 }
    ],
    startTime: 0,
    endTime: 4000
  }, { root, top: 1 })
  t.equal(s.top.length, 1, 'top N')
  t.equal(s.top[0]!.selfMs, 3)
  t.equal(s.areas[0]!.selfMs, 4)
})

t.test('profileThreadId: the thread of a --cpu-prof file name', async (t) => {
  t.equal(profileThreadId('/x/CPU.20261130.212440.29715.0.001.cpuprofile'), 0)
  t.equal(profileThreadId('bench/out/profile/CPU.20261130.212440.29715.1.002.cpuprofile'), 1)
  t.equal(profileThreadId('profile.cpuprofile'), undefined)
})
