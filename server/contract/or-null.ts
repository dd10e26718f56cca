import { z } from '@hono/zod-openapi';

/**
 * `schema` or null. zod's `.nullable()` on a named schema (one with `.openapi('Name')`) loses the
 * null in the OpenAPI document — it becomes a bare `$ref` — so nullable references use this union.
 */
export const orNull = <T extends z.ZodType>(schema: T) => z.union([schema, z.null()]);
