/**
 * The contract's one home (DESIGN.md): the zod schemas of every payload, the types inferred from
 * them, and the closed code lists. Routes validate and document with these schemas, services
 * speak these types, and the widget imports the types (`import type`: nothing of zod reaches
 * its bundle). A topic per file; this index re-exports them all.
 */
export * from './codes.js';
export * from './errors.js';
export * from './error-body.js';
export * from './email-shape.js';
export * from './email.js';
export * from './mail-server.js';
export * from './settings.js';
export * from './test-result.js';
export * from './detection.js';
export * from './credentials.js';
export * from './oauth.js';
export * from './events.js';
