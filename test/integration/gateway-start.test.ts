// `sne-gateway start` with no configuration, as a new user runs it (`npm start`): the dev PKI is
// made, the embedded simulator and the gateway start, and the curl command printed gets a real
// answer from the simulator through the gateway.
import t from 'tap'
import { execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { testPki } from '../helpers/pki.js'

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
  // today's copy of examples/requests/getNumUnique-CRE.mtom, whose fixed dates would make an expired demande
  t.match(command, /--data-binary @certs\/first-call\/getNumUnique-CRE\.mtom/)
  const { stdout: answer } = await exec('bash', ['-c', `${command} -sS -w '\\n%{http_code}'`], { cwd, timeout: 30000 })
  t.match(answer, /\n200$/, 'HTTP 200')
  t.match(answer, 'numUniqueReponse', 'the simulator\'s answer')
  t.match(answer, /<(\w+:)?numUnique>[0-9A-Z]{18}</, 'with a numéro unique')
  const validUntil = /<(?:\w+:)?dateFinValidite>([0-9-]{10})</.exec(answer)?.[1] ?? ''
  t.ok(validUntil > new Date().toISOString().slice(0, 10), `a live demande: valid until ${validUntil}, after today`)

  // The REST quick start, as printed: a creation with JSON alone, then the read of what it made.
  const restAt = hint.indexOf('  curl ', hint.indexOf('The same creation with JSON alone'))
  t.match(hint.slice(restAt), /^ {2}curl [^\n]*\n {4}-H 'Content-Type: application\/json' \\\n {4}-H 'Idempotency-Key: [0-9a-f-]{36}' \\\n/, 'the creation carries an Idempotency-Key')
  const create = hint.slice(restAt, hint.indexOf('/api/v1/demandes', restAt) + '/api/v1/demandes'.length)
  t.match(create, /--data-binary @certs\/first-call\/demande-cre\.json/)
  const created = await exec('bash', ['-c', `${create} -sS -w '\\n%{http_code}'`], { cwd, timeout: 30000 })
  t.match(created.stdout, /\n201$/, 'the JSON creation: 201')
  const numUnique = /"numUnique":"([0-9A-Z]{18})"/.exec(created.stdout)?.[1] ?? ''
  t.match(numUnique, /^\d{13}G1226$/, 'with its numéro unique, in JSON')
  // Sent twice, as printed: the same demande, not a second one.
  const twice = await exec('bash', ['-c', `${create} -sS -i`], { cwd, timeout: 30000 })
  t.match(twice.stdout, /^HTTP\/1\.1 201/)
  t.match(twice.stdout, /\bidempotency-replayed: true\r\n/i)
  t.equal(/"numUnique":"([0-9A-Z]{18})"/.exec(twice.stdout)?.[1], numUnique, 'the same numéro unique')
  const readAt = hint.indexOf('  curl ', hint.indexOf('then read it back'))
  const readCommand = hint.slice(readAt, hint.indexOf('<numUnique>', readAt) + '<numUnique>'.length).replace('<numUnique>', numUnique)
  const read = await exec('bash', ['-c', `${readCommand} -sS -w '\\n%{http_code}'`], { cwd, timeout: 30000 })
  t.match(read.stdout, /\n200$/, 'read back: 200')
  t.match(read.stdout, `"numUnique":"${numUnique}"`)

  const port = /https:\/\/127\.0\.0\.1:(\d+)\/ecole/.exec(command)![1]!

  // Every example, dated for today: the inline creation sent with curl as it was written makes a live demande.
  t.match(hint, 'Every example of examples/, dated for today (theirs are fixed, 2025): certs/examples/\n')
  const inlineCreation = `curl --cacert certs/ca.pem --cert certs/client.pem --key certs/client.key -H 'Content-Type: application/soap+xml; charset=utf-8' --data-binary @certs/examples/envelopes/getNumUnique-inline.xml https://127.0.0.1:${port}/ecole/services/DemandeLogementImplService/ -sS -w '\n%{http_code}'`
  const inlineAnswer = (await exec('bash', ['-c', inlineCreation], { cwd, timeout: 30000 })).stdout
  t.match(inlineAnswer, /\n200$/, 'the dated inline example: HTTP 200')
  // a plain SOAP request is answered in kind: the answer document is inline base64
  const inlineDocument = Buffer.from(/<(?:\w+:)?fichierReponse[^>]*>([A-Za-z0-9+/=\s]+)</.exec(inlineAnswer)?.[1] ?? '', 'base64').toString('utf8')
  const inlineUntil = /<(?:\w+:)?dateFinValidite>([0-9-]{10})</.exec(inlineDocument)?.[1] ?? ''
  t.ok(inlineUntil > new Date().toISOString().slice(0, 10), `a live demande: valid until ${inlineUntil}, after today`)
  const tls1 = await exec('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1', '-cipher', 'DEFAULT@SECLEVEL=0'], { timeout: 20000 }).then(() => 0, (e: { code: number }) => e.code)
  t.not(tls1, 0, 'a TLS 1.0 attempt is refused')

  // SIGHUP reloads (here the same dev configuration) and never stops the gateway.
  proc.kill('SIGHUP')
  for (let i = 0; i < 2400 && !stdout.includes('configuration reloaded'); i++) await new Promise((resolve) => setTimeout(resolve, 25))
  t.match(stdout, '"msg":"configuration reloaded: TLS material, upstream credentials and guichet mapping"')
  const again = await exec('bash', ['-c', `${command} -sS -w '\n%{http_code}'`], { cwd, timeout: 30000 })
  t.match(again.stdout, /\n200$/, 'still serving after SIGHUP')

  proc.kill('SIGTERM')
  t.equal(await exited, 0)
  t.match(stdout, '"msg":"stopped"')
})

