import type { Context } from 'hono';
import { errorBody } from './errors.js';

interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
}

/** Zod failures as the error envelope: the first problem, as a sentence, with the field it concerns. */
export function validationHook(
  result: { success: true } | { success: false; error: { issues: Issue[] }; data?: unknown; target?: string },
  c: Context,
): Response | undefined {
  if (result.success) return undefined;
  const issue = result.error.issues[0];
  if (!issue) return c.json(errorBody('VALIDATION_ERROR', 'The request is not valid.'), 400);
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys?.[0] ?? '';
    const field = path ? `${path}.${key}` : key;
    return c.json(errorBody('UNKNOWN_FIELD', `The field "${field}" is not recognised.`, field), 400);
  }
  if (result.target === 'json' && path === '' && issue.code === 'invalid_type') {
    return c.json(errorBody('VALIDATION_ERROR', 'The request body must be a JSON object.'), 400);
  }
  // zod's own wording ("Invalid input: …") is for developers; schemas here carry sentences for people.
  const generic = /^Invalid input/.test(issue.message);
  if (path !== '' && valueAt(result.data, issue.path) === undefined) {
    const message = generic || issue.code === 'invalid_union' ? `The field "${path}" is required.` : issue.message;
    return c.json(errorBody('MISSING_FIELD', message, path), 400);
  }
  const message = generic ? `The field "${path}" is not valid.` : issue.message;
  return c.json(errorBody('VALIDATION_ERROR', message, path || undefined), 400);
}

function valueAt(data: unknown, path: PropertyKey[]): unknown {
  let value = data;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
