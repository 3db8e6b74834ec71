import { describe, expect, it } from 'vitest';
import { encodeEventBatchBytes, eventFieldBytes } from './batch-bytes.js';
import { decodeEventBatch } from './decoders.js';
import { Event, EventBatch } from './gen/messages.js';

describe('encodeEventBatchBytes', () => {
  it('frames encoded events (1- to 3-byte length prefixes) into a batch that decodes like EventBatch.encode of it', () => {
    const events = [1, 2, 300, 20_000].map((seq) =>
      Event.create({
        agentId: 'a1',
        seq,
        timeUnixUs: 1_700_000_000_000_000 + seq,
        sensor: 'test',
        log: { message: 'x'.repeat(seq) },
      }),
    );
    const header = {
      agentId: 'a1',
      batchId: 'a1:1',
      firstSeq: 1,
      sentTimeUnixUs: 1_700_000_000_000_001,
      host: { hostname: 'h' },
    };
    const bytes = encodeEventBatchBytes(
      header,
      events.map((e) => Event.encode(e).finish()),
    );
    const reference = EventBatch.encode({ ...header, events }).finish();
    expect(decodeEventBatch(bytes).toJSON()).toEqual(decodeEventBatch(reference).toJSON());
    expect(bytes.byteLength).toBe(reference.byteLength);
    const headerOnly = encodeEventBatchBytes(header, []).byteLength;
    const sizes = events.map((e) => eventFieldBytes(Event.encode(e).finish().byteLength));
    expect(headerOnly + sizes.reduce((a, b) => a + b, 0)).toBe(bytes.byteLength);
  });
});
