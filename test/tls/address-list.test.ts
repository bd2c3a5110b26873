// Trusted balancer lists: addresses and CIDR blocks checked with a message naming the entry, and
// matched against IPv4, IPv6 and IPv4-mapped peers.
import t from 'tap'
import { addressEntryProblem, addressMatcher } from '../../src/tls/address-list.js'

t.test('addresses and CIDR blocks are accepted', async (t) => {
  for (const e of ['10.0.0.1', '10.0.0.0/8', '0.0.0.0/0', '::1', 'fd00::/8', '2001:db8::/128']) t.equal(addressEntryProblem(e), undefined, e)
})

t.test('anything else is refused with a message naming it', async (t) => {
  t.equal(addressEntryProblem('balancer.internal'), "'balancer.internal' is not an IPv4 or IPv6 address, nor a CIDR block (address/prefix)")
  t.equal(addressEntryProblem('10.0.0.0/33'), "'10.0.0.0/33': the prefix length must be an integer from 0 to 32")
  t.equal(addressEntryProblem('fd00::/129'), "'fd00::/129': the prefix length must be an integer from 0 to 128")
  t.equal(addressEntryProblem('10.0.0.0/'), "'10.0.0.0/': the prefix length must be an integer from 0 to 32")
  t.equal(addressEntryProblem('10.0.0.0/08'), "'10.0.0.0/08': the prefix length must be an integer from 0 to 32")
  t.equal(addressEntryProblem('10.0.0/8'), "'10.0.0/8' is not an IPv4 or IPv6 address, nor a CIDR block (address/prefix)")
  t.throws(() => addressMatcher(['nope']), TypeError)
})

t.test('matching', async (t) => {
  const trusted = addressMatcher(['10.1.0.0/16', '127.0.0.3', 'fd00::/8'])
  t.ok(trusted('10.1.2.3'))
  t.ok(trusted('::ffff:10.1.2.3'), 'IPv4-mapped')
  t.ok(trusted('127.0.0.3'))
  t.ok(trusted('fd12::1'))
  t.notOk(trusted('10.2.0.1'))
  t.notOk(trusted('127.0.0.1'))
  t.notOk(trusted('fe80::1'))
  t.notOk(trusted(''))
})
