import { createRoute, z } from '@hono/zod-openapi';
import { sql } from 'kysely';
import type { ApiApp, Services } from '../context.js';
import { jsonResponse, errorResponse } from './shared.js';

const HealthSchema = z.object({ status: z.enum(['ok', 'degraded']), database: z.enum(['ok', 'unreachable']), version: z.string() });

export function registerHealthRoutes(api: ApiApp, services: Services): void {
  api.openapi(
    createRoute({
      method: 'get',
      path: '/health',
      summary: 'Liveness and database reachability',
      responses: { 200: jsonResponse(HealthSchema, 'Healthy'), 503: errorResponse('The database cannot be reached') },
    }),
    async (c) => {
      try {
        await sql`SELECT 1`.execute(services.database.db);
        return c.json({ status: 'ok' as const, database: 'ok' as const, version: '0.1.0' }, 200);
      } catch (error) {
        c.get('logger').error('health check failed', { error });
        return c.json({ error: { code: 'DATABASE_UNAVAILABLE', message: 'The database cannot be reached.' } }, 503);
      }
    },
  );
}
