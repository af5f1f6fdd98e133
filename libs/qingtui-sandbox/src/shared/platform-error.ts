/** An error answer of a platform: HTTP 200 with this JSON body. */
export interface PlatformError {
  readonly errcode: number;
  readonly errmsg: string;
}

/** A platform error with a detail appended to the standard message. */
export function platformError(base: PlatformError, detail?: string): PlatformError {
  return detail === undefined
    ? base
    : { errcode: base.errcode, errmsg: `${base.errmsg}: ${detail}` };
}
