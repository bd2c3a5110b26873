/**
 * One SOAP call over HTTPS, outside the load: to record the simulator's answers and to check that
 * a target answers a message as expected before wrk measures it.
 */
import { Agent } from 'undici'

export interface PostTls {
  ca: Buffer | string
  /** client credential, when the server wants one */
  cert?: Buffer | string
  key?: Buffer | string
  servername?: string
}

export interface PostAnswer {
  statusCode: number
  contentType: string
  body: Buffer
}

/** One request: a POST of `body` with its content type (the default), or a GET without a body. */
export interface OneRequest {
  method?: 'POST' | 'GET'
  contentType?: string
  body?: Buffer
  /** further request headers (e.g. SNE-Guichet) */
  headers?: Record<string, string>
}

/** Sends `message` to `url` (a POST unless it says GET) and reads the whole answer. */
export async function postOnce (url: string, message: OneRequest, tls: PostTls, timeoutMs = 30_000): Promise<PostAnswer> {
  const agent = new Agent({
    connect: { ca: tls.ca, cert: tls.cert, key: tls.key, servername: tls.servername, rejectUnauthorized: true },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs
  })
  try {
    const u = new URL(url)
    const answer = await agent.request({
      origin: u.origin,
      path: u.pathname + u.search,
      method: message.method ?? 'POST',
      headers: { ...(message.contentType === undefined ? {} : { 'content-type': message.contentType }), ...message.headers },
      ...(message.body === undefined || message.method === 'GET' ? {} : { body: message.body })
    })
    const body = Buffer.from(await answer.body.arrayBuffer())
    const ct = answer.headers['content-type']
    return { statusCode: answer.statusCode, contentType: Array.isArray(ct) ? ct.join(', ') : (ct ?? ''), body }
  } finally {
    await agent.close()
  }
}

/** GETs `url` and parses its JSON answer (HTTP 200 only). */
export async function getJson (url: string, tls: PostTls, timeoutMs = 10_000): Promise<unknown> {
  const agent = new Agent({ connect: { ca: tls.ca, cert: tls.cert, key: tls.key, servername: tls.servername, rejectUnauthorized: true }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs })
  try {
    const u = new URL(url)
    const answer = await agent.request({ origin: u.origin, path: u.pathname + u.search, method: 'GET' })
    const text = await answer.body.text()
    if (answer.statusCode !== 200) throw new Error(`GET ${u.pathname} answered HTTP ${answer.statusCode}`)
    return JSON.parse(text) as unknown
  } finally {
    await agent.close()
  }
}

/**
 * What a Fault says, in a line (its subcode or first Value, and its reason), for a report;
 * undefined when the body is not a Fault.
 */
export function faultSummary (body: Buffer): string | undefined {
  const text = body.toString('utf8', 0, Math.min(body.length, 64 * 1024))
  if (!/<(?:[\w.-]+:)?Fault[\s>]/.test(text)) return undefined
  const values = [...text.matchAll(/<(?:[\w.-]+:)?Value>([^<]*)</g)].map((m) => m[1]!.trim())
  const reason = /<(?:[\w.-]+:)?(?:Text|faultstring)[^>]*>([^<]*)</.exec(text)?.[1]?.trim()
  const code = values.find((v) => /GW_[A-Z0-9_]+/.test(v)) ?? values[values.length - 1]
  return [code, reason].filter((x) => x !== undefined && x !== '').join(': ').slice(0, 200)
}
