import type { Request } from 'express';
import type { ApiKeyEntry } from './api-key-entry.interface.js';

const CLIENTS = new WeakMap<Request, ApiKeyEntry>();

/** Remembers the client key the guard accepted for `request`. */
export function setClientOf(request: Request, entry: ApiKeyEntry): void {
  CLIENTS.set(request, entry);
}

/** The client key the guard accepted for `request` (undefined on public routes). */
export function clientOf(request: Request): ApiKeyEntry | undefined {
  return CLIENTS.get(request);
}
