/** Group commit over a sink: concurrent requests share one send; failures and order stay per batch. */
import { describe, expect, it } from 'vitest'
import type { OutboundMessage, Sink } from '../../core/index.ts'
import { coalescingSink } from '../../gateway/index.ts'

const message = (id: string, size = 10): OutboundMessage => ({
  destination: 't',
  key: 'k',
  value: 'x'.repeat(size),
  attributes: {
    specversion: '1.0',
    id,
    source: 's',
    type: 'dataset.update',
    time: '2026-01-01T00:00:00Z',
    dataschema: 'u',
    datacontenttype: 'application/json',
  },
  headers: undefined,
  id,
})

/** A sink whose sends wait until released, recording each call's message ids. */
function gatedSink() {
  const calls: string[][] = []
  const gates: { release: () => void; fail: (e: Error) => void }[] = []
  const call = (ms: readonly OutboundMessage[]) =>
    new Promise<void>((resolve, reject) => {
      calls.push(ms.map((m) => m.id))
      gates.push({ release: resolve, fail: reject })
    })
  const sink: Sink = { send: (m) => call([m]), sendBatch: (ms) => call(ms) }
  const settle = async () => new Promise((r) => setTimeout(r, 0))
  return { sink, calls, gates, settle }
}

describe('coalescingSink', () => {
  it('alone, a request is sent at once; what arrives meanwhile goes in one batch, in order', async () => {
    const g = gatedSink()
    const s = coalescingSink(g.sink)
    const first = s.send(message('a'))
    const rest = [s.sendBatch([message('b'), message('c')]), s.send(message('d'))]
    await g.settle()
    expect(g.calls).toEqual([['a']])
    g.gates[0]?.release()
    await first
    await g.settle()
    expect(g.calls).toEqual([['a'], ['b', 'c', 'd']])
    g.gates[1]?.release()
    await Promise.all(rest)
  })

  it('a failed batch fails every request in it, and only those', async () => {
    const g = gatedSink()
    const s = coalescingSink(g.sink)
    const first = s.send(message('a'))
    const second = s.send(message('b'))
    const third = s.send(message('c'))
    await g.settle()
    g.gates[0]?.release()
    await first
    await g.settle()
    g.gates[1]?.fail(new Error('broker down'))
    await expect(second).rejects.toThrow('broker down')
    await expect(third).rejects.toThrow('broker down')
    const fourth = s.send(message('d'))
    await g.settle()
    g.gates[2]?.release()
    await fourth
    expect(g.calls).toEqual([['a'], ['b', 'c'], ['d']])
  })

  it('batches are capped in bytes and messages; a request over the cap goes alone', async () => {
    const g = gatedSink()
    const s = coalescingSink(g.sink, { maxBytes: 100, maxMessages: 3 })
    const all = [
      s.send(message('a')),
      s.send(message('b', 60)),
      s.send(message('c', 60)),
      s.sendBatch([message('d', 500)]),
      s.sendBatch([message('e'), message('f')]),
      s.sendBatch([message('g'), message('h')]),
    ]
    for (let i = 0; i < 6; i++) {
      await g.settle()
      g.gates[i]?.release()
    }
    await Promise.all(all)
    expect(g.calls).toEqual([['a'], ['b'], ['c'], ['d'], ['e', 'f'], ['g', 'h']])
  })

  it('an empty batch sends nothing', async () => {
    const g = gatedSink()
    await coalescingSink(g.sink).sendBatch([])
    expect(g.calls).toEqual([])
  })
})
