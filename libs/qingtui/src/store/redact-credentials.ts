/** Error texts of the Redis client may quote the URL, password included: keep the host only. */
export function redactCredentials(message: string): string {
  return message.replace(/(rediss?:\/\/)[^@\s]*@/gi, '$1***@');
}
