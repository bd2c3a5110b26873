import t from 'tap'
import { resolveLocation } from '../../src/contract/schema-graph.js'

t.test('relative locations resolve against the referring file', async (t) => {
  t.equal(resolveLocation('Service.wsdl', 'types.xsd'), 'types.xsd')
  t.equal(resolveLocation('a/b/x.xsd', '../c/y.xsd'), 'a/c/y.xsd')
  t.equal(resolveLocation('a/x.xsd', './y%20z.xsd'), 'a/y z.xsd', 'percent-encoded')
  t.equal(resolveLocation('a/x.xsd', 'sub\\y.xsd'), 'a/sub/y.xsd', 'backslashes of a Windows-made schema')
})

t.test('nothing outside the spec directory, nothing remote, nothing absolute', async (t) => {
  for (const location of ['../x.xsd', 'a/../../x.xsd', '/etc/x.xsd', '\\\\server\\x.xsd', 'http://example.invalid/x.xsd', 'file:///x.xsd', 'C:/x.xsd', '', '%E0%A4%A.xsd']) {
    t.equal(resolveLocation('Service.wsdl', location), undefined, location)
  }
})
