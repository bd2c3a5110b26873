import t from 'tap'
import { ANSWER_STEPS, frameOwner, GENERATED_CODE, NO_APPLICATION_FRAME, stackShares, stepShares } from '../../../bench/harness/perf-stacks.js'

t.test('frameOwner: the gateway\'s modules and packages own frames; Node, V8, libc and the kernel do not', async (t) => {
  t.equal(frameOwner('7f7a JS:*check file:///w/dist/src/routes/soap-call.js:74:20+0x1 (/tmp/perf-1.map)'), 'src/routes/soap-call')
  t.equal(frameOwner('7f7a JS:*f file:///w/dist/bench/harness/node-floor.js:9:1+0x1 (/tmp/perf-1.map)'), 'bench/harness/node-floor')
  t.equal(frameOwner('7f7a JS:*_resume /w/node_modules/undici/lib/dispatcher/client.js:589:18+0xc (/tmp/perf-1.map)'), 'undici')
  t.equal(frameOwner('7f7a JS:*redactPaths /w/node_modules/@pinojs/redact/index.js:199:22+0x2 (/tmp/perf-1.map)'), '@pinojs/redact')
  t.equal(frameOwner('7f7a JS:^emit node:events:471:44+0x2 (/tmp/perf-1.map)'), undefined)
  t.equal(frameOwner('151c759 Builtins_StoreIC+0x259 (/usr/bin/node)'), undefined)
})

t.test('frameOwner: code compiled from a string (ajv\'s validators) has an owner of its own, not its caller\'s', async (t) => {
  t.equal(frameOwner('7f7a JS:^validate12 :3:189+0x1c (/tmp/perf-1.map)'), GENERATED_CODE)
  t.equal(frameOwner('7f7a JS:*validate103 :3:329+0x2 (/tmp/perf-1.map)'), GENERATED_CODE)
  t.equal(frameOwner('7f7a JS:* :1:1+0x2 (/tmp/perf-1.map)'), GENERATED_CODE)
  // Node's own scripts and named files keep their owners
  t.equal(frameOwner('7f7a JS:*end node:_http_outgoing:1034:45+0x2 (/tmp/perf-1.map)'), undefined)
  t.equal(frameOwner('7f7a JS:* file:///w/dist/src/contract/compiled-validator.js:371:16+0x1 (/tmp/perf-1.map)'), 'src/contract/compiled-validator')
})

t.test('stackShares: self to the innermost owned frame, inclusive once per sample, no owner to Node', async (t) => {
  const script = [
    'node 1 1.0: 333 cpu-clock:ppp: ',
    '\t 1 Builtins_LoadIC+0x1 (/usr/bin/node)',
    '\t 2 JS:^emit node:events:1:1+0x1 (/tmp/perf-1.map)',
    '\t 3 JS:*a file:///w/dist/src/soap/mime.js:1:1+0x1 (/tmp/perf-1.map)',
    '\t 4 JS:*b file:///w/dist/src/routes/soap-call.js:1:1+0x1 (/tmp/perf-1.map)',
    '\t 5 JS:*c file:///w/dist/src/soap/mime.js:9:1+0x1 (/tmp/perf-1.map)',
    '',
    'node 1 1.1: 333 cpu-clock:ppp: ',
    '\t 6 epoll_pwait+0x6e (/usr/lib/x86_64-linux-gnu/libc.so.6)',
    '',
    'node 1 1.2: 333 cpu-clock:ppp: ',
    '\t 7 JS:*d /w/node_modules/fastify/lib/reply.js:1:1+0x1 (/tmp/perf-1.map)',
    '\t 8 JS:*b file:///w/dist/src/routes/soap-call.js:1:1+0x1 (/tmp/perf-1.map)',
    ''
  ].join('\n')
  const s = stackShares(script)
  t.equal(s.samples, 3)
  t.same(Object.fromEntries(s.self), { 'src/soap/mime': 1, [NO_APPLICATION_FRAME]: 1, fastify: 1 })
  t.same(Object.fromEntries(s.inclusive), { 'src/soap/mime': 1, 'src/routes/soap-call': 2, [NO_APPLICATION_FRAME]: 1, fastify: 1 })
})

t.test('stepShares: the answer\'s writing found by its frames, whichever owner called it', async (t) => {
  const script = [
    'node 1 1.0: 333 cpu-clock:ppp: ',
    '\tffff ksys_write+0xc3 ([kernel.kallsyms])',
    '\t 2 JS:^end node:_http_outgoing:1034:45+0xbb1 (/tmp/perf-1.map)',
    '\t 3 JS:*onSendEnd /w/node_modules/fastify/lib/reply.js:599:20+0x7d5 (/tmp/perf-1.map)',
    '',
    'node 1 1.1: 333 cpu-clock:ppp: ',
    '\t 4 JS:*writeHead node:_http_server:341:19+0x14e (/tmp/perf-1.map)',
    '\t 5 JS:*f file:///w/dist/bench/harness/node-floor.js:9:1+0x1 (/tmp/perf-1.map)',
    '',
    'node 1 1.2: 333 cpu-clock:ppp: ',
    '\tffff do_writev+0x1 ([kernel.kallsyms])',
    '\t 6 JS:*_resume /w/node_modules/undici/lib/dispatcher/client.js:589:18+0xc (/tmp/perf-1.map)',
    '',
    'node 1 1.3: 333 cpu-clock:ppp: ',
    '\t 7 JS:*onSend file:///w/dist/src/routes/index.js:1:1+0x1 (/tmp/perf-1.map)',
    ''
  ].join('\n')
  const s = stepShares(script, ANSWER_STEPS)
  t.equal(s.samples, 4)
  t.same([...s.steps.values()], [2, 2, 1], 'HTTP writing 2, kernel writes 2, onSendEnd 1')
})
