export { EmailConfigWizard } from './email-config-wizard.js';
