#!/usr/bin/env node
// `npx email-config-wizard <command>`: Node 20 cannot run TypeScript itself, so tsx is loaded first.
import { register } from 'tsx/esm/api';

register();
await import('../cli.ts');
