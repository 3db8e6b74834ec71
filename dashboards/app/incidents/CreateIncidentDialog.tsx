// Create an incident: title (required), severity and description, optionally with an alert the analyst came
// from (/incidents?create=1&alert=<id>). Validation errors from the API are shown in the dialog.
import { useState } from 'react';
import { useConsole } from '../App.js';
import { must } from '../api/client.js';
import { describe } from '../api/problem.js';
import { Button, Dialog, Field, INPUT } from '../ui/primitives.js';
import { SEVERITIES, type CreateIncidentBody, type IncidentItem, type Severity } from './types.js';

export function CreateIncidentDialog({
  open,
  onOpenChange,
  alertId,
  onCreated,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  alertId?: string;
  onCreated: (incident: IncidentItem) => void;
}) {
  const { api } = useConsole();
  const [title, setTitle] = useState('');
  const [severity, setSeverity] = useState<Severity | ''>(alertId ? '' : 'medium');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function create(): Promise<void> {
    setBusy(true);
    setError(null);
    const body: CreateIncidentBody = {
      title: title.trim(),
      ...(severity ? { severity } : {}),
      ...(description.trim() ? { description: description.trim() } : {}),
      ...(alertId ? { alertIds: [alertId] } : {}),
    };
    try {
      const incident = await must(api.POST('/api/incidents', { body }));
      setTitle('');
      setDescription('');
      onCreated(incident);
    } catch (failure) {
      setError(describe(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title="New incident"
      description={
        alertId
          ? `The incident starts with alert ${alertId.slice(0, 8)}…; add more alerts from its page.`
          : 'Group related alerts, track the investigation and keep notes in one place.'
      }
    >
      <form
        className="space-y-3"
        onSubmit={(event) => {
          event.preventDefault();
          void create();
        }}
      >
        <Field label="Title">
          <input
            className={INPUT}
            name="title"
            required
            maxLength={300}
            value={title}
            onChange={(e) => setTitle(e.target.value)}
          />
        </Field>
        <Field label="Severity">
          <select
            className={INPUT}
            name="severity"
            value={severity}
            onChange={(e) => setSeverity(e.target.value as Severity | '')}
          >
            {alertId ? <option value="">The alert&apos;s severity</option> : null}
            {SEVERITIES.map((value) => (
              <option key={value} value={value}>
                {value[0]?.toUpperCase()}
                {value.slice(1)}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Description (optional)">
          <textarea
            className={INPUT}
            name="description"
            rows={4}
            maxLength={20000}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
        </Field>
        {error ? (
          <p role="alert" className="text-sm text-sev-critical">
            {error}
          </p>
        ) : null}
        <div className="flex justify-end gap-2">
          <Button onClick={() => onOpenChange(false)}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={busy || title.trim() === ''}>
            Create incident
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
