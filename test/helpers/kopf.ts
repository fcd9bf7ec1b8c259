// The Kopf documentation's example (shared/seed/kopf-events.txt): the Events `kubectl describe` shows for it, as
// rows of Type, Reason, From and Message, sorted.
export const KOPF_ROWS: ReadonlyArray<readonly string[]> = [
  ['Error', 'SomeReason', 'kopf', 'Some exception: Exception text.'],
  ['Normal', 'Finished', 'kopf', 'All handlers succeeded.'],
  ['Normal', 'SomeReason', 'kopf', 'Some message'],
  ['Normal', 'Success', 'kopf', 'Handler create_fn succeeded.'],
  ['SomeType', 'SomeReason', 'kopf', 'Some message'],
  ['Warning', 'SomeReason', 'kopf', 'Some message']
]
