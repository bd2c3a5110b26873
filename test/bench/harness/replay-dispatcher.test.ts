import t from 'tap'
import { RecordByAction, ReplayByAction, type Recorded } from '../../../bench/harness/replay-dispatcher.js'

const ORIGIN = 'https://upstream.test'
const PATH = '/services/DemandeLogementImplService/'
const post = async (dispatcher: RecordByAction | ReplayByAction, headers: Record<string, string>, body: string): Promise<{ status: number, type: string | undefined, body: string }> => {
  // as the gateway calls its upstream: through interceptors, which hand the dispatcher undici 7's handler
  const composed = dispatcher.compose((dispatch) => (opts, handler) => dispatch(opts, handler))
  const res = await composed.request({ origin: ORIGIN, path: PATH, method: 'POST', headers, body: Buffer.from(body) })
  const type = res.headers['content-type']
  return { status: res.statusCode, type: typeof type === 'string' ? type : undefined, body: await res.body.text() }
}

t.test('RecordByAction: each call goes to the upstream, the first answer of each action is kept', async (t) => {
  const seen: Array<{ url: string, payload: string, type: string | undefined }> = []
  let n = 0
  const recorder = new RecordByAction(async (o) => {
    seen.push({ url: o.url, payload: o.payload.toString(), type: o.headers['content-type'] })
    n++
    return { statusCode: n === 3 ? 500 : 200, headers: { 'content-type': `text/plain; n=${n}` }, rawPayload: Buffer.from(`answer ${n}`) }
  })
  t.same(await post(recorder, { 'content-type': 'application/soap+xml; action="urn:a"' }, 'one'), { status: 200, type: 'text/plain; n=1', body: 'answer 1' })
  t.same(await post(recorder, { 'content-type': 'application/soap+xml; action="urn:a"' }, 'two'), { status: 200, type: 'text/plain; n=2', body: 'answer 2' }, 'the upstream answers every call')
  t.same(await post(recorder, { 'content-type': 'text/xml', soapaction: '"urn:b"' }, 'three'), { status: 500, type: 'text/plain; n=3', body: 'answer 3' })
  t.same(seen.map((s) => s.payload), ['one', 'two', 'three'], 'the bodies reach the upstream')
  t.equal(seen[0]!.url, PATH)
  t.same([...recorder.answers.keys()], ['urn:a', 'urn:b'])
  t.equal(recorder.answers.get('urn:a')!.body.toString(), 'answer 1', 'the first answer of an action is kept')
  t.equal(recorder.answers.get('urn:b')!.status, 500)
})

t.test('ReplayByAction: the recorded answer of the call\'s action, an unknown action refused', async (t) => {
  const answers = new Map<string, Recorded>([
    ['urn:a', { status: 200, headers: { 'content-type': 'multipart/related; boundary=x' }, body: Buffer.from('A') }],
    ['urn:b', { status: 500, headers: { 'content-type': 'application/soap+xml' }, body: Buffer.from('B') }]
  ])
  const replay = new ReplayByAction(answers)
  t.same(await post(replay, { 'content-type': 'application/soap+xml; action="urn:a"' }, 'x'), { status: 200, type: 'multipart/related; boundary=x', body: 'A' })
  t.same(await post(replay, { 'content-type': 'text/xml', soapaction: '"urn:b"' }, 'y'), { status: 500, type: 'application/soap+xml', body: 'B' }, 'SOAPAction when the content type names none')
  await t.rejects(post(replay, { 'content-type': 'application/soap+xml; action="urn:c"' }, 'z'), /no recorded answer/)
})
