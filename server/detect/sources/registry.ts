import type { Confidence, SourceName } from '../types.js';
import type { Finding } from '../finding.js';
import type { SourceHooks } from '../scheduler.js';
import { detectByAutoconfigs } from './autoconfig.js';
import { RANK, type SourceContext } from './context.js';
import { detectByGuessing } from './guess.js';
import { detectByIspdbs } from './ispdb.js';
import { detectByMx } from './mx.js';
import { detectBySrv } from './srv.js';

/**
 * One detection source: its progress name, its best rank (lower wins) and confidence, and how
 * it runs. `fallback` sources (guessing) run only while nothing else has answered.
 */
export interface DetectionSourceEntry {
  name: SourceName;
  rank: number;
  confidence: Confidence;
  fallback?: boolean;
  run(ctx: SourceContext, hooks: SourceHooks): Promise<Finding[]>;
}

/** Each run gets the scheduler's per-source signal, so a source cut off stops its own work. */
const withSignal = (ctx: SourceContext, hooks: SourceHooks): SourceContext => ({ ...ctx, signal: AbortSignal.any([ctx.signal, hooks.signal]) });

/**
 * The remote sources, in rank order (the built-in database answers before any of them, without
 * the network). The remote ISPDB is present only when configured.
 *
 * @example runSources(detectionSources({}), ctx, { deadlineMs: 3000, fallbackAfterMs: 1000 })
 */
export function detectionSources(options: { ispdbUrl?: string; preferenceGraceMs?: number }): DetectionSourceEntry[] {
  const sources: DetectionSourceEntry[] = [
    { name: 'autoconfig', rank: RANK.autoconfig, confidence: 'high', run: (ctx, hooks) => detectByAutoconfigs(withSignal(ctx, hooks)) },
    { name: 'srv', rank: RANK.srv, confidence: 'medium', run: (ctx, hooks) => detectBySrv(withSignal(ctx, hooks)) },
    { name: 'mx', rank: RANK.mx, confidence: 'high', run: (ctx, hooks) => detectByMx(withSignal(ctx, hooks), hooks) },
  ];
  const ispdbUrl = options.ispdbUrl;
  if (ispdbUrl) sources.push({ name: 'ispdb', rank: RANK.ispdb, confidence: 'medium', run: (ctx, hooks) => detectByIspdbs(withSignal(ctx, hooks), ispdbUrl) });
  sources.push({ name: 'guess', rank: RANK.guess, confidence: 'low', fallback: true, run: (ctx, hooks) => detectByGuessing(withSignal(ctx, hooks), hooks, options.preferenceGraceMs) });
  return sources;
}
