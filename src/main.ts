import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { startServer } from './app.factory.js';
import { describeEnvFile, readEnvFile } from './config/env-file.js';

// `npm start` and `npm run start:dev` pass --dotenv: `.env` is read, the environment winning.
if (process.argv.includes('--dotenv')) {
  new Logger('Bootstrap').log(describeEnvFile(readEnvFile('.env')));
}

startServer(process.env, { shutdownHooks: true }).catch((error: unknown) => {
  // A configuration error is one line naming the variable; anything else keeps its stack.
  const logger = new Logger('Bootstrap');
  if (error instanceof Error && error.name === 'ConfigValidationError') logger.error(error.message);
  else
    logger.error(
      'The server could not start',
      error instanceof Error ? error.stack : String(error),
    );
  // Exit now: an embedded sandbox or a half-started app could keep the process alive.
  process.exit(1);
});
