export { createApp, type CreateAppOptions, type EmailWizardApp } from './create-app.js';
export { loadConfig, ConfigError, type Config } from './config/index.js';
export { createLogger, type Logger } from './log/index.js';
export type {
  AccountStatus,
  DetectionResult,
  ErrorBody,
  ErrorCode,
  HostCredentials,
  MailServer,
  MailTestCode,
  OAuthProvider,
  Security,
  SettingsInput,
  SettingsView,
  TestResult,
} from './contract/index.js';
export { mountWidgetFiles, loadWidgetFiles, widgetFilesDir, type WidgetFile } from './http/widget-files.js';
