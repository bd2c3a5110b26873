import t from 'tap'
import { writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { errorCount, luaString, parseWrkOutput, runWrk, wrkArgs, wrkLuaScript, WRK_JSON_MARKER } from '../../../bench/harness/wrk.js'

t.test('luaString escapes quotes and backslashes, refuses non-printable text', async (t) => {
  t.equal(luaString('multipart/related; type="application/xop+xml"'), '"multipart/related; type=\\"application/xop+xml\\""')
  t.equal(luaString('a\\b'), '"a\\\\b"')
  t.throws(() => luaString('a\nb'), /not printable ASCII/)
  t.throws(() => luaString('é'), /not printable ASCII/)
})

t.test('the script posts the file with the whole content type and prints one JSON line', async (t) => {
  const ct = 'multipart/related; type="application/xop+xml"; start="soaproot"; boundary="MIME_BOUNDARY"; action="http://ws.metier.nuu.application.i2/getNumUnique"'
  const lua = wrkLuaScript({ bodyFile: '/tmp/cre.bin', contentType: ct, headers: { SOAPAction: '"x"' } })
  t.match(lua, 'wrk.method = "POST"')
  t.match(lua, 'io.open("/tmp/cre.bin", "rb")')
  t.match(lua, `wrk.headers["Content-Type"] = ${luaString(ct)}`)
  t.match(lua, 'wrk.headers["SOAPAction"] = "\\"x\\""')
  t.match(lua, /done = function\(summary, latency, requests\)/)
  t.match(lua, 'latency:percentile(99)')
  t.match(lua, WRK_JSON_MARKER.trim())
})

t.test('a GET script has no body; a POST needs one', async (t) => {
  const lua = wrkLuaScript({ method: 'GET', headers: { 'SNE-Guichet': 'G1226' } })
  t.match(lua, 'wrk.method = "GET"')
  t.notMatch(lua, 'wrk.body')
  t.notMatch(lua, 'Content-Type')
  t.match(lua, 'wrk.headers["SNE-Guichet"] = "G1226"')
  const json = wrkLuaScript({ bodyFile: '/tmp/c.json', contentType: 'application/json' })
  t.match(json, 'wrk.method = "POST"')
  t.match(json, 'wrk.headers["Content-Type"] = "application/json"')
  t.throws(() => wrkLuaScript({ method: 'GET', bodyFile: '/tmp/x' }), /a GET has no body/)
  t.throws(() => wrkLuaScript({ contentType: 'application/json' }), /a POST needs a body file/)
})

t.test('parseWrkOutput reads the JSON line among wrk\'s text', async (t) => {
  const stdout = [
    'Running 10s test @ https://127.0.0.1:8443/ecole/services/DemandeLogementImplService/',
    '  2 threads and 50 connections',
    `${WRK_JSON_MARKER}{"requests":25000,"durationUs":10000000,"bytes":1000,"errors":{"connect":0,"read":1,"write":0,"status":2,"timeout":3},"latencyUs":{"p50":1500,"p90":2500,"p99":9000,"max":20000,"mean":1700.5}}`,
    'Requests/sec:   2500.00'
  ].join('\n')
  const r = parseWrkOutput(stdout)
  t.equal(r.requestsPerSecond, 2500)
  t.equal(r.latencyUs.p99, 9000)
  t.equal(errorCount(r), 6)
  t.throws(() => parseWrkOutput('Requests/sec: 1'), /no WRK_JSON line/)
})

t.test('wrkArgs: latency on, Connection: close only for the handshake runs', async (t) => {
  const base = { url: 'https://127.0.0.1:1/x', scriptFile: 's.lua', connections: 50, threads: 2, durationSeconds: 10 }
  const args = wrkArgs(base)
  t.same(args, ['-t', '2', '-c', '50', '-d', '10s', '--timeout', '10s', '--latency', '-s', 's.lua', 'https://127.0.0.1:1/x'])
  t.same(wrkArgs({ ...base, connectionClose: true }).slice(-3), ['-H', 'Connection: close', 'https://127.0.0.1:1/x'])
})

t.test('a paced script defines delay(), random around the mean pause; an unpaced one does not', async (t) => {
  const base = { bodyFile: '/tmp/cre.bin', contentType: 'text/xml' }
  const paced = wrkLuaScript({ ...base, delayMs: 120 })
  t.match(paced, /\ndelay = function\(\)\n {2}return math\.random\(0, 240\)\nend\n/)
  t.match(paced, /done = function/, 'the figures are still printed')
  t.match(wrkLuaScript({ ...base, delayMs: 0 }), /\n {2}return math\.random\(0, 0\)\n/, 'no pause is a valid pace')
  t.notMatch(wrkLuaScript(base), /delay/)
})

t.test('a delay wrk would misread is refused', async (t) => {
  const base = { bodyFile: '/tmp/cre.bin', contentType: 'text/xml' }
  for (const delayMs of [-1, Number.NaN, Number.POSITIVE_INFINITY, 2.5]) {
    t.throws(() => wrkLuaScript({ ...base, delayMs }), /delayMs must be a whole number of milliseconds/, String(delayMs))
  }
})

t.test('uniqueHeader: wrk sends a new value on every request, across threads and runs', async (t) => {
  const seen: string[] = []
  const server = createServer((req, res) => {
    seen.push(String(req.headers['idempotency-key']))
    res.end('ok')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.close() })
  const dir = t.testdir({ 'body.json': '{}' })
  const scriptFile = join(dir, 'unique.lua')
  writeFileSync(scriptFile, wrkLuaScript({ bodyFile: join(dir, 'body.json'), contentType: 'application/json', headers: { 'Idempotency-Key': 'fixed' }, uniqueHeader: 'Idempotency-Key' }))
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`
  const runs = [await runWrk({ url, scriptFile, connections: 4, threads: 2, durationSeconds: 1 })]
  // A second run starts in another second: its values differ from the first run's too.
  await new Promise((resolve) => setTimeout(resolve, 1100))
  runs.push(await runWrk({ url, scriptFile, connections: 4, threads: 2, durationSeconds: 1 }))
  t.ok(runs.every((r) => r.requests > 10), 'both runs made requests')
  t.notOk(seen.includes('fixed'), 'the fixed value is replaced')
  t.equal(new Set(seen).size, seen.length, `${seen.length} requests, as many values`)
})
