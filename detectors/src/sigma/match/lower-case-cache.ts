// Lower-casing event values once: all items reading the same field share one cache slot holding the last
// value seen and its lower-cased form, so the many rules testing `CommandLine` lower-case it once per event
// (the slot is checked by string equality, so a stale slot can never give a wrong answer).

/** The cache slot of one field. */
export interface LowerCaseSlot {
  raw: string;
  lower: string;
}

const slots = new Map<string, LowerCaseSlot>();

/** The shared slot of an event field name (call at compile time). */
export function lowerCaseSlot(field: string): LowerCaseSlot {
  let slot = slots.get(field);
  if (!slot) {
    slot = { raw: '', lower: '' };
    slots.set(field, slot);
  }
  return slot;
}

/** The lower-cased value, from the slot when it holds it. */
export function lowerCased(slot: LowerCaseSlot, value: string): string {
  if (slot.raw === value) return slot.lower;
  const lower = value.toLowerCase();
  slot.raw = value;
  slot.lower = lower;
  return lower;
}
