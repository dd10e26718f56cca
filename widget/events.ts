import type { Stage, Step, completionDetail } from './state.js';

/**
 * The element's events, typed: every one is a `CustomEvent` that bubbles and crosses the
 * shadow boundary. The global map below makes `addEventListener('ecw-complete', (event) => …)`
 * give `event.detail` its type on the element, on `document` and on any ancestor.
 */

/** `ecw-step-change`: the visible step changed. */
export interface EcwStepChangeDetail {
  step: Step;
  previousStep: Step;
  /** The step indicator's stage, `null` for steps outside the setup (loading, overview). */
  stage: Stage | null;
}

/** `ecw-complete`: the mailbox is connected and the settings are saved. Never holds a secret. */
export type EcwCompleteDetail = ReturnType<typeof completionDetail>;

/** `ecw-error`: a failure shown to the person (or an integration mistake such as `API_NOT_FOUND`). */
export interface EcwErrorDetail {
  code: string;
  message: string;
  step: Step;
}

/** `ecw-cancel`: the person cancelled a sign-in. */
export interface EcwCancelDetail {
  step: Step;
}

export type EcwStepChangeEvent = CustomEvent<EcwStepChangeDetail>;
export type EcwCompleteEvent = CustomEvent<EcwCompleteDetail>;
export type EcwErrorEvent = CustomEvent<EcwErrorDetail>;
export type EcwCancelEvent = CustomEvent<EcwCancelDetail>;

/** Every event of `<email-config-wizard>` by name. */
export interface EmailConfigWizardEventMap {
  'ecw-step-change': EcwStepChangeEvent;
  'ecw-complete': EcwCompleteEvent;
  'ecw-error': EcwErrorEvent;
  'ecw-cancel': EcwCancelEvent;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- declaration merging
  interface GlobalEventHandlersEventMap extends EmailConfigWizardEventMap {}
}
