/**
 * Every step after the first, in one chunk of its own: the address step (and the loading state)
 * render without it, and the element fetches it while the person types (`widget/lazy-steps.ts`).
 * A new step that is not the first belongs here, not in a static import of the element.
 */
export { authStep } from './auth.js';
export { doneStep } from './done.js';
export { finalStep } from './final.js';
export { manualStep } from './manual.js';
export { oauthStep } from './oauth.js';
export { overviewStep } from './overview.js';
export { testStep } from './test.js';
export { cancelOAuthFlow, navigateTo, startOAuthFlow, watchOAuthFlow } from '../oauth-flow.js';
export { laterStyles } from '../styles-later.js';
export { disconnectMailbox, runConnectionTest, saveSettings } from '../later-actions.js';
