#!/usr/bin/env node
import type { CliCommand } from './cli/command.js';
import { rotateKeysCommand } from './cli/rotate-keys.js';
import { copyToPostgresCommand } from './cli/copy-to-postgres.js';
import { detectCommand } from './detect/cli.js';
import { oauthCheckCommand } from './oauth/cli.js';

/** Register new commands here; their code lives in the folder of the capability they serve. */
const commands: CliCommand[] = [rotateKeysCommand, copyToPostgresCommand, detectCommand, oauthCheckCommand];

/** `email-config-wizard <command>`: operator commands. Each command lives in its capability's folder. */
async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = commands.find((c) => c.name === name);
  if (!command) {
    const width = Math.max(...commands.map((c) => c.name.length));
    process.stdout.write(
      `Usage: email-config-wizard <command> [options]\n\nCommands:\n${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}\n`,
    );
    return name === undefined || name === '--help' || name === 'help' ? 0 : 64;
  }
  return command.run(args);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  },
);
