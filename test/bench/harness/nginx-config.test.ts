import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { renderNginxConfig, type NginxConfigOptions } from '../../../bench/harness/nginx-config.js'
import { findExecutable } from '../../../bench/harness/tools.js'
import { testPki } from '../../helpers/pki.js'

const run = promisify(execFile)

const options = (dir: string, pki: { cert: string, key: string, ca: string, ucert: string, ukey: string }): NginxConfigOptions => ({
  dir,
  listenPort: 18443,
  location: '/ecole/services/DemandeLogementImplService/',
  cert: pki.cert,
  key: pki.key,
  upstream: { host: '127.0.0.1', port: 19443, path: '/services/DemandeLogementImplService/', ca: pki.ca, servername: 'localhost', cert: pki.ucert, key: pki.ukey, keepalive: 50 },
  workers: 2,
  bodyLimitBytes: 10 * 1024 * 1024
})

t.test('a TLS 1.2/1.3 keep-alive reverse proxy with the upstream client credential', async (t) => {
  const conf = renderNginxConfig(options('/out/nginx', { cert: '/p/server.pem', key: '/p/server.key', ca: '/p/ca.pem', ucert: '/p/uc.pem', ukey: '/p/uc.key' }))
  t.match(conf, 'worker_processes 2;')
  t.match(conf, 'daemon off;')
  t.match(conf, 'listen 127.0.0.1:18443 ssl;')
  t.match(conf, 'ssl_protocols TLSv1.2 TLSv1.3;')
  t.notMatch(conf, /ssl_ciphers[^;]*TLS_AES/, 'TLS 1.3 suites are not OpenSSL cipher names')
  t.match(conf, /ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:/)
  t.match(conf, /upstream sne \{\s+server 127\.0\.0\.1:19443;\s+keepalive 50;/)
  t.match(conf, 'location /ecole/services/DemandeLogementImplService/ {')
  t.match(conf, 'proxy_pass https://sne/services/DemandeLogementImplService/;')
  t.match(conf, 'proxy_http_version 1.1;')
  t.match(conf, 'proxy_set_header Connection "";', 'keep-alive upstream needs the Connection header cleared')
  t.match(conf, 'proxy_ssl_certificate /p/uc.pem;')
  t.match(conf, 'proxy_ssl_certificate_key /p/uc.key;')
  t.match(conf, 'proxy_ssl_trusted_certificate /p/ca.pem;')
  t.match(conf, 'proxy_ssl_verify on;')
  t.match(conf, 'proxy_ssl_name localhost;')
  t.match(conf, 'client_body_buffer_size 10240k;', 'bodies up to the limit stay in memory')
  t.match(conf, 'access_log /out/nginx/access.log;')
  const other = renderNginxConfig({ ...options('/o', { cert: 'c', key: 'k', ca: 'a', ucert: 'u', ukey: 'v' }), accessLog: false, workers: 'auto' })
  t.match(other, 'access_log off;')
  t.match(other, 'worker_processes auto;')
})

const nginx = await findExecutable('nginx')

t.test('nginx accepts the generated configuration (nginx -t)', { skip: nginx === undefined ? 'nginx is not installed (npm run bench installs it)' : false }, async (t) => {
  const pki = await testPki()
  const dir = mkdtempSync(join(tmpdir(), 'bench-nginx-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  mkdirSync(join(dir, 'client_body'))
  mkdirSync(join(dir, 'proxy'))
  const conf = join(dir, 'nginx.conf')
  writeFileSync(conf, renderNginxConfig(options(dir, { cert: pki.server.cert, key: pki.server.key, ca: pki.ca.cert, ucert: pki.upstreamClient.cert, ukey: pki.upstreamClient.key })))
  const { stderr } = await run(nginx!, ['-t', '-p', dir, '-c', conf, '-e', join(dir, 'error.log')])
  t.match(stderr, /syntax is ok/)
  t.match(stderr, /test is successful/)
})
