/**
 * Detection: from an email address to the IMAP and SMTP settings (and OAuth provider) that fit.
 * The HTTP route and the CLI share `createDetector`.
 */
import { ConfigError } from '../config/index.js';

export { createDetector, type Detector, type DetectorOptions, type DetectOptions } from './detector.js';
export { normaliseEmail, InvalidEmailError, type NormalisedEmail } from './address.js';
export { parseAutoconfig, type AutoconfigDocument } from './autoconfig-xml.js';
export { probeMailServer, type ProbeTarget } from './probe.js';
export type {
  DetectionResult,
  DetectionAlternative,
  DetectedProvider,
  DetectionProgress,
  DetectionSource,
  MailServer,
  Confidence,
  SourceName,
} from './types.js';

/**
 * Detector settings read from the environment: `EMAIL_WIZARD_ISPDB_URL` (a remote ISPDB base
 * URL such as `https://autoconfig.thunderbird.net/v1.1/`; unset = off) and
 * `EMAIL_WIZARD_DETECT_TIMEOUT_MS` (the pipeline's deadline, default 3000).
 */
export function detectorOptionsFromEnv(env: Record<string, string | undefined>): { ispdbUrl?: string; deadlineMs?: number } {
  const ispdbUrl = env.EMAIL_WIZARD_ISPDB_URL?.trim() || undefined;
  if (ispdbUrl && !/^https?:\/\/[^/]+/i.test(ispdbUrl)) {
    throw new ConfigError(`EMAIL_WIZARD_ISPDB_URL must be an http:// or https:// URL, not "${ispdbUrl}".`);
  }
  const rawDeadline = env.EMAIL_WIZARD_DETECT_TIMEOUT_MS?.trim();
  const deadlineMs = rawDeadline ? Number(rawDeadline) : undefined;
  if (deadlineMs !== undefined && (!Number.isInteger(deadlineMs) || deadlineMs < 100 || deadlineMs > 60_000)) {
    throw new ConfigError(`EMAIL_WIZARD_DETECT_TIMEOUT_MS must be a whole number of milliseconds from 100 to 60000, not "${rawDeadline}".`);
  }
  return { ...(ispdbUrl ? { ispdbUrl } : {}), ...(deadlineMs ? { deadlineMs } : {}) };
}
