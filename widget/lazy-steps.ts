import type * as Later from './steps/later.js';

export type LaterSteps = typeof Later;

let loaded: LaterSteps | undefined;
let loading: Promise<LaterSteps> | undefined;

/** The later steps when their chunk has arrived, else `undefined`. */
export const laterSteps = (): LaterSteps | undefined => loaded;

/**
 * Fetches the later steps' chunk once (a failed fetch may be tried again). The script-tag file
 * stays small because the first step needs none of this.
 */
export function loadLaterSteps(): Promise<LaterSteps> {
  loading ??= import('./steps/later.js').then(
    (module) => (loaded = module),
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}
