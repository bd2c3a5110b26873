/**
 * Internal state of `tls/` kept on objects it does not own (in the manner of fastify's and undici's
 * `symbols.js`): never an underscore field.
 */

/** On an accepted `net.Socket`: the data-plane listener's state of the connection (its client address first). */
export const kConnection = Symbol('sne-gateway.tls.connection')
