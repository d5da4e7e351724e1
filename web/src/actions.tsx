// What a view does when a button is clicked: one action at a time (its buttons are disabled while it
// runs, so a quick second click cannot act on a stale state), its outcome said in a status line
// (a failure styled as one), and any refusal said in an alert with the server's reason.
import { useCallback, useState } from 'react';
import { messageOf } from './api.js';

export interface Outcome {
  text: string;
  tone: 'success' | 'failure' | 'info';
}

export function useActions() {
  const [busy, setBusy] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [problem, setProblem] = useState('');

  /** Runs the action named `name`; what it returns becomes the status line. */
  const run = useCallback(async (name: string, action: () => Promise<Outcome | string | void>): Promise<boolean> => {
    setBusy(name);
    setProblem('');
    setOutcome(null);
    try {
      const result = await action();
      if (result) setOutcome(typeof result === 'string' ? { text: result, tone: 'success' } : result);
      return true;
    } catch (err) {
      setProblem(messageOf(err));
      return false;
    } finally {
      setBusy(null);
    }
  }, []);

  return { run, busy, outcome, setOutcome, problem, setProblem };
}

/** The status line and the alert of a view's actions. */
export function ActionMessages(props: { outcome: Outcome | null; problem: string }) {
  return (
    <>
      <p className={`notice ${props.outcome?.tone ?? ''}`} role="status" aria-live="polite">
        {props.outcome?.text ?? ''}
      </p>
      {props.problem && (
        <p className="error banner-error" role="alert">
          {props.problem}
        </p>
      )}
    </>
  );
}
