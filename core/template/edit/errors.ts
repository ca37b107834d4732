/** Why a template edit was refused. Each reason maps onto one stable StepwiseError code. */
import { StepwiseError, type ErrorCode } from '../../model/errors.js';

export type EditRefusal =
  /** The step or state the edit names is not in the template. */
  | 'UNKNOWN_NODE'
  /** A step or state of that name already exists. */
  | 'DUPLICATE_NAME'
  /** connect: the edge is already there. */
  | 'EDGE_EXISTS'
  /** disconnect: there is no such edge. */
  | 'UNKNOWN_EDGE'
  /** The property path is not one the editor sets (or is set by another edit). */
  | 'UNSUPPORTED_PROPERTY'
  /** A value of the wrong shape (a name that is not a string, a non-JSON value). */
  | 'BAD_VALUE'
  /** A workflow edit on a flow, or the reverse. */
  | 'WRONG_KIND'
  /** The text is not YAML, or not a template the editor can change safely (aliases, odd shapes). */
  | 'NOT_EDITABLE';

const CODES: Record<EditRefusal, ErrorCode> = {
  UNKNOWN_NODE: 'NOT_FOUND',
  DUPLICATE_NAME: 'DUPLICATE',
  EDGE_EXISTS: 'DUPLICATE',
  UNKNOWN_EDGE: 'NOT_FOUND',
  UNSUPPORTED_PROPERTY: 'USAGE',
  BAD_VALUE: 'USAGE',
  WRONG_KIND: 'USAGE',
  NOT_EDITABLE: 'TEMPLATE_INVALID',
};

export class TemplateEditError extends StepwiseError {
  readonly reason: EditRefusal;
  constructor(reason: EditRefusal, message: string, details: Record<string, unknown> = {}) {
    super(CODES[reason], message, { reason, ...details });
    this.reason = reason;
  }
}
