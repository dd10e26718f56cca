import { SafeNetwork } from '../net/index.js';
import type { CliCommand } from '../cli/command.js';
import { createDetector, detectorOptionsFromEnv, InvalidEmailError, type DetectionResult, type MailServer } from './index.js';

export interface CliIo {
  env: Record<string, string | undefined>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const USAGE = 'Usage: email-config-wizard detect <email> [--json]\n';

/**
 * `email-config-wizard detect someone@example.com [--json]`: runs the same detection as
 * `POST /detect`, with the server's environment (EMAIL_WIZARD_DNS_SERVERS,
 * EMAIL_WIZARD_ALLOW_PRIVATE_NETWORKS, EMAIL_WIZARD_ISPDB_URL, EMAIL_WIZARD_DETECT_TIMEOUT_MS).
 * Exit code 0 when settings were found, 3 when not, 64 for a bad address or usage.
 */
export async function runDetectCli(args: string[], io: CliIo): Promise<number> {
  const json = args.includes('--json');
  const positional = args.filter((arg) => !arg.startsWith('--'));
  const unknown = args.filter((arg) => arg.startsWith('--') && arg !== '--json');
  if (positional.length !== 1 || unknown.length > 0) {
    io.stderr(USAGE);
    return 64;
  }
  const dnsServers = (io.env.EMAIL_WIZARD_DNS_SERVERS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const allowPrivateNetworks = ['true', '1', 'yes'].includes((io.env.EMAIL_WIZARD_ALLOW_PRIVATE_NETWORKS ?? '').trim().toLowerCase());
  const net = new SafeNetwork({ allowPrivateNetworks, ...(dnsServers.length > 0 ? { dnsServers } : {}) });
  const detector = createDetector({ net, ...detectorOptionsFromEnv(io.env) });
  let result: DetectionResult;
  try {
    result = await detector.detect(positional[0]!, {
      onProgress: json
        ? undefined
        : (event) => {
            if (event.status === 'end' && event.source !== 'builtin') {
              io.stderr(`  ${event.source}: ${event.found ? 'found' : (event.error ?? 'nothing')} (${event.ms} ms)\n`);
            }
          },
    });
  } catch (error) {
    if (error instanceof InvalidEmailError) {
      io.stderr(`${error.message}\n`);
      return 64;
    }
    throw error;
  }
  io.stdout(json ? `${JSON.stringify(result, null, 2)}\n` : formatResult(result));
  return result.imap || result.smtp || result.provider ? 0 : 3;
}

/** The detection result as a few lines for a terminal. */
export function formatResult(result: DetectionResult): string {
  const server = (label: string, s: MailServer | null) =>
    s ? `${label}  ${`${s.host}:${s.port}`.padEnd(36)} ${s.security.toUpperCase().padEnd(9)} user ${s.username}\n` : `${label}  (none)\n`;
  const provider = result.provider
    ? `${result.provider.name}${result.provider.oauth ? ` (OAuth: ${result.provider.oauth})` : ''}${result.provider.supported ? '' : ' (not reachable over IMAP/SMTP)'}`
    : 'unknown provider';
  let text = `${result.email}: ${provider}, source ${result.source}, confidence ${result.confidence}, ${result.elapsedMs} ms\n`;
  text += server('IMAP', result.imap) + server('SMTP', result.smtp);
  text += `Sign-in: ${result.authMethods.join(', ') || 'none'}\n`;
  for (const note of result.notes) text += `Note: ${note}\n`;
  for (const alternative of result.alternatives) {
    const describe = (s: MailServer | null) => (s ? `${s.host}:${s.port} ${s.security}` : '-');
    text += `Alternative (${alternative.source}): IMAP ${describe(alternative.imap)}, SMTP ${describe(alternative.smtp)}\n`;
  }
  return text;
}

export const detectCommand: CliCommand = {
  name: 'detect',
  summary: 'Detect the IMAP/SMTP settings of an address: detect someone@example.com [--json]',
  run: (args) =>
    runDetectCli(args, {
      env: process.env,
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
    }),
};
