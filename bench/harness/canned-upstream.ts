/**
 * The canned upstream: an HTTPS server that answers each SOAP call with the bytes the simulator
 * answered when the harness recorded it, chosen by the call's action. It does almost nothing
 * per request (drain the body, write a Buffer), so a proxy in front of it shows its own cost.
 *
 * It asks for a client certificate but does not require one: the proxies present the upstream
 * client credential (the mTLS handshake the simulator would do) and wrk, which cannot present
 * one, still reaches it directly for the "bare upstream" figures.
 */
import { createServer, type Server } from 'node:https'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseContentType } from '../../src/soap/content-type.js'

/** GET: `{ connections, requests }` since start, to see how a proxy reuses its upstream connections. */
export const STATS_PATH = '/__bench/stats'

export interface CannedStats {
  /** TLS connections established */
  connections: number
  /** service calls answered */
  requests: number
}

/** One answer as the upstream sent it. */
export interface RecordedAnswer {
  /** the request's action (content-type `action` parameter or SOAPAction) */
  action: string
  statusCode: number
  contentType: string
  body: Buffer
}

export interface CannedUpstreamOptions {
  tls: { cert: Buffer | string, key: Buffer | string, ca: Buffer | string }
  answers: readonly RecordedAnswer[]
  /** the service path answered (others: 404) */
  path: string
}

/** The action of a request: the content type's `action` parameter, else SOAPAction, unquoted. */
export function requestAction (contentType: string | undefined, soapAction: string | undefined): string {
  if (contentType !== undefined) {
    try {
      const action = parseContentType(contentType).params.action
      if (action !== undefined && action !== '') return action
    } catch {
      // an unreadable content type leaves SOAPAction to decide
    }
  }
  return (soapAction ?? '').replace(/^"(.*)"$/, '$1')
}

/** The canned upstream server, not listening. */
export function createCannedUpstream (options: CannedUpstreamOptions): Server {
  const byAction = new Map(options.answers.map((a) => [a.action, a]))
  const stats: CannedStats = { connections: 0, requests: 0 }
  const server = createServer({
    cert: options.tls.cert,
    key: options.tls.key,
    ca: options.tls.ca,
    requestCert: true,
    rejectUnauthorized: false,
    minVersion: 'TLSv1.2',
    // longer than any client's idle timeout: the pools in front decide when to close
    keepAliveTimeout: 65_000
  }, (req, res) => {
    if (req.method === 'GET' && req.url === STATS_PATH) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats))
      return
    }
    const soapAction = req.headers.soapaction
    const answer = req.method === 'POST' && req.url === options.path
      ? byAction.get(requestAction(req.headers['content-type'], Array.isArray(soapAction) ? soapAction[0] : soapAction))
      : undefined
    req.on('end', () => {
      if (answer === undefined) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('no recorded answer\n')
        return
      }
      stats.requests++
      res.writeHead(answer.statusCode, { 'content-type': answer.contentType, 'content-length': answer.body.length }).end(answer.body)
    })
    // the body is read, as a real service would, and dropped
    req.resume()
  })
  server.on('secureConnection', () => { stats.connections++ })
  return server
}

interface IndexEntry {
  action: string
  statusCode: number
  contentType: string
  file: string
}

/** Writes the answers to `dir` (index.json plus one file per answer). */
export async function saveAnswers (dir: string, answers: readonly RecordedAnswer[]): Promise<void> {
  await mkdir(dir, { recursive: true })
  const index: IndexEntry[] = []
  for (const [i, a] of answers.entries()) {
    const file = `answer-${i}.bin`
    await writeFile(join(dir, file), a.body)
    index.push({ action: a.action, statusCode: a.statusCode, contentType: a.contentType, file })
  }
  await writeFile(join(dir, 'index.json'), JSON.stringify(index, null, 2) + '\n')
}

/** Reads what `saveAnswers` wrote. */
export async function loadAnswers (dir: string): Promise<RecordedAnswer[]> {
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as IndexEntry[]
  return await Promise.all(index.map(async (e) => ({ action: e.action, statusCode: e.statusCode, contentType: e.contentType, body: await readFile(join(dir, e.file)) })))
}
