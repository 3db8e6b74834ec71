import { useState } from 'react';
import { Button, Dialog, Field, INPUT } from '../ui/primitives.js';
import { CLOSE_REASONS, type CloseReason } from './types.js';

const LABEL: Record<CloseReason, string> = {
  true_positive: 'True positive (handled)',
  false_positive: 'False positive',
  benign: 'Benign (expected activity)',
  duplicate: 'Duplicate',
  other: 'Other',
};

/** Close one or more alerts with a reason (required) and an optional comment. */
export function CloseDialog({
  count,
  open,
  onOpenChange,
  onClose,
}: {
  count: number;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onClose: (reason: CloseReason, comment: string) => Promise<void>;
}) {
  const [reason, setReason] = useState<CloseReason>('true_positive');
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={count === 1 ? 'Close alert' : `Close ${count} alerts`}
      description="Say why: the reason feeds the rule's noise figures."
    >
      <form
        className="space-y-3"
        onSubmit={(event) => {
          event.preventDefault();
          setBusy(true);
          void onClose(reason, comment.trim()).finally(() => setBusy(false));
        }}
      >
        <Field label="Reason">
          <select
            className={INPUT}
            value={reason}
            onChange={(e) => setReason(e.target.value as CloseReason)}
            name="reason"
          >
            {CLOSE_REASONS.map((value) => (
              <option key={value} value={value}>
                {LABEL[value]}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Comment (optional)">
          <textarea
            className={INPUT}
            rows={3}
            maxLength={4000}
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            name="comment"
          />
        </Field>
        <div className="flex justify-end gap-2">
          <Button onClick={() => onOpenChange(false)}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={busy}>
            Close {count === 1 ? 'alert' : `${count} alerts`}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
