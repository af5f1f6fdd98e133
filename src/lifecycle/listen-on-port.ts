import type { Server } from 'node:http';
import { ConfigValidationError } from '../config/config-validation.error.js';

/**
 * Binds `server` to `port` (all interfaces). Called before the application is initialised, so
 * that a busy port stops the start-up before any token is fetched: in real mode a second server
 * fetching a token would kill the refresh_token of the one already running.
 * @throws ConfigValidationError naming `PORT` when the port is taken or needs privileges
 */
export function listenOnPort(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(portError(port, error));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port);
  });
}

function portError(port: number, error: NodeJS.ErrnoException): Error {
  switch (error.code) {
    case 'EADDRINUSE':
      return new ConfigValidationError(
        'PORT',
        `${port} is already in use by another process: set PORT to a free port (PORT=0 picks one)`,
      );
    case 'EACCES':
      return new ConfigValidationError(
        'PORT',
        `${port} needs privileges this process does not have: set PORT to a port above 1023`,
      );
    default:
      return error;
  }
}
