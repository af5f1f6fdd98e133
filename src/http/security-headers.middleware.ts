import type { NextFunction, Request, Response } from 'express';

/**
 * Headers of every answer: no MIME sniffing of JSON, and nothing cached by a proxy or a browser
 * (tokens and health are only ever valid now).
 */
export function securityHeaders(_request: Request, response: Response, next: NextFunction): void {
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Cache-Control', 'no-store');
  next();
}
