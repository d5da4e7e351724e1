// An inline message under a field, announced to screen readers when it appears.
export function FieldError(props: { id: string; message: string | undefined }) {
  return (
    <p id={props.id} className="error" role={props.message ? 'alert' : undefined}>
      {props.message ?? ''}
    </p>
  );
}
