// Windows event log records, as evtx dump tools give them in JSON (`{"Event": {"System": ..., "EventData":
// ...}}`, XML attributes under `#attributes`, element text under `#text`), flattened to the field names
// Sigma's Windows rules use: the EventData (or UserData) fields at the top level, and System's elements by
// name with their attributes as `<Element>_<Attribute>` (Provider_Name, Execution_ProcessID, ...).
import type { SigmaEvent } from '../sigma-types.js';

const ATTRIBUTES = '#attributes';
const TEXT = '#text';
/** System fields that identify the event's source: EventData cannot replace them. */
const SOURCE_FIELDS = new Set(['EventID', 'Channel', 'Provider_Name', 'Computer']);

/**
 * Flattens one evtx JSON record (`{Event: {...}}`, or the `Event` object itself) into a Sigma event:
 * - System: scalar elements as they are (`EventID`, `Channel`, `Computer`, `Level`, `Keywords`, ...); an
 *   element with attributes gives `<Element>_<Attribute>` (`Provider_Name`, `Provider_Guid`,
 *   `TimeCreated_SystemTime`, `Execution_ProcessID`, `Security_UserID`, `Correlation_ActivityID`), and its
 *   text, if any, under its own name (`EventID` with `Qualifiers`);
 * - EventData: each field at the top level; the `<Data Name="x">` list form gives `x`; unnamed data stays
 *   under `Data`; a field with attributes gives its text;
 * - UserData: the fields of its single element (named by the provider), at the top level.
 * EventData and UserData fields take precedence over System elements of the same name, except
 * EventID, Channel, Provider_Name and Computer. Anything that is not an object gives an empty event.
 */
export function flattenEvtxRecord(record: unknown): SigmaEvent {
  const flat: Record<string, unknown> = {};
  if (!isObject(record)) return flat;
  const root = isObject(record.Event) ? record.Event : record;
  if (isObject(root.System)) flattenSystem(root.System, flat);
  if (isObject(root.EventData)) flattenEventData(root.EventData, flat);
  else if (root.EventData !== undefined && root.EventData !== null) setData(flat, 'Data', root.EventData);
  if (isObject(root.UserData)) {
    for (const [name, element] of Object.entries(root.UserData)) {
      if (name === ATTRIBUTES) continue;
      if (isObject(element)) flattenFields(element, flat);
      else setData(flat, name, element);
    }
  }
  return flat;
}

function flattenSystem(system: Record<string, unknown>, flat: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(system)) {
    if (name === ATTRIBUTES) continue;
    if (!isObject(value)) {
      flat[name] = value;
      continue;
    }
    const attributes = value[ATTRIBUTES];
    if (isObject(attributes)) {
      for (const [attribute, attributeValue] of Object.entries(attributes)) {
        flat[`${name}_${attribute}`] = attributeValue;
      }
    }
    if (Object.hasOwn(value, TEXT)) flat[name] = value[TEXT];
  }
}

function flattenEventData(eventData: Record<string, unknown>, flat: Record<string, unknown>): void {
  const data = eventData.Data;
  if (data !== undefined && (Array.isArray(data) || isObject(data))) {
    const items = Array.isArray(data) ? data : [data];
    const unnamed: unknown[] = [];
    for (const item of items) {
      const name = isObject(item) && isObject(item[ATTRIBUTES]) ? item[ATTRIBUTES].Name : undefined;
      if (typeof name === 'string') setData(flat, name, isObject(item) ? (item[TEXT] ?? null) : item);
      else unnamed.push(isObject(item) && Object.hasOwn(item, TEXT) ? item[TEXT] : item);
    }
    if (unnamed.length > 0) setData(flat, 'Data', unnamed.length === 1 ? unnamed[0] : unnamed);
    const { Data: _data, ...others } = eventData;
    void _data;
    flattenFields(others, flat);
    return;
  }
  flattenFields(eventData, flat);
}

function flattenFields(fields: Record<string, unknown>, flat: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(fields)) {
    if (name === ATTRIBUTES) continue;
    setData(flat, name, isObject(value) && Object.hasOwn(value, TEXT) ? value[TEXT] : value);
  }
}

function setData(flat: Record<string, unknown>, name: string, value: unknown): void {
  if (SOURCE_FIELDS.has(name) && Object.hasOwn(flat, name)) return;
  flat[name] = value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
