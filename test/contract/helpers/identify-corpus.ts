/**
 * The messages the identify-only scanner is compared on: the example requests, every message of
 * the validation corpus (test/fixtures/<case>/, generated cases included), the SOAP codec's
 * reference message, and the bench's load messages (CRE, getDemandeLogement with a certificate,
 * the same inline).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { creMessage, demandeMessage, inlineDemandeMessage, readMessageSources } from '../../../bench/harness/messages.js'
import { recipes } from '../../fixtures/corpus-kit.js'

export interface CorpusMessage {
  name: string
  body: Buffer
  contentType: string | undefined
  soapAction: string | undefined
}

const repo = fileURLToPath(new URL('../../../', import.meta.url))

/** The example requests (examples/requests/*.mtom with their content types). */
export function exampleRequests (): CorpusMessage[] {
  const dir = join(repo, 'examples', 'requests')
  return readdirSync(dir).filter((f) => f.endsWith('.mtom')).sort().map((f) => {
    const stem = f.slice(0, -'.mtom'.length)
    return { name: `examples/requests/${stem}`, body: readFileSync(join(dir, f)), contentType: readFileSync(join(dir, `${stem}.content-type`), 'utf8').trim(), soapAction: undefined }
  })
}

interface CaseFile {
  contentType?: string
  soapAction?: string
  generate?: string
}

/** Every case of the validation corpus; generated cases larger than `maxGenerated` bytes are left out. */
export function corpusCases (maxGenerated = 256 * 1024): CorpusMessage[] {
  const root = join(repo, 'test', 'fixtures')
  const out: CorpusMessage[] = []
  for (const name of readdirSync(root).filter((n) => existsSync(join(root, n, 'case.json'))).sort()) {
    const c = JSON.parse(readFileSync(join(root, name, 'case.json'), 'utf8')) as CaseFile
    if (c.generate !== undefined) {
      const built = recipes[c.generate]?.()
      if (built === undefined || built.message.length > maxGenerated) continue
      out.push({ name, body: built.message, contentType: built.contentType, soapAction: built.soapAction })
    } else {
      out.push({ name, body: readFileSync(join(root, name, 'message')), contentType: c.contentType, soapAction: c.soapAction })
    }
  }
  return out
}

/** The bench's load messages and the codec's reference message. */
export async function benchMessages (): Promise<CorpusMessage[]> {
  const sources = await readMessageSources(join(repo, 'examples'))
  const pem = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUYmVuY2g=\n-----END CERTIFICATE-----\n')
  const numUnique = '1110125004242G1226'
  const soapDir = join(repo, 'test', 'soap', 'fixtures')
  return [
    { name: 'bench cre', ...creMessage(sources, Buffer.alloc(0)), soapAction: undefined },
    { name: 'bench cre with certificate', ...creMessage(sources, pem), soapAction: undefined },
    { name: 'bench demande', ...demandeMessage(sources, numUnique, pem), soapAction: undefined },
    { name: 'bench demande inline', ...inlineDemandeMessage(sources, numUnique, pem), soapAction: undefined },
    { name: 'soap reference-4-2', body: readFileSync(join(soapDir, 'reference-4-2.mime')), contentType: readFileSync(join(soapDir, 'reference-4-2.content-type'), 'utf8').trim(), soapAction: undefined }
  ]
}

const NUU = 'xmlns:ns1="http://nuu.application.i2/"'

function replaceAll (body: Buffer, pairs: ReadonlyArray<[string, string]>): Buffer {
  let s = body.toString('latin1')
  for (const [from, to] of pairs) s = s.split(from).join(to)
  return Buffer.from(s, 'latin1')
}

/**
 * The messages whose documents travel as they are (MTOM), rewritten with default namespaces:
 * every element of the document unprefixed in a default namespace, or all but the root (prefixed
 * and unprefixed names of one namespace mixed), and the envelope's wrapper likewise; and with
 * their documents declared US-ASCII.
 */
export function namespaceVariants (messages: readonly CorpusMessage[]): CorpusMessage[] {
  const out: CorpusMessage[] = []
  for (const m of messages) {
    if (m.contentType?.startsWith('multipart/') !== true || !m.body.includes(NUU)) continue
    const unprefixed: Array<[string, string]> = [['<ns1:', '<'], ['</ns1:', '</']]
    out.push({ ...m, name: `${m.name} (default namespace)`, body: replaceAll(m.body, [[NUU, 'xmlns="http://nuu.application.i2/"'], ...unprefixed]) })
    out.push({
      ...m,
      name: `${m.name} (prefixed root, default namespace below)`,
      body: replaceAll(m.body, [[NUU, `${NUU} xmlns="http://nuu.application.i2/"`], ...unprefixed, ['<interfaceNuu', '<ns1:interfaceNuu'], ['</interfaceNuu', '</ns1:interfaceNuu']])
    })
    out.push({ ...m, name: `${m.name} (documents declared US-ASCII)`, body: replaceAll(m.body, [['encoding="UTF-8"', 'encoding="US-ASCII"']]) })
    out.push({
      ...m,
      name: `${m.name} (wrapper in a default namespace)`,
      body: replaceAll(m.body, [['ws:contentType', 'contentType'], ['<ws:', '<'], ['</ws:', '</'], ['xmlns:ws=', 'xmlns=']])
    })
  }
  return out
}

