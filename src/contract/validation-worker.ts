/**
 * A validation worker thread (`validation-pool.ts` starts it): loads the interface specification
 * once, the same files with the same limits as the main thread's, then answers one check per
 * message it receives, in order. A message's bytes arrive transferred, not shared: nothing else
 * holds them. Nothing is logged here: the main thread logs what it needs from the answers.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { loadSpec } from './index.js'
import { checkHere } from './message-check.js'
import type { CheckAnswer, CheckRequest, WorkerSetup } from './validation-pool.js'

const port = parentPort
if (port === null) throw new Error('validation-worker.ts runs as a worker thread only')
const setup = workerData as WorkerSetup
const spec = await loadSpec({ dir: setup.dir, xmlLimits: setup.xmlLimits })

port.on('message', (request: CheckRequest) => {
  let answer: CheckAnswer
  try {
    const bytes = Buffer.from(request.bytes.buffer, request.bytes.byteOffset, request.bytes.byteLength)
    const check = checkHere(spec, bytes, request.contentType, request.soapAction, { identifyOnly: request.identifyOnly, showValues: request.showValues })
    answer = { id: request.id, check }
  } catch (err) {
    answer = { id: request.id, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) }
  }
  port.postMessage(answer)
})
port.postMessage({ ready: true } satisfies CheckAnswer)
