/**
 * A resource version's event schema: what a Confluent deserializer validates a framed value against. Our value is
 * the whole envelope (action, resource.schema, resource.content, id, time, source), not the content alone, so the
 * schema id in our frames names this schema, not the content schema (docs/wire-format.md).
 */
import { eventSchemaUri } from '../core/index.ts'
import type { JsonObject } from './content.ts'

const DRAFT_2020_12 = 'https://json-schema.org/draft/2020-12/schema'

export { eventSchemaUri }

/** An embedded resource: its own `$id` (so its `#/...` refs resolve inside it), no `$schema` of its own. */
function embedded(schema: JsonObject, $id: string): JsonObject {
  const { $schema: _schema, $id: _id, ...rest } = schema
  return { $id, ...rest }
}

/** The envelope's test for a ResourceReference (`resource.content`'s `if`), reused so the two never disagree. */
function referenceTest(envelope: JsonObject): unknown {
  const resource = (envelope.properties as Record<string, JsonObject> | undefined)?.resource
  const content = (resource?.properties as Record<string, JsonObject> | undefined)?.content
  if (content?.if === undefined)
    throw new TypeError("the envelope has no 'if' on resource.content telling a reference from a resource")
  return content.if
}

/**
 * Pure: the draft 2020-12 schema of every event of one resource version. `$id` `<uri>/event`; the envelope and
 * the content schema embedded under `$defs` with `$id`s of their own below it (`<uri>/event/envelope`,
 * `<uri>/event/content`), never the content schema's own `$id` (a validator refuses one `$id` twice); the event is
 * the envelope, with `resource.schema` exactly `uri` and `resource.content` that version's content unless it is a
 * ResourceReference (which the envelope checks).
 */
export function eventSchema(
  version: { name: string; version: number; uri: string; schema: JsonObject },
  envelope: JsonObject,
): JsonObject {
  const $id = eventSchemaUri(version.uri)
  const envelopeId = `${$id}/envelope`
  const contentId = `${$id}/content`
  return {
    $schema: DRAFT_2020_12,
    $id,
    title: `${version.name} v${version.version} event`,
    description: `An event of ${version.uri}: the envelope, with resource.schema that URI and resource.content a resource of that version or a ResourceReference.`,
    $ref: envelopeId,
    type: 'object',
    properties: {
      resource: {
        type: 'object',
        properties: {
          schema: { type: 'string', const: version.uri },
          content: { type: 'object', if: referenceTest(envelope), else: { $ref: contentId } },
        },
      },
    },
    $defs: {
      envelope: embedded(envelope, envelopeId),
      content: embedded(version.schema, contentId),
    },
  }
}

/** The event schema as served (and hashed for its id): `JSON.stringify` of `eventSchema`. */
export const eventSchemaText = (
  version: { name: string; version: number; uri: string; schema: JsonObject },
  envelope: JsonObject,
): string => JSON.stringify(eventSchema(version, envelope))
