/**
 * The record of what WeChat and WeCom delivered, and of what they silently
 * did not: the message-push counterpart of the Qingtui delivery log.
 */
import { randomBytes } from 'node:crypto';
import type { PlatformCounters } from './counters.js';

/** The platforms whose message pushes the push log records. */
export type PushPlatform = 'wecom' | 'wechat-mp';

/**
 * The send API a push came through: WeCom `message/send`, or the WeChat
 * template, subscribe (`bizsend`), customer-service and mass-send APIs.
 */
export type PushApi = 'wecom-message' | 'template' | 'subscribe' | 'custom' | 'mass';

/**
 * Why a push the platform answered with errcode 0 did not reach someone:
 * WeCom's per-member limits (30 a minute, 1000 an hour per app), WeCom's
 * `enable_duplicate_check`, WeChat's template `client_msg_id`.
 */
export type PushDropReason = 'minute-limit' | 'hour-limit' | 'duplicate-check' | 'client-msg-id';

/** A message the platform delivered to at least one recipient. */
export interface PushDelivery {
  platform: PushPlatform;
  /** The app key: the appId (WeChat), `"<corpId>/<agentId>"` (WeCom). */
  appKey: string;
  /**
   * The id the platform answered with (WeCom `msgid`, WeChat template `msgid`,
   * mass `msg_id`, as a string). Subscribe and customer-service sends answer
   * no id: the sandbox makes one up, so every delivery has one.
   */
  msgId: string;
  api: PushApi;
  /** WeCom and WeChat custom / mass: the `msgtype`; template and subscribe: the `template_id`. */
  msgtype: string;
  /** Who got it: WeCom userids (lowercase), `party:<id>` / `tag:<id>` without a directory, `@all`; WeChat openids. */
  recipients: string[];
  /** The request JSON, as sent. */
  body: Record<string, unknown>;
  /** Delivery time, epoch ms (sandbox clock). */
  at: number;
  /** WeCom: when `message/recall` recalled it, epoch ms. */
  recalledAt?: number;
}

/** A push the platform accepted (errcode 0) but did not deliver to these recipients. */
export interface PushDrop {
  platform: PushPlatform;
  appKey: string;
  /** The id the accepted answer carried (for a duplicate: the first message's id). */
  msgId: string;
  api: PushApi;
  reason: PushDropReason;
  /** Who did not get it. */
  recipients: string[];
  /** Time of the dropped request, epoch ms (sandbox clock). */
  at: number;
}

/** Filters of {@link PushLog.deliveries} and {@link PushLog.drops}; every field optional. */
export interface PushQuery {
  platform?: PushPlatform;
  appKey?: string;
  msgId?: string;
  /** Only entries that list this recipient. */
  recipient?: string;
  api?: PushApi;
  /** Drops only. */
  reason?: PushDropReason;
}

/** One platform's deliveries and drops, in order. */
export class PushLog {
  private readonly list: PushDelivery[] = [];
  private readonly byId = new Map<string, PushDelivery>();
  private readonly dropList: PushDrop[] = [];

  constructor(private readonly platform: PushPlatform) {}

  /** A fresh string id (WeCom msgid style). */
  static newStringId(): string {
    return randomBytes(18).toString('base64url');
  }

  /** A fresh numeric id (WeChat msgid / msg_id style): an integer of 10 to 15 digits. */
  static newNumericId(): number {
    return 1_000_000_000 + (randomBytes(6).readUIntBE(0, 6) % 999_000_000_000_000);
  }

  record(delivery: Omit<PushDelivery, 'platform'>): PushDelivery {
    const entry: PushDelivery = { platform: this.platform, ...delivery };
    this.list.push(entry);
    this.byId.set(entry.msgId, entry);
    return entry;
  }

  drop(drop: Omit<PushDrop, 'platform'>): void {
    this.dropList.push({ platform: this.platform, ...drop });
  }

  /** How many deliveries and drops are recorded: counters take the difference around a call. */
  get size(): { deliveries: number; drops: number } {
    return { deliveries: this.list.length, drops: this.dropList.length };
  }

  /** The delivery with this id, if it is the app's. */
  find(appKey: string, msgId: string): PushDelivery | undefined {
    const delivery = this.byId.get(msgId);
    return delivery?.appKey === appKey ? delivery : undefined;
  }

  /** Copies of the deliveries that match the query. */
  deliveries(query: PushQuery = {}): PushDelivery[] {
    return this.list
      .filter((d) => matches(d, query))
      .map((d) => ({ ...d, recipients: [...d.recipients] }));
  }

  /** Copies of the drops that match the query. */
  drops(query: PushQuery = {}): PushDrop[] {
    return this.dropList
      .filter((d) => matches(d, query) && (query.reason === undefined || d.reason === query.reason))
      .map((d) => ({ ...d, recipients: [...d.recipients] }));
  }

  clear(): void {
    this.list.length = 0;
    this.byId.clear();
    this.dropList.length = 0;
  }
}

function matches(entry: PushDelivery | PushDrop, query: PushQuery): boolean {
  return (
    (query.platform === undefined || entry.platform === query.platform) &&
    (query.appKey === undefined || entry.appKey === query.appKey) &&
    (query.msgId === undefined || entry.msgId === query.msgId) &&
    (query.api === undefined || entry.api === query.api) &&
    (query.recipient === undefined || entry.recipients.includes(query.recipient))
  );
}

/**
 * Counts what a call added to the log: one `deliveries` per new delivery, one
 * `drops` per new drop.
 * @param before the log's size before the call
 */
export function countPushes(
  counters: PlatformCounters,
  appKey: string | undefined,
  log: PushLog,
  before: { deliveries: number; drops: number },
): void {
  const after = log.size;
  for (let i = before.deliveries; i < after.deliveries; i++) counters.bump(appKey, 'deliveries');
  for (let i = before.drops; i < after.drops; i++) counters.bump(appKey, 'drops');
}

/**
 * The JSON text of a value with object keys sorted at every level: two
 * request bodies are "the same request JSON" when these are equal.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((key) => [key, sortKeys(record[key])]),
  );
}
