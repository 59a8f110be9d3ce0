/** Request bodies, bounded: what the registry and the gateway read the same way. */
import type { Context } from 'hono'
import { ContractError } from '../core/index.ts'

const tooLarge = (max: number) =>
  new ContractError('PAYLOAD_TOO_LARGE', `the body is over ${max} bytes`, [
    { path: '', keyword: 'maxBytes', message: `must be at most ${max} bytes`, params: { limit: max } },
  ])

const decoder = new TextDecoder()

/**
 * The body, at most `max` bytes (413 beyond), parsed as JSON (400 NOT_JSON). A declared Content-Length over the limit
 * is refused before reading; under it, the body is read whole (Node's HTTP parser delivers no more than was declared,
 * and @hono/node-server reads it without web streams). Without one (chunked), it is streamed and refused as soon as it
 * passes the limit, never buffered whole. Decoded as Request.text() does.
 */
export async function readJson(c: Context, max: number): Promise<unknown> {
  const declared = c.req.header('content-length')
  let text: string
  if (declared !== undefined && DIGITS.test(declared)) {
    if (Number(declared) > max) throw tooLarge(max)
    text = await c.req.raw.text()
  } else text = await readStream(c, max)
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

const DIGITS = /^[0-9]{1,15}$/

async function readStream(c: Context, max: number): Promise<string> {
  const stream = c.req.raw.body
  if (!stream) return ''
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
  return decoder.decode(Buffer.concat(chunks, size))
}
