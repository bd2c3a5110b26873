/**
 * Internal state of `census/` kept on objects it does not own (in the manner of fastify's and undici's
 * `symbols.js`): never an underscore field.
 */

/** On an accepted `net.Socket`: its ClientHello peek, from accept to handshake outcome. */
export const kPeek = Symbol('sne-gateway.tls.peek')
