/**
 * The generated forms' pieces, replacing RJSF's Bootstrap-3 defaults: buttons that say what
 * they do (the defaults are glyph-font icons this page does not load: blank squares), array
 * items labelled "Item 1" (not "items-1*"), and an error line under each field whose space is
 * kept while it is empty, so an error appearing or clearing never moves what is below it (a
 * click that started on "Start task" before a blur re-validated the form used to end on
 * nothing).
 */
import type { ArrayFieldItemButtonsTemplateProps, ArrayFieldItemTemplateProps, FieldErrorProps, FieldTemplateProps, IconButtonProps, SubmitButtonProps, TemplatesType, TitleFieldProps } from '@rjsf/utils';
import { errorId, getUiOptions } from '@rjsf/utils';

/** An array item's label: RJSF names it `<array>-<n>`; we say "Item n". */
export function itemLabel(label: string, id: string): { text: string; item: boolean } {
  const m = /_(\d+)$/.exec(id);
  if (m && label.endsWith(`-${Number(m[1]) + 1}`)) return { text: `Item ${Number(m[1]) + 1}`, item: true };
  return { text: label, item: false };
}

function FieldTemplate(props: FieldTemplateProps) {
  const { id, label, children, errors, help, description, hidden, required, displayLabel, registry, uiSchema } = props;
  const uiOptions = getUiOptions(uiSchema);
  // The registry's wrapper (a fixed component; no per-field override is used here).
  const Wrap = registry.templates.WrapIfAdditionalTemplate;
  if (hidden) return <div className="hidden">{children}</div>;
  const { text, item } = itemLabel(label, id);
  const showLabel = displayLabel && uiOptions.widget !== 'checkbox';
  return (
    <Wrap {...props}>
      {showLabel ? (
        <label className="control-label" htmlFor={id}>
          {text}
          {required && !item ? <RequiredMark /> : null}
        </label>
      ) : null}
      {displayLabel && description ? description : null}
      {children}
      {errors}
      {help}
    </Wrap>
  );
}

/** The star after a required field's label (its input says required to assistive technology). */
function RequiredMark() {
  return (
    <span className="required" aria-hidden="true">
      {' '}*
    </span>
  );
}

/** An object's legend (an array item that is an object gets "Item n" too). */
function TitleFieldTemplate({ id, title, required, optionalDataControl }: TitleFieldProps) {
  const { text, item } = itemLabel(title, id.replace(/__title$/, ''));
  return (
    <legend id={id}>
      {text}
      {required && !item ? <RequiredMark /> : null}
      {optionalDataControl ? <span className="legend-control">{optionalDataControl}</span> : null}
    </legend>
  );
}

function FieldErrorTemplate({ errors = [], fieldPathId, schema }: FieldErrorProps) {
  const shown = errors.filter(Boolean);
  // Objects and arrays show their own errors only when they have some (their fields have slots).
  const container = schema.type === 'object' || schema.type === 'array';
  if (container && shown.length === 0) return null;
  return (
    <ul id={errorId(fieldPathId)} className={`error-detail${container ? '' : ' reserved'}`} aria-live="polite">
      {shown.map((e, i) => (
        <li key={i} className="text-danger">
          {e}
        </li>
      ))}
    </ul>
  );
}

function TextButton({ label, text, className, uiSchema: _u, registry: _r, iconType: _t, icon: _i, ...rest }: IconButtonProps & { label: string; text: string }) {
  return (
    <button type="button" className={`btn sm form-btn ${className ?? ''}`} aria-label={label} title={label} {...rest}>
      {text}
    </button>
  );
}

function ArrayFieldItemButtonsTemplate(props: ArrayFieldItemButtonsTemplateProps) {
  const { disabled, hasCopy, hasMoveDown, hasMoveUp, hasRemove, index, onCopyItem, onRemoveItem, onMoveDownItem, onMoveUpItem, readonly, registry } = props;
  const n = index + 1;
  const off = disabled || readonly;
  return (
    <>
      {hasMoveUp || hasMoveDown ? <TextButton label={`Move item ${n} up`} text="↑" disabled={off || !hasMoveUp} onClick={onMoveUpItem} registry={registry} /> : null}
      {hasMoveUp || hasMoveDown ? <TextButton label={`Move item ${n} down`} text="↓" disabled={off || !hasMoveDown} onClick={onMoveDownItem} registry={registry} /> : null}
      {hasCopy ? <TextButton label={`Copy item ${n}`} text="Copy" disabled={off} onClick={onCopyItem} registry={registry} /> : null}
      {hasRemove ? <TextButton label={`Remove item ${n}`} text="Remove" className="danger-outline" disabled={off} onClick={onRemoveItem} registry={registry} /> : null}
    </>
  );
}

/** One array item: a box with its buttons at the top right, beside its "Item n" label. */
function ArrayFieldItemTemplate({ children, buttonsProps, hasToolbar, registry }: ArrayFieldItemTemplateProps) {
  const Buttons = registry.templates.ArrayFieldItemButtonsTemplate;
  return (
    <div className="array-item">
      {hasToolbar ? (
        <div className="array-item-toolbar">
          <Buttons {...buttonsProps} />
        </div>
      ) : null}
      {children}
    </div>
  );
}

function AddButton({ className, onClick, disabled, registry }: IconButtonProps) {
  return (
    <div className="form-add">
      <TextButton label="Add item" text="+ Add item" className={className ?? ''} onClick={onClick} disabled={disabled} registry={registry} />
    </div>
  );
}

/** The dialogs put their own submit button in their footer. */
function NoSubmitButton(_props: SubmitButtonProps) {
  return null;
}

export const FORM_TEMPLATES: Partial<TemplatesType> = {
  FieldTemplate,
  FieldErrorTemplate,
  TitleFieldTemplate,
  ArrayFieldItemButtonsTemplate,
  ArrayFieldItemTemplate,
  ButtonTemplates: {
    AddButton,
    SubmitButton: NoSubmitButton,
    CopyButton: (p) => <TextButton {...p} label="Copy" text="Copy" />,
    MoveDownButton: (p) => <TextButton {...p} label="Move down" text="↓" />,
    MoveUpButton: (p) => <TextButton {...p} label="Move up" text="↑" />,
    RemoveButton: (p) => <TextButton {...p} label="Remove" text="Remove" />,
    ClearButton: (p) => <TextButton {...p} label="Clear" text="Clear" />,
  },
};
