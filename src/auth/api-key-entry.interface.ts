/** One client key allowed to call the server. The key itself is not kept, only its digest. */
export interface ApiKeyEntry {
  /** Where the key came from, safe to log: `API_KEYS[0]`, or `development key`. */
  label: string;
  /** SHA-256 of the key. */
  digest: Buffer;
  /** Apps the key may use: `'all'`, or a list of app names. */
  scope: 'all' | readonly string[];
  /**
   * `key:scope:stand-in`: the key is handed an opaque stand-in instead of the real token, which
   * works through the relay only, so the real token never leaves the server.
   */
  standIn?: boolean;
}
