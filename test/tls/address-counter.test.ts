// The per-address connection counter: a cap per address, released on close, no entry kept for an
// address without open connections.
import t from 'tap'
import { createAddressCounter } from '../../src/tls/address-counter.js'

t.test('each address up to its cap, independently', async (t) => {
  const c = createAddressCounter(2)
  t.ok(c.acquire('192.0.2.1'))
  t.ok(c.acquire('192.0.2.1'))
  t.notOk(c.acquire('192.0.2.1'), 'the third is refused')
  t.ok(c.acquire('192.0.2.2'), 'another address has its own')
  t.equal(c.count('192.0.2.1'), 2, 'a refusal is not counted')
  c.release('192.0.2.1')
  t.ok(c.acquire('192.0.2.1'), 'a slot freed by a close is taken again')
})

t.test('entries go with their last connection; a stray release is harmless', async (t) => {
  const c = createAddressCounter(64)
  for (let i = 0; i < 100; i++) t.ok(c.acquire(`192.0.2.${i}`))
  t.equal(c.addresses, 100)
  for (let i = 0; i < 100; i++) c.release(`192.0.2.${i}`)
  t.equal(c.addresses, 0)
  c.release('192.0.2.1')
  t.equal(c.count('192.0.2.1'), 0)
  t.equal(c.addresses, 0)
})
