import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { createApp } from './create-app.js';
import { ConfigError, loadConfig } from './config/index.js';
import { createLogger } from './log/index.js';
import { buildWidgetForDemo, mountDemo } from './demo/index.js';
import { mountWidgetFiles } from './http/widget-files.js';

/** `npm start`: the API, plus the demo pages at `/`. */
async function main(): Promise<void> {
  const started = performance.now();
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`email-config-wizard cannot start: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel });
  let wizard;
  try {
    wizard = await createApp({ config, logger });
  } catch (error) {
    // Settings read by the services (EMAIL_WIZARD_DETECT_TIMEOUT_MS, EMAIL_WIZARD_ISPDB_URL) are configuration errors, not the database's.
    if (error instanceof ConfigError) {
      process.stderr.write(`email-config-wizard cannot start: ${error.message}\n`);
      process.exit(78);
    }
    const where = config.databaseUrl ? 'the PostgreSQL database in DATABASE_URL' : config.dbFile;
    process.stderr.write(`email-config-wizard cannot start: opening ${where} failed: ${(error as Error).message}\n`);
    process.exit(1);
  }
  // The prebuilt widget at /widget/*; demo mode (a development checkout) builds it first when stale.
  // Outside demo mode nothing is built and no demo page is served.
  if (config.demoMode) {
    await buildWidgetForDemo(logger);
    mountDemo(wizard.app, wizard.services);
  }
  mountWidgetFiles(wizard.app);

  const server = serve({ fetch: wizard.app.fetch, port: config.port, hostname: process.env.HOST ?? '127.0.0.1' }, (info) => {
    if (config.demoMode) {
      logger.warn('demo API key in use: set EMAIL_WIZARD_API_KEYS before exposing this server', { demoApiKey: '(see data dir)' });
      process.stdout.write(`Demo API key (for testing only): ${config.apiKeys[0]}\n`);
    }
    logger.info('listening', { port: info.port, basePath: config.basePath, startupMs: Math.round(performance.now() - started) });
    process.stdout.write(`email-config-wizard ready on http://localhost:${info.port}/ (API at ${config.basePath})\n`);
  });

  server.on('error', (error: NodeJS.ErrnoException) => {
    const reason = error.code === 'EADDRINUSE' ? `port ${config.port} is already in use (set PORT to another one)` : error.message;
    process.stderr.write(`email-config-wizard cannot start: ${reason}\n`);
    process.exit(1);
  });

  const shutdown = async (signal: string) => {
    logger.info('shutting down', { signal });
    // Host calls waiting for a token answer 503 at once (DESIGN.md: SIGTERM stops within 5 s).
    wizard.services.oauth.tokens.close();
    // Let requests in flight finish (at most 3 s) before the database goes away under them.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        (server as Server).closeAllConnections();
        resolve();
      }, 3000);
      server.close(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    await wizard.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

void main();