t.test('with log.file: SIGUSR2 reopens the log file (logrotate), SIGHUP reloads and reopens; neither stops the gateway', async (t) => {
  const cwd = t.testdir({})
  const pki = await testPki()
  const log = join(cwd, 'logs', 'gateway.log')
  const config = {
    dataPlane: { host: '127.0.0.1', port: 0, tls: { cert: pki.server.cert, key: pki.server.key, clientCa: pki.ca.cert } },
    ops: { enabled: false },
    census: { enabled: false },
    log: { level: 'info', file: log },
    environments: { ecole: { upstream: { url: 'https://127.0.0.1:9/services/DemandeLogementImplService/', ca: pki.ca.cert, cert: pki.upstreamClient.cert, key: pki.upstreamClient.key } } }
  }
  await writeFile(join(cwd, 'gateway.json'), JSON.stringify(config))
  const proc = spawn(process.execPath, [...loader, join(ROOT, 'src/cli.ts'), 'start', '--config', join(cwd, 'gateway.json')], { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)))
  t.teardown(() => { if (proc.exitCode === null) proc.kill('SIGKILL') })
  const waitFor = async (file: string, text: string): Promise<string> => {
    let content = ''
    // Bounded, generously: a loaded machine may take many seconds to start the validation workers.
    for (let i = 0; i < 2400 && !content.includes(text); i++) {
      await new Promise((resolve) => setTimeout(resolve, 25))
      content = await readFile(file, 'utf8').catch(() => '')
    }
    return content
  }
  t.match(await waitFor(log, 'gateway listening'), '"msg":"gateway listening"', 'lines go to the file')

  await rename(log, `${log}.1`)
  proc.kill('SIGUSR2')
  t.match(await waitFor(log, 'log file reopened'), '"signal":"SIGUSR2"', 'a new file after SIGUSR2')

  await rename(log, `${log}.2`)
  proc.kill('SIGHUP')
  const after = await waitFor(log, 'configuration reloaded')
  t.match(after, '"signal":"SIGHUP"', 'reopened on SIGHUP')
  t.match(after, '"msg":"configuration reloaded: TLS material, upstream credentials and guichet mapping"')
  t.equal(proc.exitCode, null, 'still running')

  proc.kill('SIGTERM')
  t.equal(await exited, 0)
  t.match(await waitFor(log, '"stopped"'), '"msg":"stopped"')
})
