/** Internal state of `contract/` objects, reachable by benchmarks and tests, not part of the API. */

/** The compiled validation context of an `InterfaceSpec` (`MessageValidatorContext`). */
export const kContext = Symbol('sne-gateway.spec.context')
