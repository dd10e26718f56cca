/** The settings contract lives in server/contract/ (one home for every payload shape); this file re-exports it for settings code. */
export { EmailSchema } from '../contract/email.js';
export { HostSchema, MailServerSchema, PortSchema, SecuritySchema, UsernameSchema, type MailServer } from '../contract/mail-server.js';
export type { Security } from '../contract/codes.js';
export {
  AuthSchema,
  LastTestSchema,
  OAuthAuthSchema,
  PasswordAuthSchema,
  SettingsInputSchema,
  SettingsViewSchema,
  type LastTest,
  type SettingsInput,
  type SettingsView,
} from '../contract/settings.js';
export { ProtocolResultSchema, TestErrorSchema, TestPhaseSchema } from '../contract/test-result.js';
