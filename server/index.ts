export { createApp, type CreateAppOptions, type EmailWizardApp } from './create-app.js';
export { loadConfig, ConfigError, type Config } from './config/index.js';
export { createLogger, type Logger } from './log/index.js';
export type { SettingsInput, SettingsView, MailServer, Security } from './settings/schema.js';
export type { HostCredentials } from './settings/service.js';
export type { ErrorBody } from './http/errors.js';
export { mountWidgetFiles, loadWidgetFiles, widgetFilesDir, type WidgetFile } from './http/widget-files.js';
