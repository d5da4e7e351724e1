// A modal pop-up: labelled by its title; focus moves in on opening and again into each new step
// (`step`), stays inside (Tab wraps), Escape closes it, and focus returns to what opened it (or,
// when that is gone, say a deleted webhook's button, to the start of the view's content).
import { useEffect, useId, useRef, type ReactNode, type RefObject } from 'react';

/**
 * The element focused last outside any dialog: what a dialog returns focus to, also when the button
 * that opened it lost focus meanwhile (disabled while its request ran).
 */
let lastFocused: HTMLElement | null = null;
document.addEventListener(
  'focusin',
  (e) => {
    const target = e.target as HTMLElement;
    if (!target.closest('[aria-modal="true"]')) lastFocused = target;
  },
  true,
);

export const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), select, textarea, [tabindex]:not([tabindex="-1"])';

/** Focuses what the container marks data-autofocus, else its first focusable element. */
export function focusFirst(box: HTMLElement): void {
  const first = box.querySelector<HTMLElement>('[data-autofocus]') ?? box.querySelector<HTMLElement>(FOCUSABLE);
  (first ?? box).focus();
}

/** After a validation pass, moves focus to the first field marked invalid, if any. */
export function useFocusFirstInvalid(box: RefObject<HTMLElement | null>, errors: object): void {
  useEffect(() => {
    if (Object.keys(errors).length === 0) return;
    box.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [box, errors]);
}

export function Dialog(props: { title: string; onClose: () => void; children: ReactNode; role?: 'dialog' | 'alertdialog'; step?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;

  useEffect(() => {
    const active = document.activeElement as HTMLElement | null;
    const opener = active && active !== document.body && !active.closest('[aria-modal="true"]') ? active : lastFocused;
    const box = ref.current!;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        onClose.current();
        return;
      }
      if (e.key !== 'Tab') return;
      const items = [...box.querySelectorAll<HTMLElement>(FOCUSABLE)];
      if (items.length === 0) return;
      const [head, tail] = [items[0]!, items[items.length - 1]!];
      if (e.shiftKey && (document.activeElement === head || !box.contains(document.activeElement))) {
        e.preventDefault();
        tail.focus();
      } else if (!e.shiftKey && (document.activeElement === tail || !box.contains(document.activeElement))) {
        e.preventDefault();
        head.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      // After the dialog is gone: the opener may have been re-rendered or removed meanwhile.
      queueMicrotask(() => {
        if (document.activeElement?.closest('[aria-modal="true"]')) return; // another dialog took over
        if (opener && opener.isConnected && opener !== document.body) opener.focus();
        else document.getElementById('main')?.focus();
      });
    };
  }, []);

  useEffect(() => focusFirst(ref.current!), [props.step]);

  return (
    <div className="backdrop">
      <div ref={ref} className="dialog" role={props.role ?? 'dialog'} aria-modal="true" aria-labelledby={titleId} tabIndex={-1}>
        <h2 id={titleId}>{props.title}</h2>
        {props.children}
      </div>
    </div>
  );
}
