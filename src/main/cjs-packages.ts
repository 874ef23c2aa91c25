// The CommonJS packages the main thread uses, loaded with require(): an ESM import of a
// CommonJS package makes Node run its export lexer over it, which cost the agent ~6 MB of
// anonymous memory at rest (measured for issue 13). Types still come from the packages.

import { createRequire } from 'node:module';
import type * as ZookeeperModule from 'node-zookeeper-client';
import type * as PiscinaModule from 'piscina';
import type PinoModule from 'pino';
import type * as PromClientModule from 'prom-client';

const require = createRequire(import.meta.url);

export const pino = require('pino') as typeof PinoModule;
export const zookeeper = require('node-zookeeper-client') as typeof ZookeeperModule;
export const Piscina = (require('piscina') as typeof PiscinaModule).Piscina;
/** Only the status server needs prom-client; it loads this module lazily. */
export const loadPromClient = (): typeof PromClientModule => require('prom-client') as typeof PromClientModule;
