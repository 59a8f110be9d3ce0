/**
 * The expensive steps of the registry, as tasks a worker thread runs (pool.ts): admitting a candidate version (the
 * compatibility engine and a strict compile) and compiling TypeScript types. Pure functions of their input; what
 * comes back is plain data, since structured cloning keeps an Error's message but drops a ContractError's code
 * and issues.
 */
import { admitVersion } from '../../admission/index.ts'
import type {
  Admission,
  AdmissionOptions,
  Admitted,
  Candidate,
  JsonObject,
  ResourceState,
} from '../../admission/index.ts'
import { isContractError, type Issue, type RegistryErrorCode } from '../../core/index.ts'

export type Task =
  | { kind: 'admit'; candidate: Candidate; state: ResourceState; options: AdmissionOptions }
  | { kind: 'types'; schema: JsonObject; uri: string }

/** What a task answers, by kind. */
export interface Answers {
  admit: Admission<Admitted>
  types: string
}

/** A task's result, or the ContractError it threw, as data. Anything else thrown is a bug: it stays an Error. */
export type Outcome<T> =
  | { ok: true; value: T }
  | { ok: false; error: { code: RegistryErrorCode; message: string; issues: readonly Issue[] } }

export async function runTask(task: Task): Promise<Outcome<Answers[Task['kind']]>> {
  try {
    if (task.kind === 'admit')
      return { ok: true, value: admitVersion(task.candidate, task.state, task.options) }
    // Loaded on first use: json-schema-to-typescript brings prettier with it.
    const { schemaTypes } = await import('../../codegen/types-ts.ts')
    return { ok: true, value: await schemaTypes(task.schema, task.uri) }
  } catch (e) {
    if (isContractError(e))
      return {
        ok: false,
        error: { code: e.code as RegistryErrorCode, message: e.message, issues: e.issues },
      }
    throw e
  }
}
