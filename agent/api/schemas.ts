/** Schemas shared by the operator API's routes and its OpenAPI document. */
import Type from 'typebox'

export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String({ description: 'stable machine-readable code, e.g. SKEIN_ERR_NOT_FOUND' }),
    message: Type.String({ description: 'one line for a person' }),
    hint: Type.Optional(Type.String({ description: 'what to do about it, when there is something to do' }))
  })
}, { $id: 'ErrorBody', description: 'Every error answer has this shape.' })

export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  404: ErrorBody,
  500: ErrorBody
}
