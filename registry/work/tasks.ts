/**
 * The expensive steps of the registry, as tasks a worker thread runs (pool.ts): admitting a candidate version (the
 * compatibility engine and a strict compile), admitting a plain schema (the Confluent API's other subjects), comparing
 * one schema with another, and compiling TypeScript types. Pure functions of their input; what
 * comes back is plain data, since structured cloning keeps an Error's message but drops a ContractError's code
 * and issues.
 */
import { admitPlainSchema, admitVersion } from '../../admission/index.ts'
import type {
  Admission,
  AdmissionOptions,
  Admitted,
  Candidate,
  JsonObject,
  PlainVerdict,
  Refused,
  ResourceState,
} from '../../admission/index.ts'
import { checkTransitive, type CompatResult, type Mode, type Policy } from '../../compat/index.ts'
import { isContractError, type Issue, type RegistryErrorCode } from '../../core/index.ts'

/** What admitPlainSchema takes: the candidate, the subject's versions (oldest first), its mode, the limits. */
export interface PlainAdmission {
  next: unknown
  history: readonly { version: number; schema: JsonObject }[]
  mode: Mode
  options: { policy: Policy; maxBytes: number; maxDepth: number }
}

export type Task =
  | { kind: 'admit'; candidate: Candidate; state: ResourceState; options: AdmissionOptions }
  | ({ kind: 'admitPlain' } & PlainAdmission)
  | { kind: 'compat'; history: readonly JsonObject[]; next: JsonObject; mode: Mode; policy: Policy }
  | { kind: 'types'; schema: JsonObject; uri: string }

/** What a task answers, by kind. */
export interface Answers {
  admit: Admission<Admitted>
  admitPlain: { ok: true; value: PlainVerdict } | Refused
  compat: CompatResult
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
    if (task.kind === 'admitPlain')
      return { ok: true, value: admitPlainSchema(task.next, task.history, task.mode, task.options) }
    if (task.kind === 'compat')
      return {
        ok: true,
        value: checkTransitive(task.history, task.next, { mode: task.mode, policy: task.policy }),
      }
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
