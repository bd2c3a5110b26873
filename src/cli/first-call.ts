/**
 * The first call `npm start` prints, dated today. The example CRE (examples/documents/cre.xml,
 * examples/requests/getNumUnique-CRE.mtom, examples/rest/demande-cre.json) is dated 2025-01-14:
 * sent to the simulator, which runs on the real clock, it makes a demande whose one-year validity
 * is over, which the simulator then radiates, and on which a DALO declaration is refused. The dev
 * setup therefore writes dated copies beside the dev PKI, with today's creation date, file date
 * and file-name stamp, and the hint points at them: a live demande on any date.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'

/** The example CRE's creation day, its file date and its file-name stamp, as the samples write them. */
const EXAMPLE_DAY = '2025-01-14'
const EXAMPLE_FILE_DATE = '2025-01-14T10:32:07.512+01:00'
const EXAMPLE_STAMP = '202501141032'

/** The sample with its dates moved to `now` (UTC): creation day, file date, file-name stamp. */
export function datedSample (sample: Buffer, now: Date): Buffer {
  const iso = now.toISOString()
  const stamp = iso.slice(0, 16).replace(/[-T:]/g, '')
  // latin1 keeps every byte as it is (an attachment may hold 8-bit text); the dates are ASCII
  const text = sample.toString('latin1')
    .replaceAll(EXAMPLE_FILE_DATE, iso.replace('Z', '+00:00'))
    .replaceAll(EXAMPLE_DAY, iso.slice(0, 10))
    .replaceAll(EXAMPLE_STAMP, stamp)
  return Buffer.from(text, 'latin1')
}

export interface FirstCallFiles {
  /** the MTOM message of the SOAP first call */
  request: string
  /** its Content-Type */
  contentType: string
  /** the JSON of the REST first call */
  rest: string
}

/** Writes today's copies of the samples under `dir`; returns their paths. */
export async function writeFirstCall (examples: string, samples: { request: string, contentType: string, rest: string }, dir: string, now: Date): Promise<FirstCallFiles> {
  await mkdir(dir, { recursive: true })
  const out: FirstCallFiles = { request: join(dir, basename(samples.request)), contentType: join(dir, basename(samples.contentType)), rest: join(dir, basename(samples.rest)) }
  await Promise.all((['request', 'contentType', 'rest'] as const).map(async (k) => {
    await writeFile(out[k], datedSample(await readFile(resolve(examples, samples[k])), now))
  }))
  return out
}
