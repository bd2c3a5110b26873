import t from 'tap'
import { locate, pathOf } from '../../src/contract/xml-locator.js'
import { parseXml } from '../../src/soap/xml-reader.js'

const root = parseXml(Buffer.from(`<p:a xmlns:p="urn:p">
<p:b/><p:b><c xmlns="urn:d"/><c xmlns="urn:d"/></p:b>
<x:b xmlns:x="urn:p"/>
</p:a>`)).root

t.test('follows xmlGetNodePath steps: prefix:name[n], name, *[n]', async (t) => {
  t.equal(locate(root, '/p:a'), root)
  t.equal(locate(root, '/p:a/p:b[2]/*[2]'), root.children[1]!.children[1])
  t.equal(locate(root, '/p:a/x:b'), root.children[2], 'prefixes as written')
  t.equal(locate(root, '/p:a/p:b'), root.children[0], 'no index: the first')
})

t.test('stops at the deepest element it can reach', async (t) => {
  t.equal(locate(root, '/p:a/p:b[2]/q:zz'), root.children[1])
  t.equal(locate(root, '/p:a/p:b[9]'), root)
  t.equal(locate(root, '/q:zz'), undefined)
  t.equal(locate(root, '/p:a/[bad'), root)
})

t.test('paths of local names with an index among same-named siblings', async (t) => {
  t.equal(pathOf(root.children[1]!.children[1]!), '/a/b[2]/c[2]')
  t.equal(pathOf(root.children[2]!), '/a/b[3]', 'same expanded name whatever the prefix')
})
