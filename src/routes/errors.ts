/**
 * Errors of the data plane's routes: requests refused before validation (route, environment,
 * client identity, size, media type, shutdown) and the generic internal error. Rendered as a SOAP
 * Fault on SOAP routes and as application/problem+json on the JSON ones. No code is retired yet.
 */
import { createError } from '../errors.js'

export const codes = {
  GW_ROUTE_NOT_FOUND: createError('GW_ROUTE_NOT_FOUND', 'no service at %s %s', 404),
  GW_ROUTE_UNKNOWN_ENVIRONMENT: createError('GW_ROUTE_UNKNOWN_ENVIRONMENT', 'environment %s is not configured on this gateway', 404),
  GW_ROUTE_UNKNOWN_HOST: createError('GW_ROUTE_UNKNOWN_HOST', 'no environment is configured for host name %s: use the /{environment}/services/… path', 404),
  GW_ROUTE_ENVIRONMENT_DISABLED: createError('GW_ROUTE_ENVIRONMENT_DISABLED', 'environment %s is disabled on this gateway', 503),
  GW_ROUTE_IDENTITY_REQUIRED: createError('GW_ROUTE_IDENTITY_REQUIRED', 'environment %s requires a valid client certificate', 403),
  GW_ROUTE_IDENTITY_FORBIDDEN: createError('GW_ROUTE_IDENTITY_FORBIDDEN', 'client %s is not allowed to use environment %s', 403),
  GW_ROUTE_BODY_TOO_LARGE: createError('GW_ROUTE_BODY_TOO_LARGE', 'the request body exceeds %d bytes', 413),
  GW_ROUTE_UNSUPPORTED_MEDIA_TYPE: createError('GW_ROUTE_UNSUPPORTED_MEDIA_TYPE', 'a request body needs a Content-Type', 415),
  GW_ROUTE_BAD_REQUEST: createError('GW_ROUTE_BAD_REQUEST', 'malformed HTTP request (%s)', 400),
  GW_ROUTE_REQUEST_TIMEOUT: createError('GW_ROUTE_REQUEST_TIMEOUT', 'the request was not received in time', 408),
  GW_ROUTE_HEADERS_TOO_LARGE: createError('GW_ROUTE_HEADERS_TOO_LARGE', 'the request headers are too large', 431),
  GW_ROUTE_METHOD_NOT_ALLOWED: createError('GW_ROUTE_METHOD_NOT_ALLOWED', 'method %s is not served here', 405),
  GW_ROUTE_SHUTTING_DOWN: createError('GW_ROUTE_SHUTTING_DOWN', 'the gateway is shutting down: send the call again', 503),
  GW_ROUTE_INTERNAL: createError('GW_ROUTE_INTERNAL', 'internal gateway error (request id %s)', 500)
}

/** Codes that appear only as violations: contract drift found in upstream answers (never sent to clients). */
export const violationCodes = {
  GW_ROUTE_DRIFT_WRAPPER: 'the upstream answer\'s Body element is not the response wrapper the WSDL declares for the operation',
  GW_ROUTE_DRIFT_NO_DOCUMENT: 'the upstream answer carries no interfaceNuu document where the WSDL declares one'
}
