/**
 * A worker thread of the registry's pool (pool.ts): Piscina's handler. It says when the task starts (the time budget
 * runs from then, not from the queue), then runs it.
 */
import type { MessagePort } from 'node:worker_threads'
import { runTask, type Task } from './tasks.ts'

export default async function run({ task, started }: { task: Task; started: MessagePort }) {
  started.postMessage('started')
  started.close()
  return runTask(task)
}
