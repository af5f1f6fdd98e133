/* Types shared by every platform's app configuration (its folder's `*-app-config.interface.ts`). */

/**
 * Where an AppSecret comes from: the secret itself, or a function read at every credential fetch
 * (so that a rotated secret is picked up without a restart: a vault client, a file re-read...).
 */
export type QingtuiSecret = string | (() => string | Promise<string>);

/**
 * The platform's daily call quota of an app: a number of calls per day, or the edition of seed 000
 * (`free-unverified`: 300, `free-verified`: 2000, `enterprise`: unlimited).
 */
export type QingtuiDailyQuota = number | 'free-unverified' | 'free-verified' | 'enterprise';
