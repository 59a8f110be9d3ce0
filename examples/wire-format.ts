/** docs/wire-format.md: a publisher that frames values as Confluent does, and a consumer that checks the frames. */
import { Kafka } from 'kafkajs'
import { createRegistryClient } from 'event-contracts/client'
import { catalog } from 'event-contracts/generated'
import { createKafkaConsumer, createKafkaPublisher } from 'event-contracts/kafka'

const kafka = new Kafka({ clientId: 'timecard', brokers: ['kafka:9092'] })

const registry = createRegistryClient({ baseUrl: 'http://registry:8080' }) // confluentPrefix: '/ccompat'

const publisher = createKafkaPublisher({
  catalog,
  kafka,
  source: 'urn:callisto:timecard-restapi',
  wireFormat: 'confluent', // default 'json': the envelope's JSON, unframed
  schemaIds: registry, // the SchemaIdPort (core/ports.ts); the registry client is one
})

const consumer = createKafkaConsumer({
  catalog,
  kafka,
  groupId: 'timecard',
  schemaIds: registry, // checks each frame's id; without it a frame's id is not looked at
  handlers: { 'time-entry': { create: (event) => console.log(event.id) } },
})

await publisher.connect()
await consumer.start()
