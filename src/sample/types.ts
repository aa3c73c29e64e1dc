// re-export kept until the merge
export type { CapturedSample, Frame, NativeWait, Sample, SampleState, SharedScope, TaggedValue, Value } from '../record/sample';
