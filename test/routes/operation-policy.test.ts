import t from 'tap'
import { buildOperationPolicy } from '../../src/routes/operation-policy.js'
import type { GatewayConfig } from '../../src/config/schema.js'
import type { InterfaceSpec } from '../../src/contract/types.js'

const NS = 'http://ws.metier.nuu.application.i2/'
const spec = {
  operations: new Map([
    ['getNumUnique', { name: 'getNumUnique', action: NS + 'getNumUnique' }],
    ['getDemandeLogement', { name: 'getDemandeLogement', action: NS + 'getDemandeLogement' }]
  ])
} as unknown as InterfaceSpec
const config = { environments: {}, validation: { mode: 'enforce', responses: 'off' } } as unknown as GatewayConfig

const mtom = (action: string): string =>
  `multipart/related; type="application/xop+xml"; start="soaproot"; start-info="application/soap+xml"; boundary="MIME_BOUNDARY"; action="${action}"`

t.test('operationOf names the operation of each call, whatever the previous call was', async (t) => {
  const policy = buildOperationPolicy(config, spec)
  const calls: Array<[string | undefined, string | undefined, string | undefined]> = [
    [mtom(NS + 'getNumUnique'), undefined, 'getNumUnique'],
    [mtom(NS + 'getNumUnique'), undefined, 'getNumUnique'],
    [mtom(NS + 'getDemandeLogement'), undefined, 'getDemandeLogement'],
    [mtom('getNumUnique'), undefined, 'getNumUnique'],
    ['text/xml', `"${NS}getDemandeLogement"`, 'getDemandeLogement'],
    ['text/xml', undefined, undefined],
    ['multipart/related; boundary="unterminated', NS + 'getNumUnique', 'getNumUnique'],
    ['multipart/related; boundary="unterminated', undefined, undefined],
    [mtom(NS + 'unknownOperation'), undefined, undefined],
    [undefined, NS + 'getDemandeLogement', 'getDemandeLogement'],
    [mtom(NS + 'getDemandeLogement'), undefined, 'getDemandeLogement'],
    [mtom(NS + 'getNumUnique'), NS + 'getDemandeLogement', 'getNumUnique']
  ]
  for (const [contentType, soapAction, expected] of calls) {
    t.equal(policy.operationOf(contentType, soapAction), expected, `${contentType ?? '-'} / ${soapAction ?? '-'}`)
  }
})

t.test('reads and writes', async (t) => {
  const policy = buildOperationPolicy(config, spec)
  t.equal(policy.isRead('getDemandeLogement'), true)
  t.equal(policy.isRead('getNumUnique'), false)
  t.equal(policy.isRead(undefined), false)
})
