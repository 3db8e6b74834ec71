// The detail's dialogs: resolve or close with a resolution, and edit the title and description.
import { useState } from 'react';
import { Button, Dialog, Field, INPUT } from '../ui/primitives.js';
import type { IncidentDetail, IncidentStatus } from './types.js';

export function ResolveDialog({
  incident,
  to,
  onOpenChange,
  onConfirm,
}: {
  incident: IncidentDetail;
  to: Extract<IncidentStatus, 'resolved' | 'closed'> | null;
  onOpenChange: (open: boolean) => void;
  onConfirm: (resolution: string) => Promise<void>;
}) {
  const [resolution, setResolution] = useState(incident.resolution ?? '');
  const [busy, setBusy] = useState(false);
  const verb = to === 'closed' ? 'Close' : 'Resolve';
  return (
    <Dialog
      open={to !== null}
      onOpenChange={onOpenChange}
      title={`${verb} incident #${incident.number}`}
      description={
        to === 'closed'
          ? 'A closed incident is done; it can be reopened for investigation.'
          : 'The threat is dealt with. Say how, for whoever reads this incident later.'
      }
    >
      <form
        className="space-y-3"
        onSubmit={(event) => {
          event.preventDefault();
          setBusy(true);
          void onConfirm(resolution.trim()).finally(() => setBusy(false));
        }}
      >
        <Field label="Resolution (optional)">
          <textarea
            className={INPUT}
            name="resolution"
            rows={4}
            maxLength={10000}
            value={resolution}
            onChange={(e) => setResolution(e.target.value)}
          />
        </Field>
        <div className="flex justify-end gap-2">
          <Button onClick={() => onOpenChange(false)}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={busy}>
            {verb} incident
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

export function EditDialog({
  incident,
  open,
  onOpenChange,
  onSave,
}: {
  incident: IncidentDetail;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onSave: (changes: { title?: string; description?: string }) => Promise<void>;
}) {
  const [title, setTitle] = useState(incident.title);
  const [description, setDescription] = useState(incident.description);
  const [busy, setBusy] = useState(false);
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={`Edit incident #${incident.number}`}
      description="The title and description every analyst sees."
    >
      <form
        className="space-y-3"
        onSubmit={(event) => {
          event.preventDefault();
          setBusy(true);
          const changes = {
            ...(title.trim() !== incident.title ? { title: title.trim() } : {}),
            ...(description !== incident.description ? { description } : {}),
          };
          void onSave(changes).finally(() => setBusy(false));
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
        <Field label="Description">
          <textarea
            className={INPUT}
            name="description"
            rows={6}
            maxLength={20000}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
        </Field>
        <div className="flex justify-end gap-2">
          <Button onClick={() => onOpenChange(false)}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={busy || title.trim() === ''}>
            Save
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
