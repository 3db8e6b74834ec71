// The time range of a hunt: a preset, or a custom from/to (datetime-local inputs, kept as ISO-8601).
import { INPUT } from '../ui/primitives.js';
import { PRESET_LABEL, type RangeKey, type TimeRange } from './data.js';

/** An ISO time as a datetime-local input's value (local time, minutes). */
function toLocalInput(iso: string): string {
  const date = new Date(iso);
  if (!iso || Number.isNaN(date.getTime())) return '';
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

function fromLocalInput(value: string): string {
  const date = new Date(value);
  return value && !Number.isNaN(date.getTime()) ? date.toISOString() : '';
}

export function TimeRangeFields({
  value,
  onChange,
  idPrefix,
}: {
  value: TimeRange;
  onChange: (next: TimeRange) => void;
  idPrefix: string;
}) {
  return (
    <div className="flex flex-wrap items-end gap-2">
      <label className="block text-sm">
        <span className="mb-1 block text-muted">Time range</span>
        <select
          id={`${idPrefix}-range`}
          aria-label="Time range"
          className={INPUT}
          value={value.range}
          onChange={(event) => {
            const range = event.target.value as RangeKey;
            if (range === 'custom') {
              const now = Date.now();
              onChange({
                range,
                from: value.from || new Date(now - 3_600_000).toISOString(),
                to: value.to || new Date(now).toISOString(),
              });
            } else onChange({ range, from: '', to: '' });
          }}
        >
          {(Object.keys(PRESET_LABEL) as RangeKey[]).map((key) => (
            <option key={key} value={key}>
              {PRESET_LABEL[key]}
            </option>
          ))}
        </select>
      </label>
      {value.range === 'custom' ? (
        <>
          <label className="block text-sm">
            <span className="mb-1 block text-muted">From</span>
            <input
              type="datetime-local"
              aria-label="From"
              className={INPUT}
              value={toLocalInput(value.from)}
              onChange={(event) => onChange({ ...value, from: fromLocalInput(event.target.value) })}
            />
          </label>
          <label className="block text-sm">
            <span className="mb-1 block text-muted">To</span>
            <input
              type="datetime-local"
              aria-label="To"
              className={INPUT}
              value={toLocalInput(value.to)}
              onChange={(event) => onChange({ ...value, to: fromLocalInput(event.target.value) })}
            />
          </label>
        </>
      ) : null}
    </div>
  );
}
