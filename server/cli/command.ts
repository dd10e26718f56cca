/**
 * One operator command of the `email-config-wizard` CLI. A command lives in the folder of the
 * capability it serves; `server/cli.ts` lists them (so no capability imports that list).
 */
export interface CliCommand {
  name: string;
  summary: string;
  /** Returns the process exit code. */
  run(args: string[]): Promise<number>;
}
