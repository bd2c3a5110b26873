import { createError } from '../errors.js'
export const codes = {
  GW_SOAP_PROBE: createError('GW_SOAP_PROBE', 'probe %s', 400)
}
