import { PLATFORM_ERRORS as E, PLATFORM_OK, platformError } from './qingtui-errors.js';
import type { ApiRequest, ApiRoute } from './qingtui-route.js';

/** Largest `page_size` of `/v1/app/followers`. */
const FOLLOWERS_MAX_PAGE_SIZE = 100;

/**
 * openid of a user: the follower `openid-<userId>`. A user who does not
 * follow the app has no openid for it.
 */
function openIdOfUser(userId: string): string {
  return `openid-${userId}`;
}

/** `GET /v1/app/followers` and `GET /team/member/openid/get`. */
export function directoryRoutes(): Record<string, ApiRoute> {
  return {
    '/v1/app/followers': { kind: 'api', method: 'GET', body: 'none', handle: followers },
    '/team/member/openid/get': { kind: 'api', method: 'GET', body: 'none', handle: openIdOf },
  };
}

function followers({ app, query }: ApiRequest): object {
  const pageSize = intParam(query, 'page_size', FOLLOWERS_MAX_PAGE_SIZE);
  const page = intParam(query, 'request_page', 1);
  if (pageSize === undefined || pageSize < 1 || pageSize > FOLLOWERS_MAX_PAGE_SIZE) {
    return platformError(E.invalidParameter, `page_size must be 1 to ${FOLLOWERS_MAX_PAGE_SIZE}`);
  }
  if (page === undefined || page < 1) {
    return platformError(E.invalidParameter, 'request_page starts at 1');
  }
  const start = (page - 1) * pageSize;
  const total = app.followers.length;
  return {
    ...PLATFORM_OK,
    followers: app.followers.slice(start, start + pageSize),
    hasMore: start + pageSize < total,
    totalCount: total,
  };
}

function openIdOf({ app, query }: ApiRequest): object {
  // Two client dialects: user_id (C#/PHP) and accountId (Java SDK).
  const userId = query.get('user_id') || query.get('accountId');
  if (!userId) return platformError(E.invalidParameter, 'user_id is required');
  const openId = openIdOfUser(userId);
  return app.followerSet.has(openId) ? { ...PLATFORM_OK, open_id: openId } : E.userNotFound;
}

function intParam(query: URLSearchParams, name: string, fallback: number): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  return Number.isInteger(value) ? value : undefined;
}
