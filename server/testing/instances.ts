import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess, type ServerProcess } from './server-process.js';
import { sharedTestPostgres } from './postgres.js';

export const INSTANCES_API_KEY = 'instances-host-key';

export interface SharedInstances {
  /** The database every instance uses. */
  databaseUrl: string;
  /** The environment every instance got (secrets included), for starting one more. */
  env: Record<string, string>;
  servers: ServerProcess[];
  /** Stops every server (not the PostgreSQL cluster: `stopSharedTestPostgres` does that). */
  stop(): Promise<void>;
}

/**
 * Starts `count` real server processes behind no balancer, all on one fresh PostgreSQL database
 * with the same API key, session secret and encryption keys — the way several instances run in
 * production. `env` adds settings (OAuth endpoints, DNS servers…) to all of them.
 *
 * @example
 * const { servers, stop } = await startSharedInstances({ count: 2 });
 * await fetch(`${servers[0]!.apiUrl}/sessions`, …); // then use the token on servers[1]
 */
export async function startSharedInstances(options: { count?: number; env?: Record<string, string> } = {}): Promise<SharedInstances> {
  const databaseUrl = await (await sharedTestPostgres()).createDatabase();
  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    EMAIL_WIZARD_API_KEYS: INSTANCES_API_KEY,
    EMAIL_WIZARD_SESSION_SECRET: randomBytes(32).toString('hex'),
    EMAIL_WIZARD_ENCRYPTION_KEYS: `i1:${randomBytes(32).toString('base64')}`,
    LOG_LEVEL: 'warn',
    ...options.env,
  };
  // Started one after another: the schema is applied under an advisory lock either way.
  const servers: ServerProcess[] = [];
  try {
    for (let i = 0; i < (options.count ?? 2); i += 1) {
      const dataDir = mkdtempSync(join(tmpdir(), `ecw-instance-${i}-`));
      servers.push(await startServerProcess({ env: { ...env, EMAIL_WIZARD_DB: join(dataDir, 'unused.sqlite') } }));
    }
  } catch (error) {
    await Promise.all(servers.map((server) => server.stop()));
    throw error;
  }
  return {
    databaseUrl,
    env,
    servers,
    async stop() {
      await Promise.all(servers.map((server) => server.stop()));
    },
  };
}
