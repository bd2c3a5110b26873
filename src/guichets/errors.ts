/**
 * Errors of `guichets/`: a call refused because its caller may not act for the guichets the
 * message names, or on the demande it names. 403, rendered as a Fault (problem+json on JSON
 * routes). Messages name guichet codes, territories and identities, never message content.
 *
 * Retired codes: none yet.
 */
import { createError } from '../errors.js'

export const codes = {
  GW_GUICHET_IDENTITY_UNKNOWN: createError('GW_GUICHET_IDENTITY_UNKNOWN', 'client %s may act for no guichet in environment %s', 403),
  GW_GUICHET_FORBIDDEN: createError('GW_GUICHET_FORBIDDEN', 'client %s may not act for guichet %s', 403),
  GW_GUICHET_NONE: createError('GW_GUICHET_NONE', 'the message names no guichet it acts for (numGuichet, nomFichierDemande, nomCertificat)', 403),
  GW_GUICHET_UNREADABLE: createError('GW_GUICHET_UNREADABLE', 'the guichets of the message cannot be read: its operation or a document it carries does not decode', 403),
  GW_GUICHET_DEMANDE_FORBIDDEN: createError('GW_GUICHET_DEMANDE_FORBIDDEN', 'guichet %s may not act on a demande of territory %s created by guichet %s', 403),
  GW_GUICHET_CREDENTIAL_CONFLICT: createError('GW_GUICHET_CREDENTIAL_CONFLICT', 'the message acts for guichets %s, whose calls reach the SNE with different certificates (%s): send one message per guichet', 403)
}
