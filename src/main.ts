import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { startServer } from './app.factory.js';

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
