import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { startServer } from './app.factory.js';
import { describeEnvFile, readEnvFile } from './config/env-file.js';
import { ServerLogger } from './logging/server-logger.js';

// `npm start` and `npm run start:dev` pass --dotenv: `.env` is read, the environment winning.
const envFile = process.argv.includes('--dotenv') ? readEnvFile('.env') : undefined;
// Until the application has its own: LOG_LEVEL, LOG_FORMAT and redaction for start-up errors too.
Logger.overrideLogger(ServerLogger.fromEnvironment(process.env));
if (envFile !== undefined) new Logger('Bootstrap').log(describeEnvFile(envFile));

/** Errors that are the configuration's fault: one line naming the variable or option, no stack. */
const CONFIGURATION_ERRORS = ['ConfigValidationError', 'QingtuiConfigError'];

startServer(process.env, { handleSignals: true }).catch((error: unknown) => {
  const logger = new Logger('Bootstrap');
  if (error instanceof Error && CONFIGURATION_ERRORS.includes(error.name)) {
    logger.error(error.message);
  } else {
    logger.error(
      'The server could not start',
      error instanceof Error ? error.stack : String(error),
    );
  }
  // Exit now: an embedded sandbox or a half-started app could keep the process alive.
  process.exit(1);
});
