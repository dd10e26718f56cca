import { rotateKeysCommand } from './rotate-keys.js';
import { copyToPostgresCommand } from './copy-to-postgres.js';
import { detectCommand } from '../detect/cli.js';
import { oauthCheckCommand } from '../oauth/cli.js';

/** One operator command of the `email-config-wizard` CLI. */
export interface CliCommand {
  name: string;
  summary: string;
  /** Returns the process exit code. */
  run(args: string[]): Promise<number>;
}

/** Register new commands here; their code lives in the folder of the capability they serve. */
export const commands: CliCommand[] = [rotateKeysCommand, copyToPostgresCommand, detectCommand, oauthCheckCommand];
