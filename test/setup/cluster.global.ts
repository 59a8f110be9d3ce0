/**
 * Vitest globalSetup of `npm run test:cluster`: a three-node Kafka cluster of this run's own (a temporary data dir,
 * free loopback ports), started before the first file and stopped and removed after the last. The jars come from
 * KAFKA_CACHE_DIR (default .cache/kafka), fetched by kafka.sh on first use.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { clusterOf, freePortRange, startCluster, type Cluster } from '../helpers/cluster.ts'

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const size = 3
  const info = { dir: mkdtempSync(join(tmpdir(), 'kafka-cluster-')), port: await freePortRange(size), size }
  let cluster: Cluster | undefined
  const teardown = async () => {
    try {
      await cluster?.down()
    } finally {
      rmSync(info.dir, { recursive: true, force: true })
    }
  }
  try {
    cluster = await startCluster(info)
  } catch (e) {
    // A half-started cluster: stop whatever did start.
    cluster = clusterOf(info)
    await teardown()
    throw e
  }
  console.log(`kafka cluster of ${size} on ${cluster.brokers.join(',')} (data ${info.dir})`)
  project.provide('kafkaCluster', info)
  return teardown
}
