// Asserts that a call throws a codec error with the given code (and, optionally, detail fields).
import type { Test } from 'tap'
import { isGatewayError } from '../../../src/errors.js'
import type { SoapError } from '../../../src/soap/errors.js'

export function expectCode (t: Test, fn: () => unknown, code: string, detail: Partial<SoapError> = {}, name?: string): SoapError | undefined {
  try {
    fn()
  } catch (err) {
    if (!isGatewayError(err)) {
      t.fail(`${name ?? code}: threw a non-gateway error ${String(err)}`)
      return undefined
    }
    t.equal(err.code, code, name ?? code)
    t.match(err, detail, `${name ?? code}: detail`)
    return err as SoapError
  }
  t.fail(`${name ?? code}: did not throw`)
  return undefined
}
