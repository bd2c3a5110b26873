// Every launcher of the gateway runs Node.js with the same flags (docs/configuration.md,
// "Node.js flags"): npm start, the bin's shebang, the Docker image, the bench harness.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { GATEWAY_NODE_FLAGS } from '../../bench/harness/targets.js'

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8')

t.test('the launchers agree on the Node.js flags', async (t) => {
  t.same(GATEWAY_NODE_FLAGS, ['--max-semi-space-size=8'])
  const flags = GATEWAY_NODE_FLAGS.join(' ')
  const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string>, bin: Record<string, string> }
  t.equal(pkg.scripts.start, `node ${flags} dist/src/cli.js start`, 'npm start')
  t.equal(pkg.bin['sne-gateway'], 'dist/src/cli.js')
  t.equal(read('src/cli.ts').split('\n')[0], `#!/usr/bin/env -S node ${flags}`, 'the bin (tsc keeps the first line)')
  t.match(read('docker/Dockerfile'), `ENTRYPOINT ["/usr/bin/tini", "--", "node", ${GATEWAY_NODE_FLAGS.map((f) => JSON.stringify(f)).join(', ')}, "dist/src/cli.js"]`, 'the image')
  t.match(read('docs/configuration.md'), `\`${flags}\``, 'documented')
})
