import { findPlatform } from './platforms.registry.js';

/**
 * Whether a platform's answer `errcode` on a business endpoint means "this access_token is not
 * accepted" (expired, revoked, superseded, missing), as that platform's errcode table says
 * (`classify…Errcode` → `token-invalid`): the one case where renewing the token and sending the
 * call again is right, since the platform refused the call before acting on it. `endpoint` is
 * the path called (some errcodes mean something else on the token endpoints). False for an
 * unknown platform.
 */
export function isTokenRejection(platform: string, errcode: number, endpoint = '/'): boolean {
  const known = findPlatform(platform);
  return known !== undefined && known.classify(errcode, endpoint, '') === 'token-invalid';
}
