/**
 * Confluent's wire format: magic byte 0, the schema id as a 4-byte big-endian integer, then the serialised value
 * (for us, the envelope's JSON). Pure: no registry here; ids come through `SchemaIdPort` (ports.ts).
 *
 * A value is told apart by its first byte: `{` (and any other byte JSON may start with) is an unframed JSON value,
 * 0 is a frame, and any other control byte is a frame with a magic byte nobody defined.
 */
import { ContractError, type Issue } from './errors.ts'
import type { Checked } from './validate.ts'

export const WIRE_MAGIC_BYTE = 0
/** Magic byte and schema id. */
export const WIRE_HEADER_BYTES = 5
/** Confluent's ids are Java ints: 0 … 2³¹−1. */
export const MAX_SCHEMA_ID = 0x7fffffff

/** A value as it arrived: framed (with the id of the schema its producer wrote it with) or plain JSON. */
export type WireValue =
  | { readonly framed: false; readonly json: Uint8Array | string }
  | { readonly framed: true; readonly schemaId: number; readonly json: Uint8Array | string }

const isSchemaId = (id: number) => Number.isInteger(id) && id >= 0 && id <= MAX_SCHEMA_ID

/** The frame of a JSON text: header and UTF-8 bytes in one allocation. */
export function frameValue(schemaId: number, json: string): Buffer {
  if (!isSchemaId(schemaId))
    throw new TypeError(`a schema id is an integer 0…${MAX_SCHEMA_ID}, got ${schemaId}`)
  const size = Buffer.byteLength(json)
  const bytes = Buffer.allocUnsafe(WIRE_HEADER_BYTES + size)
  bytes[0] = WIRE_MAGIC_BYTE
  bytes.writeUInt32BE(schemaId, 1)
  bytes.write(json, WIRE_HEADER_BYTES, size, 'utf8')
  return bytes
}

// JSON text may start with whitespace (tab, line feed, carriage return); any other byte below 0x20 is not JSON.
const JSON_WHITESPACE = new Set([0x09, 0x0a, 0x0d])

const frameIssue = (message: string, params: Record<string, unknown>): Checked<WireValue, 'frame'> => ({
  ok: false,
  issues: [{ path: '', keyword: 'frame', message, params }],
})

/**
 * Reads a value's frame, never throwing: plain JSON (first byte not a control byte) as it is; a frame's id and
 * JSON bytes; issues (keyword `frame`) for a frame shorter than its header or an unknown magic byte.
 */
export function readWire(value: Uint8Array | string): Checked<WireValue, 'frame'> {
  const first = typeof value === 'string' ? value.charCodeAt(0) : value[0]
  if (first === undefined || Number.isNaN(first) || first >= 0x20 || JSON_WHITESPACE.has(first))
    return { ok: true, value: { framed: false, json: value } }
  if (first !== WIRE_MAGIC_BYTE)
    return frameIssue(
      `unknown magic byte ${first} (a Confluent frame starts with ${WIRE_MAGIC_BYTE}, JSON with '{')`,
      { magicByte: first },
    )
  if (value.length < WIRE_HEADER_BYTES)
    return frameIssue(
      `truncated frame: ${value.length} byte(s), less than the ${WIRE_HEADER_BYTES}-byte header (magic byte and schema id)`,
      { length: value.length },
    )
  // A frame held in a string (a transport that carries text) has its header as four char codes below 256.
  const at =
    typeof value === 'string' ? (i: number) => value.charCodeAt(i) : (i: number) => value[i] as number
  const schemaId = at(1) * 0x1000000 + ((at(2) << 16) | (at(3) << 8) | at(4))
  if (!isSchemaId(schemaId)) return frameIssue(`schema id ${schemaId} is out of range`, { schemaId })
  const json = typeof value === 'string' ? value.slice(WIRE_HEADER_BYTES) : value.subarray(WIRE_HEADER_BYTES)
  return { ok: true, value: { framed: true, schemaId, json } }
}

/** Like readWire, but throws ContractError BAD_FRAME with the issue. */
export function unframe(value: Uint8Array | string): WireValue {
  const r = readWire(value)
  if (r.ok) return r.value
  const issue = r.issues[0] as Issue
  throw new ContractError('BAD_FRAME', issue.message, r.issues)
}
