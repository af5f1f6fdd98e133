import { Logger } from '@nestjs/common';

/*
 * Set-up file of every test project (vitest.config.ts): Nest's logger prints nothing unless a
 * test installs its own (`TestingModule.setLogger(new LogCapture())`, `createApp(env, { logger })`)
 * to assert on what is logged. A passing run then reads as a summary, not as 700 log lines.
 */
Logger.overrideLogger(false);
