/**
 * The `<email-config-wizard>` element (registered on import; importing twice is harmless) and
 * its public types.
 */
export { EmailConfigWizard } from './email-config-wizard.js';
export { ApiError, createApiClient, type ApiClient, type DetectionResult, type TestResult, type SettingsView, type SettingsInput } from './api.js';
export type { Step, WizardState } from './state.js';
export type {
  EmailConfigWizardEventMap,
  EcwStepChangeDetail,
  EcwCompleteDetail,
  EcwErrorDetail,
  EcwCancelDetail,
  EcwStepChangeEvent,
  EcwCompleteEvent,
  EcwErrorEvent,
  EcwCancelEvent,
} from './events.js';
