/**
 * The slot table --slow shares between the main thread and the sampler worker:
 * the main thread writes each server request's start into a slot as it comes in
 * and clears it as it ends; the worker scans the slots on its own timer and finds
 * the requests past the threshold. No timer runs in the program, and the worker
 * never makes the main thread run JS to find a slow request.
 *
 * A slot's state goes FREE -> LIVE (main, at the start) -> FREE (main, at the end)
 * or LIVE -> REPORTED (worker, logged as slow) -> ENDED (main, with the end time
 * and status) -> FREE (worker, once it logged the end). The two sides change a
 * state only with compareExchange, so a request that ends as it is found slow is
 * either reported and ended, or neither.
 */

export const FREE = 0;
export const LIVE = 1;
export const REPORTED = 2;
export const ENDED = 3;

/** Requests in flight at once that --slow can follow; beyond, a request is not timed (the sample's table still lists it). */
export const SLOT_COUNT = 4096;

/** Int32 fields of a slot. */
const STATE = 0;
const ID = 1;
const STATUS = 2;
/** Bytes of the slot's label ("GET /orders/42?…", UTF-8) in the label buffer. */
const LABEL_LENGTH = 3;
const INT_FIELDS = 4;
/** Room per slot for its label: method and path, cut to fit. */
const LABEL_BYTES = 160;
/** Float64 fields of a slot. */
const START = 0;
const END = 1;
const FLOAT_FIELDS = 2;
/** Int32 header slot: how many slots were ever used (the worker scans that many). */
const HIGH_WATER = 0;
const HEADER = 4;

export interface SlowSlots {
  ints: Int32Array;
  floats: Float64Array;
  labels: Uint8Array;
}

export interface SlotBuffers {
  ints: SharedArrayBuffer;
  floats: SharedArrayBuffer;
  labels: SharedArrayBuffer;
}

export function newSlotBuffers(): SlotBuffers {
  return {
    ints: new SharedArrayBuffer(4 * (HEADER + SLOT_COUNT * INT_FIELDS)),
    floats: new SharedArrayBuffer(8 * SLOT_COUNT * FLOAT_FIELDS),
    labels: new SharedArrayBuffer(SLOT_COUNT * LABEL_BYTES),
  };
}

export function slotViews(buffers: SlotBuffers): SlowSlots {
  return { ints: new Int32Array(buffers.ints), floats: new Float64Array(buffers.floats), labels: new Uint8Array(buffers.labels) };
}

const stateAt = (slot: number) => HEADER + slot * INT_FIELDS + STATE;

/** Captured when tripod loads: the main thread writes slots from the program's requests, after it may have replaced them. */
const { load, store, compareExchange } = Atomics;
const encoder = new TextEncoder();
const { encodeInto } = TextEncoder.prototype;
const { subarray } = Uint8Array.prototype;
const { apply } = Reflect;

/** The main thread's half: a slot for a request that came in at `startMs`, or -1 when all are taken. */
export function takeSlot(slots: SlowSlots, cursor: { next: number }, id: number, startMs: number, label = ''): number {
  const { ints, floats, labels } = slots;
  for (let tried = 0; tried < SLOT_COUNT; tried++) {
    const slot = cursor.next;
    cursor.next = slot + 1 === SLOT_COUNT ? 0 : slot + 1;
    if (load(ints, stateAt(slot)) !== FREE) continue;
    ints[HEADER + slot * INT_FIELDS + ID] = id;
    floats[slot * FLOAT_FIELDS + START] = startMs;
    // The worker names a slow request from here, whatever a capture lists.
    const room = apply(subarray, labels, [slot * LABEL_BYTES, (slot + 1) * LABEL_BYTES]) as Uint8Array;
    ints[HEADER + slot * INT_FIELDS + LABEL_LENGTH] = (apply(encodeInto, encoder, [label, room]) as { written: number }).written;
    store(ints, stateAt(slot), LIVE);
    if (slot >= ints[HIGH_WATER]) store(ints, HIGH_WATER, slot + 1);
    return slot;
  }
  return -1;
}

/** The main thread's half: the request of `slot` ended; the worker learns it if it had reported it slow. */
export function endSlot(slots: SlowSlots, slot: number, endMs: number, status: number): void {
  const { ints, floats } = slots;
  if (compareExchange(ints, stateAt(slot), LIVE, FREE) === LIVE) return;
  floats[slot * FLOAT_FIELDS + END] = endMs;
  ints[HEADER + slot * INT_FIELDS + STATUS] = status;
  store(ints, stateAt(slot), ENDED);
}

export interface SlotView {
  slot: number;
  state: number;
  id: number;
  startMs: number;
  endMs: number;
  status: number;
  /** The request's method and path as the main thread wrote them: "GET /orders/42?…". */
  label: () => string;
}

const decoder = new TextDecoder();

/** The worker's half: the slots in use now. */
export function slotsInUse(slots: SlowSlots): SlotView[] {
  const { ints, floats, labels } = slots;
  const used: SlotView[] = [];
  const high = Atomics.load(ints, HIGH_WATER);
  for (let slot = 0; slot < high; slot++) {
    const state = Atomics.load(ints, stateAt(slot));
    if (state === FREE) continue;
    const base = HEADER + slot * INT_FIELDS;
    const length = ints[base + LABEL_LENGTH];
    // TextDecoder does not read shared memory: the bytes are copied out first.
    const label = () => decoder.decode(labels.slice(slot * LABEL_BYTES, slot * LABEL_BYTES + length));
    used.push({ slot, state, id: ints[base + ID], startMs: floats[slot * FLOAT_FIELDS + START], endMs: floats[slot * FLOAT_FIELDS + END], status: ints[base + STATUS], label });
  }
  return used;
}

/** The worker's half: claims a live slot as reported slow; false when its request ended meanwhile. */
export function markReported(slots: SlowSlots, slot: number): boolean {
  return Atomics.compareExchange(slots.ints, stateAt(slot), LIVE, REPORTED) === LIVE;
}

/** The worker's half: the end of a reported request is logged; the slot may be taken again. */
export function freeEnded(slots: SlowSlots, slot: number): void {
  Atomics.store(slots.ints, stateAt(slot), FREE);
}
