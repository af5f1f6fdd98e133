import type { AxiosInstance } from 'axios';

/** Placeholder replaced by the typed client (being written). */
export class QingtuiClient {
  constructor(
    readonly http: AxiosInstance,
    readonly app: string,
  ) {}
}
