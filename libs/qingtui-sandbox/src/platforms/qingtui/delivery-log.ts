import { randomBytes } from 'node:crypto';

/** Message types the platform can send. */
export type MessageType =
  'text' | 'image' | 'file' | 'rich' | 'card' | 'textCard' | 'keyValue' | 'news' | 'process';

/** Who a send addresses: one follower, a list, all followers, or a group chat. */
export type DeliveryTarget = 'single' | 'mass' | 'service' | 'channel';

/**
 * A message the platform accepted. A process (to-do) message gets one
 * Delivery per recipient, since each recipient's to-do has its own msg id and
 * is completed separately.
 */
export interface Delivery {
  /** The msg id the platform answered with. */
  msgId: string;
  appId: string;
  type: MessageType;
  target: DeliveryTarget;
  /** openids (duplicates kept: they are sent to twice), or `['channel:<id>']`. */
  recipients: string[];
  /** The `message` object of the request, as sent. */
  message: Record<string, unknown>;
  /** Acceptance time, epoch ms. */
  at: number;
  /** Process messages only: when `/v1/message/process/complete` was called, epoch ms. */
  completedAt?: number;
}

/** Every message the platform accepted, in order, indexed by msg id. */
export class DeliveryLog {
  private readonly list: Delivery[] = [];
  private readonly byId = new Map<string, Delivery>();

  /** A fresh msg id. */
  static newMsgId(): string {
    return randomBytes(12).toString('hex');
  }

  record(delivery: Delivery): void {
    this.list.push(delivery);
    this.byId.set(delivery.msgId, delivery);
  }

  /** The delivery with this msg id, if it belongs to the app. */
  find(appId: string, msgId: string): Delivery | undefined {
    const delivery = this.byId.get(msgId);
    return delivery?.appId === appId ? delivery : undefined;
  }

  /** Copies of the deliveries, of one app or of all. */
  all(appId?: string): Delivery[] {
    const selected = appId === undefined ? this.list : this.list.filter((d) => d.appId === appId);
    return selected.map((d) => ({ ...d, recipients: [...d.recipients] }));
  }

  clear(): void {
    this.list.length = 0;
    this.byId.clear();
  }
}
