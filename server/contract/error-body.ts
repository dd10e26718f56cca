import { z } from '@hono/zod-openapi';

/** The body of every error answer (DESIGN.md "HTTP API"): `{"error": {"code", "message", "field"?}}`. */
export const ErrorBodySchema = z
  .object({ error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }) })
  .openapi('Error');

export type ErrorBody = z.infer<typeof ErrorBodySchema>;
