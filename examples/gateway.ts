/**
 * README "The gateway in code": the gateway's app, change events and the webhook forwarder, on the in-memory
 * transport with a receiver on loopback. No broker needed: `npx tsx examples/gateway.ts`. test/docs/examples.test.ts
 * runs it and checks that it prints what the comment at the end says.
 */
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { Webhook } from 'standardwebhooks'
import {
  createChangeEvents,
  createGateway,
  createWebhookForwarder,
  resolveTokens,
} from 'event-contracts/gateway'
import { catalog, schemas } from 'event-contracts/generated'
import { createMemoryBus } from 'event-contracts/memory'

const bus = createMemoryBus() // Kafka: kafkaSink({ kafka }); Redis Streams: redisSink({ url })
const app = createGateway({ catalog, schemas, sink: bus.sink, tokens: resolveTokens({ admin: ['s3cret'] }) })

const res = await app.request('/events', {
  method: 'POST',
  headers: { authorization: 'Bearer s3cret', 'content-type': 'application/cloudevents+json' },
  body: await readFile('examples/gateway/dataset-update.json', 'utf8'),
})
const { events } = (await res.json()) as { events: { id: string; destination: string }[] }
console.log(`${res.status} ${events[0]?.id} published to ${events[0]?.destination}`)

// Two versions of a dataset in, its change event out (what POST /change-events does).
const changeEvents = createChangeEvents({ catalog, schemas, sink: bus.sink, source: 'urn:hdx:ckan' })
const request = JSON.parse(await readFile('examples/gateway/change-request.json', 'utf8'))
const { outcome, published } = await changeEvents.publish(request)
console.log(
  `${published?.action} ${published?.id}: ${outcome.changes.map((c) => `${c.kind} ${c.path}`).join(', ')}`,
)

// A receiver that checks the Standard Webhooks signature, and the forwarder that POSTs each event to it.
const secret = `whsec_${Buffer.from('an example secret, 32 bytes long').toString('base64')}`
const receiver = createServer((req, res) => {
  let body = ''
  req.on('data', (chunk: Buffer) => (body += chunk.toString()))
  req.on('end', () => {
    const event = new Webhook(secret).verify(body, req.headers as Record<string, string>) as {
      type: string
      id: string
    }
    console.log(`webhook got ${event.type} ${event.id}, signature verified`)
    res.writeHead(204).end()
  })
})
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
const { port } = receiver.address() as { port: number }
const forwarder = createWebhookForwarder({ url: `http://127.0.0.1:${port}/hook`, secret, maxAttempts: 5 })
const consumer = bus.topicConsumer({ catalog, group: 'n8n', destinations: ['hdx-datasets'], ...forwarder })
await consumer.start()
await consumer.idle()
await consumer.stop()
receiver.close()

// Prints:
//   202 6b0f3a52-8c1d-4e7f-9a2b-3c4d5e6f7a80 published to hdx-datasets
//   update <uuid>: changed /title, changed /resources/0/last_modified
//   webhook got dataset.update 6b0f3a52-8c1d-4e7f-9a2b-3c4d5e6f7a80, signature verified
//   webhook got dataset.update <uuid>, signature verified
