// `sne-gateway start` with no configuration, as a new user runs it (`npm start`): the dev PKI is
// made, the embedded simulator and the gateway start, and the curl command printed gets a real
// answer from the simulator through the gateway.
import t from 'tap'
import { execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const loader = process.execArgv.filter((a) => a.includes('@tapjs/typescript'))
const exec = promisify(execFile)

t.test('npm start, then the printed curl command', async (t) => {
  const cwd = t.testdir({})
  const proc = spawn(process.execPath, [...loader, join(ROOT, 'src/cli.ts'), 'start'], {
    cwd,
    // Free ports instead of 8443/9090, which another process may hold on a shared machine.
    env: { ...process.env, SNE_GATEWAY_DATA_PLANE_PORT: '0', SNE_GATEWAY_OPS_PORT: '0', SNE_GATEWAY_CENSUS_FILE: ':memory:' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)))
  t.teardown(() => { if (proc.exitCode === null) proc.kill('SIGKILL') })
  let stdout = ''
  proc.stdout.on('data', (d: Buffer) => { stdout += d.toString('utf8') })
  let stderr = ''
  const hint = await new Promise<string>((resolve, reject) => {
    proc.stderr.on('data', (d: Buffer) => {
      stderr += d.toString('utf8')
      if (/DemandeLogementImplService\/\n/.test(stderr) && stderr.includes('curl ')) resolve(stderr)
    })
    void exited.then((code) => reject(new Error(`exited ${String(code)}: ${stderr}${stdout}`)))
  })
  t.ok(existsSync(join(cwd, 'certs/ca.pem')) && existsSync(join(cwd, 'certs/client.key')), 'the dev PKI was made under certs/')

  // The printed command, as printed (a backslash-continued shell command).
  const command = hint.slice(hint.indexOf('  curl '), hint.indexOf('DemandeLogementImplService/', hint.indexOf('  curl ')) + 'DemandeLogementImplService/'.length)
  t.match(command, /--cert certs\/client\.pem --key certs\/client\.key/)
  t.match(command, /--data-binary @.*examples\/requests\/getNumUnique-CRE\.mtom/)
  const { stdout: answer } = await exec('bash', ['-c', `${command} -sS -w '\\n%{http_code}'`], { cwd, timeout: 30000 })
  t.match(answer, /\n200$/, 'HTTP 200')
  t.match(answer, 'numUniqueReponse', 'the simulator\'s answer')
  t.match(answer, /<(\w+:)?numUnique>[0-9A-Z]{18}</, 'with a numéro unique')

  const port = /https:\/\/127\.0\.0\.1:(\d+)\/ecole/.exec(command)![1]!
  const tls1 = await exec('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1', '-cipher', 'DEFAULT@SECLEVEL=0'], { timeout: 20000 }).then(() => 0, (e: { code: number }) => e.code)
  t.not(tls1, 0, 'a TLS 1.0 attempt is refused')

  proc.kill('SIGTERM')
  t.equal(await exited, 0)
  t.match(stdout, '"msg":"stopped"')
})
