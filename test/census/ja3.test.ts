// JA3: the published example of the Salesforce README, and the GREASE rule.
import t from 'tap'
import { parseClientHello } from '../../src/census/client-hello.js'
import { ja3, ja3Hash, ja3Text } from '../../src/census/ja3.js'
import { ext, helloMessage, records } from './helpers/hello-builder.js'

t.test('the MD5 of the README example string', async (t) => {
  t.equal(ja3Hash('769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0'), 'ada70206e40642a3e4461f35503241d5')
})

t.test('the README example built as a ClientHello gives the same string', async (t) => {
  const message = helloMessage({
    legacyVersion: 769,
    ciphers: [47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4],
    extensions: [ext.sni('example.com'), ext.groups(23, 24, 25), ext.pointFormats(0)]
  })
  const result = parseClientHello(records(message))
  if (result.status !== 'complete') throw new Error('fixture did not parse')
  t.same(ja3(result.hello), { text: '769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0', hash: 'ada70206e40642a3e4461f35503241d5' })
})

t.test('GREASE is left out of ciphers, extensions and groups; empty lists stay empty fields', async (t) => {
  const message = helloMessage({
    ciphers: [0x0a0a, 0x1301, 0x2a2a],
    extensions: [ext.empty(0x3a3a), ext.groups(0x4a4a, 29), ext.empty(0x0017)]
  })
  const result = parseClientHello(records(message))
  if (result.status !== 'complete') throw new Error('fixture did not parse')
  t.equal(ja3Text(result.hello), '771,4865,10-23,29,')
  const bare = parseClientHello(records(helloMessage({ legacyVersion: 0x0300, ciphers: [47] })))
  if (bare.status !== 'complete') throw new Error('fixture did not parse')
  t.equal(ja3Text(bare.hello), '768,47,,,')
})
