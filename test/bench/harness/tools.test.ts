import { dirname } from 'node:path'
import t from 'tap'
import { ensureTools, findExecutable, PACKAGES } from '../../../bench/harness/tools.js'

t.test('findExecutable searches PATH, then the sbin folders', async (t) => {
  t.equal(await findExecutable('node', dirname(process.execPath)), process.execPath)
  t.equal(await findExecutable('surely-not-a-command-3f9a', dirname(process.execPath)), undefined)
})

t.test('Debian packages: nginx-light first (bookworm), nginx where it is gone', async (t) => {
  t.same(PACKAGES.nginx, ['nginx-light', 'nginx'])
  t.same(PACKAGES.wrk, ['wrk'])
})

const present = (await findExecutable('nginx')) !== undefined && (await findExecutable('wrk')) !== undefined

t.test('ensureTools installs nothing when both tools are there', { skip: present ? false : 'nginx or wrk missing: installing is npm run bench\'s job, not a test\'s' }, async (t) => {
  const lines: string[] = []
  const tools = await ensureTools((l) => lines.push(l))
  t.same(tools.installed, [])
  t.same(lines, [], 'no apt-get')
  t.match(tools.nginx, /nginx$/)
  t.match(tools.wrk, /wrk$/)
})
