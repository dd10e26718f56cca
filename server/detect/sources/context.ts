import type { SafeNetwork } from '../../net/index.js';
import type { NormalisedEmail } from '../address.js';

/** The standard ports of the services detection looks for; tests point them at loopback listeners. */
export interface ServicePorts {
  https: number;
  imaps: number;
  imap: number;
  smtps: number;
  submission: number;
}

export const STANDARD_PORTS: ServicePorts = { https: 443, imaps: 993, imap: 143, smtps: 465, submission: 587 };

export interface MxRecord {
  exchange: string;
  priority: number;
}

/** What every source gets: the network, the address, and the pipeline's shared deadline. */
export interface SourceContext {
  net: SafeNetwork;
  address: NormalisedEmail;
  /** Fires when the pipeline's deadline passes or it has its answer. */
  signal: AbortSignal;
  /** Milliseconds left until the deadline (at least 1). */
  remainingMs(): number;
  ports: ServicePorts;
  /** The domain's MX records, best first: looked up once per run and shared by every source. */
  mx(): Promise<MxRecord[]>;
}

/**
 * Ranks: lower wins. The domain's own published configuration (autoconfig, SRV) comes before
 * anything inferred from its MX; guessing is last.
 */
export const RANK = {
  builtin: 0,
  autoconfig: 1,
  srv: 2,
  mx: 3,
  mxAutoconfig: 4,
  ispdb: 5,
  mxIspdb: 6,
  guess: 7,
} as const;
