/** Request bodies, bounded: what the registry and the gateway read the same way. */
import type { Context } from 'hono'
import { ContractError } from '../core/index.ts'

const tooLarge = (max: number) =>
  new ContractError('PAYLOAD_TOO_LARGE', `the body is over ${max} bytes`, [
    { path: '', keyword: 'maxBytes', message: `must be at most ${max} bytes`, params: { limit: max } },
  ])

const decoder = new TextDecoder()

/**
 * The body, at most `max` bytes (413 beyond: a declared Content-Length is refused before reading, a stream as soon
 * as it passes the limit, never buffered whole), parsed as JSON (400 NOT_JSON). Decoded as Request.text() does.
 */
export async function readJson(c: Context, max: number): Promise<unknown> {
  const declared = c.req.header('content-length')
  if (declared !== undefined && Number(declared) > max) throw tooLarge(max)
  const stream = c.req.raw.body
  let text = ''
  if (stream) {
    const reader = stream.getReader()
    const chunks: Uint8Array[] = []
    let size = 0
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > max) {
        await reader.cancel()
        throw tooLarge(max)
      }
      chunks.push(value)
    }
    text = decoder.decode(Buffer.concat(chunks, size))
  }
  try {
    return JSON.parse(text) as unknown
  } catch (cause) {
    throw new ContractError(
      'NOT_JSON',
      `the body is not JSON: ${(cause as Error).message}`,
      [{ path: '', keyword: 'json', message: (cause as Error).message }],
      { cause },
    )
  }
}
