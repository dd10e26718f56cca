import type { z } from '@hono/zod-openapi';
import { ErrorBodySchema } from '../../contract/error-body.js';

const errorResponse = (description: string) => ({ content: { 'application/json': { schema: ErrorBodySchema } }, description });

/** The error responses every authenticated route can give, for the OpenAPI document. */
export const commonErrors = {
  400: errorResponse('The request is not valid'),
  401: errorResponse('Missing, expired or invalid credentials'),
  403: errorResponse('Not allowed for this session or origin'),
} as const;

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});

export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

export { errorResponse };
