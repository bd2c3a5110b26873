// The Fault Reason of a refused message: the first violation's code and message, whether the
// value it quotes is masked, and how many more the Detail lists.
import t from 'tap'
import { MASKED_VALUES_NOTE, ValidationFailure, reasonOf } from '../../src/routes/validation-failure.js'

t.test('a violation that quotes a value masked says so', async (t) => {
  const type = { code: 'GW_SCHEMA_TYPE', message: "Element 'dateNaissance': '9999-99-99' is not a valid value of the atomic type 'xs:date'.", valuesMasked: true as const }
  t.equal(reasonOf([type]), `GW_SCHEMA_TYPE: ${type.message} (${MASKED_VALUES_NOTE})`)
  t.match(MASKED_VALUES_NOTE, /masked .*A or a.*9/)
})

t.test('one that quotes the value as sent (validate-only) does not', async (t) => {
  const type = { code: 'GW_SCHEMA_TYPE', message: "Element 'dateNaissance': '1985-13-45' is not a valid value of the atomic type 'xs:date'." }
  t.equal(reasonOf([type]), `GW_SCHEMA_TYPE: ${type.message}`)
})

t.test('one that quotes none does not; more violations are counted', async (t) => {
  const missing = { code: 'GW_SCHEMA_MISSING_ELEMENT', message: "Element 'entete': Missing child element(s)." }
  t.equal(reasonOf([missing]), `GW_SCHEMA_MISSING_ELEMENT: ${missing.message}`)
  t.equal(reasonOf([missing, missing, missing]), `GW_SCHEMA_MISSING_ELEMENT: ${missing.message} (and 2 more violation(s) in the Detail)`)
  t.equal(new ValidationFailure([missing], () => 400).message, reasonOf([missing]), 'the error\'s message is the Reason')
})
