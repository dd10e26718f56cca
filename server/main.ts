import { serve } from '@hono/node-server';
import { createApp } from './create-app.js';
import { ConfigError, loadConfig } from './config/index.js';
import { createLogger } from './log/index.js';
import { mountDemo } from './demo/index.js';

/** `npm start`: the API, plus the demo pages at `/`. */
async function main(): Promise<void> {
  const started = performance.now();
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError || (error as Error).name === 'ConfigError') {
      process.stderr.write(`email-config-wizard cannot start: ${(error as Error).message}\n`);
      process.exit(78);
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel });
  const wizard = await createApp({ config, logger });
  mountDemo(wizard.app, wizard.services);

  const server = serve({ fetch: wizard.app.fetch, port: config.port, hostname: process.env.HOST ?? '127.0.0.1' }, (info) => {
    if (config.demoMode) {
      logger.warn('demo API key in use: set EMAIL_WIZARD_API_KEYS before exposing this server', { demoApiKey: '(see data dir)' });
      process.stdout.write(`Demo API key (for testing only): ${config.apiKeys[0]}\n`);
    }
    logger.info('listening', { port: info.port, basePath: config.basePath, startupMs: Math.round(performance.now() - started) });
    process.stdout.write(`email-config-wizard ready on http://localhost:${info.port}/ (API at ${config.basePath})\n`);
  });

  const shutdown = async (signal: string) => {
    logger.info('shutting down', { signal });
    server.close();
    await wizard.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

void main();
