import { secretMatches } from '../../shared/secret-match.js';
import { PLATFORM_ERRORS as E, platformError } from './qingtui-errors.js';
import type { TokenRoute } from './qingtui-route.js';
import type { QingtuiState } from './qingtui-state.js';

/** Path of the token endpoint. */
const TOKEN_PATH = '/v1/token';
/** Path of the refresh endpoint. */
const REFRESH_PATH = '/auth/autoRefreshToken';

/** `GET /v1/token` and `GET /auth/autoRefreshToken`. */
export function tokenRoutes(state: QingtuiState): Record<string, TokenRoute> {
  return {
    [TOKEN_PATH]: {
      kind: 'token',
      method: 'GET',
      handle: (query) => grantByCredentials(state, query),
    },
    [REFRESH_PATH]: {
      kind: 'refresh',
      method: 'GET',
      handle: (query) => grantByRefresh(state, query),
    },
  };
}

function grantByCredentials(state: QingtuiState, query: URLSearchParams): object {
  const appId = query.get('appid');
  const secret = query.get('secret');
  if (!appId) return E.missingAppId;
  if (!secret) return E.missingSecret;
  if (query.get('grant_type') !== 'client_credential') return E.invalidGrantType;
  const app = state.app(appId);
  if (app === undefined || !secretMatches(app.appSecret, secret)) return E.unauthenticatedApp;
  if (state.limits.tokenCallTooSoon(appId)) {
    return platformError(
      E.rateLimited,
      `${TOKEN_PATH} allows 1 call per ${state.options.tokenIntervalMs} ms`,
    );
  }
  return state.chargeQuota(app) ?? state.tokens.grantByCredentials(appId);
}

function grantByRefresh(state: QingtuiState, query: URLSearchParams): object {
  const refreshToken = query.get('refresh_token');
  if (!refreshToken) return E.missingRefreshToken;
  const appId = state.tokens.usableRefreshToken(refreshToken);
  const app = appId === undefined ? undefined : state.app(appId);
  if (app === undefined) return E.invalidToken;
  return state.chargeQuota(app) ?? state.tokens.grantByRefresh(app.appId);
}
