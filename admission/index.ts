/**
 * The admission rule: whether a version may join a resource's history, and whether a resource may change its
 * mode. Pure (imports core and compat only); the generator, `contracts check` and the registry all call it.
 */
export { admitVersion, admitVersions, advance } from './version.ts'
export type { SequenceResult } from './version.ts'
export { admitModeChange, readResourceSettings, DEFAULT_MODE } from './mode.ts'
export type { ResourceSettings } from './mode.ts'
export { formatAdmission } from './format.ts'
export { admitTree, fileModeSource, settingsFileOf } from './tree.ts'
export type { BaseTree, ResourceVerdict, TreeInput, TreeSettings, TreeVersion } from './tree.ts'
export { DRAFT_2020_12, documentIssues, referenceIssues } from './document.ts'
export { DEFAULT_LIMITS } from './types.ts'
export type {
  Admission,
  AdmissionDifference,
  AdmissionOptions,
  Admitted,
  Candidate,
  HistoryEntry,
  JsonObject,
  ModeChange,
  Origin,
  RefusalCode,
  Refused,
  ResourceState,
} from './types.ts'
export { admitPlainSchema, bundleReferences, plainSchemaIssues } from './plain.ts'
export type { PlainVerdict, ReferencedSchema } from './plain.ts'
