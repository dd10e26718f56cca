/**
 * Pacing of token-endpoint requests (DESIGN.md "Token refresh at scale"): the shared per-provider
 * budget in the database, the per-instance concurrency cap with hosts first, and back-off.
 */
export { TokenPace, NoSlotError, type TokenPaceOptions } from './token-pace.js';
export { PriorityGate, type RefreshPriority } from './gate.js';
export { jitteredBackoff, parseRetryAfter } from './backoff.js';
