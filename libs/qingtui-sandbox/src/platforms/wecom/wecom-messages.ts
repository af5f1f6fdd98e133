import { FixedWindowCounter, hourWindow, minuteWindow } from '../../shared/fixed-window-counter.js';
import { platformError, type PlatformError } from '../../shared/platform-error.js';
import { canonicalJson, PushLog } from '../../shared/push-log.js';
import { WecomDirectories } from './wecom-directory.js';
import { WECOM_ERRORS as E, WECOM_OK } from './wecom-errors.js';
import { checkWecomSend } from './wecom-message-checks.js';
import type { ResolvedWecomApp, ResolvedWecomRules } from './wecom.options.js';

/** How long a message can be recalled, in ms (24 h). */
export const RECALL_WINDOW_MS = 24 * 3600 * 1000;

/** The answer of an accepted `message/send`. */
export interface WecomSendAnswer {
  errcode: 0;
  errmsg: 'ok';
  invaliduser: string;
  invalidparty: string;
  invalidtag: string;
  unlicenseduser: string;
  msgid: string;
}

interface SentMessage {
  readonly appKey: string;
  readonly at: number;
  recalled: boolean;
}

interface DuplicateEntry {
  readonly until: number;
  readonly answer: WecomSendAnswer;
  readonly recipients: readonly string[];
}

/**
 * WeCom's `message/send` and `message/recall`: recipients resolved through the
 * company directory, `enable_duplicate_check` by request JSON, the per-member
 * limits per app (beyond them the member is silently skipped), and a record
 * of what was delivered and dropped.
 */
export class WecomMessages {
  readonly log = new PushLog('wecom');
  readonly directories = new WecomDirectories();
  private readonly minute: FixedWindowCounter;
  private readonly hour: FixedWindowCounter;
  /** app key → canonical request JSON → the first answer, while the interval lasts. */
  private readonly duplicates = new Map<string, Map<string, DuplicateEntry>>();
  /** msgid → the message, for recall (also those that reached nobody). */
  private readonly sent = new Map<string, SentMessage>();

  constructor(
    private readonly apps: ReadonlyMap<string, ResolvedWecomApp>,
    private readonly rules: ResolvedWecomRules,
    private readonly now: () => number,
  ) {
    this.minute = new FixedWindowCounter(now, minuteWindow);
    this.hour = new FixedWindowCounter(now, hourWindow);
  }

  /** `POST /cgi-bin/message/send`, once the token is known to be the app's. */
  send(app: ResolvedWecomApp, json: Record<string, unknown>): WecomSendAnswer | PlatformError {
    const corpAgents = [...this.apps.values()]
      .filter((other) => other.corpId === app.corpId)
      .map((other) => other.agentId);
    const checked = checkWecomSend(json, app.agentId, corpAgents);
    if ('errcode' in checked) return checked;
    const at = this.now();
    const canonical = checked.duplicateCheckMs === undefined ? undefined : canonicalJson(json);
    const duplicate =
      canonical === undefined ? undefined : this.duplicateOf(app.key, canonical, at);
    if (duplicate !== undefined) {
      this.log.drop({
        appKey: app.key,
        msgId: duplicate.answer.msgid,
        api: 'wecom-message',
        reason: 'duplicate-check',
        recipients: [...duplicate.recipients],
        at,
      });
      return duplicate.answer;
    }
    const resolved = this.directories.resolve(app.corpId, checked.recipients);
    if (resolved.members.length === 0) return E.allRecipientsInvalid;
    const msgid = PushLog.newStringId();
    const recipients = this.admitWithinLimits(app.key, msgid, resolved.members, at);
    const answer: WecomSendAnswer = {
      ...WECOM_OK,
      invaliduser: resolved.invalidUsers.join('|'),
      invalidparty: resolved.invalidParties.join('|'),
      invalidtag: resolved.invalidTags.join('|'),
      unlicenseduser: resolved.unlicensed.join('|'),
      msgid,
    };
    this.sent.set(msgid, { appKey: app.key, at, recalled: false });
    if (recipients.length > 0) {
      this.log.record({
        appKey: app.key,
        msgId: msgid,
        api: 'wecom-message',
        msgtype: checked.msgtype,
        recipients,
        body: json,
        at,
      });
    }
    if (canonical !== undefined && checked.duplicateCheckMs !== undefined) {
      this.duplicatesOf(app.key).set(canonical, {
        until: at + checked.duplicateCheckMs,
        answer,
        recipients,
      });
    }
    return answer;
  }

  /**
   * `POST /cgi-bin/message/recall {msgid}`: the app's message, within 24 h of
   * its send. Missing, unknown (or another app's), already recalled or too
   * old: 40058 with the reason in errmsg.
   */
  recall(app: ResolvedWecomApp, json: Record<string, unknown>): PlatformError {
    const { msgid } = json;
    if (typeof msgid !== 'string' || msgid === '') {
      return platformError(E.invalidParameter, 'msgid is required');
    }
    const message = this.sent.get(msgid);
    if (message === undefined || message.appKey !== app.key) {
      return platformError(E.invalidParameter, 'invalid msgid');
    }
    if (message.recalled) return platformError(E.invalidParameter, 'msgid already recalled');
    const now = this.now();
    if (now - message.at > RECALL_WINDOW_MS) {
      return platformError(E.invalidParameter, 'a message can be recalled within 24 hours only');
    }
    message.recalled = true;
    const delivery = this.log.find(app.key, msgid);
    if (delivery !== undefined) delivery.recalledAt = now;
    return { ...WECOM_OK };
  }

  reset(): void {
    this.log.clear();
    this.directories.reset();
    this.minute.reset();
    this.hour.reset();
    this.duplicates.clear();
    this.sent.clear();
  }

  /** The members within the app's per-member limits, each charged; the others are recorded as drops. */
  private admitWithinLimits(
    appKey: string,
    msgId: string,
    members: readonly string[],
    at: number,
  ): string[] {
    const { messagesPerMemberMinute: perMinute, messagesPerMemberHour: perHour } = this.rules;
    const admitted: string[] = [];
    const dropped = { 'minute-limit': [] as string[], 'hour-limit': [] as string[] };
    for (const member of members) {
      const key = `${appKey}\n${member}`;
      if (this.minute.used(key) >= perMinute) dropped['minute-limit'].push(member);
      else if (this.hour.used(key) >= perHour) dropped['hour-limit'].push(member);
      else {
        this.minute.tryTake(key, perMinute);
        this.hour.tryTake(key, perHour);
        admitted.push(member);
      }
    }
    for (const reason of ['minute-limit', 'hour-limit'] as const) {
      const recipients = dropped[reason];
      if (recipients.length === 0) continue;
      this.log.drop({ appKey, msgId, api: 'wecom-message', reason, recipients, at });
    }
    return admitted;
  }

  private duplicateOf(appKey: string, canonical: string, at: number): DuplicateEntry | undefined {
    const entry = this.duplicates.get(appKey)?.get(canonical);
    if (entry === undefined) return undefined;
    if (at < entry.until) return entry;
    this.duplicates.get(appKey)?.delete(canonical);
    return undefined;
  }

  private duplicatesOf(appKey: string): Map<string, DuplicateEntry> {
    let map = this.duplicates.get(appKey);
    if (map === undefined) {
      map = new Map();
      this.duplicates.set(appKey, map);
    }
    return map;
  }
}
