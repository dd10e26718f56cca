import { it } from 'vitest';
it.todo('secrets');
