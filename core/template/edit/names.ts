/** Checks of step and state names given to edits. */
import { TemplateEditError } from './errors.js';

export function checkName(name: unknown, what: 'step' | 'state'): string {
  if (typeof name !== 'string' || name.trim() === '' || name !== name.trim() || /[\n\r]/.test(name)) {
    throw new TemplateEditError('BAD_VALUE', `A ${what} name must be a non-empty string without surrounding spaces or line breaks; got ${JSON.stringify(name)}.`, { name });
  }
  return name;
}

export function checkString(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw new TemplateEditError('BAD_VALUE', `${what} must be a non-empty string; got ${JSON.stringify(value)}.`);
  return value;
}
