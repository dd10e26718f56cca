import type { ApiError, OAuthProvider, ProtocolResult, ProvidersStatus, TestPhase } from '../api.js';
import type { WizardEvent, WizardState } from '../state.js';

/** One detection source's progress as the stream reported it. */
export interface SourceProgress {
  source: string;
  status: 'running' | 'found' | 'none' | 'error';
}

/** A test phase as it streams in: `running` while it has started and not yet ended. */
export type LivePhase = TestPhase & { running?: boolean };

/** What a step renders from and acts through: the element implements it. */
export interface WizardHost {
  readonly state: WizardState;
  readonly localeInUse: string;
  readonly providers: Partial<ProvidersStatus>;
  /** True while the step's asynchronous work (detect, test, save…) runs. */
  readonly busy: boolean;
  /** The last failure to show on this step (`role="alert"`). */
  readonly error: Pick<ApiError, 'code' | 'message' | 'field'> | null;
  readonly sources: SourceProgress[];
  readonly phases: { imap: LivePhase[]; smtp: LivePhase[] };
  /** Each protocol's result as soon as its check ended (the `protocol` stream event), before the whole answer. */
  readonly partial: Partial<Record<'imap' | 'smtp', ProtocolResult>>;
  /** In the OAuth step: the popup was blocked and the page is about to go to the provider. */
  readonly redirecting: boolean;
  readonly confirmingDisconnect: boolean;
  dispatch(event: WizardEvent): void;
  detect(email: string): void;
  startOAuth(provider: OAuthProvider): void;
  cancelOAuth(): void;
  runTest(): void;
  save(final: { fromName: string; checkIntervalSeconds: number; deleteAfterProcessing: boolean }): void;
  askDisconnect(ask: boolean): void;
  disconnect(): void;
  finish(): void;
}
