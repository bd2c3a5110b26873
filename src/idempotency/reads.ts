/**
 * The SNE reads the idempotency protocol makes on a retry's behalf — getDemandeLogement (the body
 * of a replayed answer, a reconciliation's candidates) and getDoublons (a reconciliation's search)
 * — built by the REST message builder and sent down the same SOAP path as every call
 * (`routes/soap-call.ts`: validation, guichets' authorization, credential, limits), as the
 * retrying client's identity.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { kCall } from '../routes/call-state.js'
import type { DataPlaneContext } from '../routes/context.js'
import type { SoapCall } from '../routes/soap-call.js'
import { readAnswer, type AnswerOutcome } from '../rest/answers.js'
import type { MessageInput } from '../rest/message-builder.js'
import type { RestContext } from '../rest/rest-routes.js'
import type { RestAnswer } from '../rest/route-table.js'

export type SneRead = (request: FastifyRequest, reply: FastifyReply, input: MessageInput, answer: RestAnswer) => Promise<AnswerOutcome>

export function sneReads (ctx: DataPlaneContext, rest: RestContext, call: SoapCall): SneRead {
  return async (request, reply, input, answer) => {
    const built = rest.builder.build(input, rest.certificateOf(request[kCall].env as string, input.guichet))
    const message = { body: built.body, headers: { 'content-type': built.contentType } }
    await call.check(request, reply, message)
    const sent = await call.send(request, reply, message)
    const whole = await sent.readAll()
    const type = sent.answer.headers['content-type']
    return readAnswer(ctx.spec, rest.contract, whole, typeof type === 'string' ? type : undefined, answer)
  }
}
