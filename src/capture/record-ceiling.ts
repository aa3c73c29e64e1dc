/**
 * The ceiling on one sample's record: what the in-target reader's own bounds
 * cannot promise (long non-ASCII strings under a large --max-string) is cut here,
 * by writing the frames without their variables.
 */
import type { CapturedSample, Frame } from '../record/sample';

/**
 * The most one sample's record may take, in bytes of JSON: the in-target reader
 * stops listing at 200,000 characters (READ_SIZE_BUDGET); a record still over
 * this (long non-ASCII strings under a large --max-string) is written without
 * variables.
 */
export const RECORD_SIZE_CEILING = 256 * 1024;

/** The sample as it is, or without its variables if its record would exceed RECORD_SIZE_CEILING. */
export function withinRecordCeiling(sample: CapturedSample): CapturedSample {
  const size = Buffer.byteLength(JSON.stringify(sample));
  if (size <= RECORD_SIZE_CEILING) return sample;
  const { sharedScopes, ...rest } = sample;
  const localsSkipped = `its variables came to ${Math.ceil(size / 1024)} KB, over the record's ${RECORD_SIZE_CEILING / 1024} KB ceiling`;
  return { ...rest, frames: withoutVariables(rest.frames), localsSkipped };
}

/** A crash capture's frames (every variable in its frame, none shared), without variables if they exceed RECORD_SIZE_CEILING. */
export function framesWithinCeiling(frames: Frame[]): Frame[] {
  return Buffer.byteLength(JSON.stringify(frames)) <= RECORD_SIZE_CEILING ? frames : withoutVariables(frames);
}

function withoutVariables(frames: Frame[]): Frame[] {
  return frames.map(({ args, locals, closure, moreLocals, moreClosure, sharedClosure, truncated, ...frame }) => frame);
}
