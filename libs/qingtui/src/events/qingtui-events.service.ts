import { Logger } from '@nestjs/common';
import type { QingtuiEventName } from './qingtui-event-names.js';
import type { QingtuiEventInput, QingtuiEventMap } from './qingtui-events.interface.js';

/** A listener of one event. May be async: a rejection is caught and logged like a throw. */
export type QingtuiEventListener<K extends QingtuiEventName> = (
  event: QingtuiEventMap[K],
) => unknown;

/** A listener of every event. */
export type QingtuiAnyEventListener = (
  name: QingtuiEventName,
  event: QingtuiEventMap[QingtuiEventName],
) => unknown;

type AnyListener = (event: never) => unknown;

/**
 * The library's lifecycle events: inject `QingtuiEvents` and subscribe.
 *
 * ```ts
 * constructor(events: QingtuiEvents) {
 *   events.on(QINGTUI_EVENTS.renewalFailed, (e) => alert(`${e.app}: ${e.error.errmsg}`));
 * }
 * ```
 *
 * Each event fires once per occurrence, carries `app` and `platform`, and never a token or a
 * secret. Listeners run synchronously where the event happens (do slow work asynchronously); one
 * that throws or rejects is logged once and never disturbs the token lifecycle or the other
 * listeners. When the application has `@nestjs/event-emitter` (`EventEmitterModule.forRoot()`),
 * every event is also emitted there under the same name, for `@OnEvent(...)` handlers.
 *
 * A small emitter of its own rather than Node's `EventEmitter`: typed payloads, no `error`-event
 * semantics (a failing listener must not throw into a renewal), and a free fast path when
 * nobody listens (platform calls are frequent).
 */
export class QingtuiEvents {
  private readonly logger = new Logger('QingtuiEvents');
  private readonly listeners = new Map<QingtuiEventName, Set<AnyListener>>();
  private readonly anyListeners = new Set<QingtuiAnyEventListener>();
  private readonly failed = new WeakSet<object>();

  /** @param platformOf the platform of an app, by name */
  constructor(private readonly platformOf: (app: string) => string) {}

  /** Calls `listener` with every `name` event; returns a function that unsubscribes it. */
  on<K extends QingtuiEventName>(name: K, listener: QingtuiEventListener<K>): () => void {
    let set = this.listeners.get(name);
    if (set === undefined) this.listeners.set(name, (set = new Set()));
    set.add(listener);
    return () => this.off(name, listener);
  }

  /** Calls `listener` with the next `name` event only. */
  once<K extends QingtuiEventName>(name: K, listener: QingtuiEventListener<K>): () => void {
    const off = this.on(name, (event) => {
      off();
      return listener(event);
    });
    return off;
  }

  /** Unsubscribes a listener given to `on`. */
  off<K extends QingtuiEventName>(name: K, listener: QingtuiEventListener<K>): void {
    this.listeners.get(name)?.delete(listener);
  }

  /** Calls `listener` with every event of every name; returns a function that unsubscribes it. */
  onAny(listener: QingtuiAnyEventListener): () => void {
    this.anyListeners.add(listener);
    return () => this.anyListeners.delete(listener);
  }

  /**
   * Fires an event: adds the app's `platform` and the time, then calls the listeners.
   * @internal Called by the library only.
   */
  emit<K extends QingtuiEventName>(name: K, input: QingtuiEventInput<K>): void {
    const listeners = this.listeners.get(name);
    if ((listeners === undefined || listeners.size === 0) && this.anyListeners.size === 0) return;
    const event = deepFreeze({
      ...input,
      platform: this.platformOf(input.app),
      at: new Date().toISOString(),
    }) as unknown as QingtuiEventMap[K];
    for (const listener of [...(listeners ?? [])]) {
      this.deliver(name, listener, () => (listener as QingtuiEventListener<K>)(event));
    }
    for (const listener of [...this.anyListeners]) {
      this.deliver(name, listener, () => listener(name, event));
    }
  }

  private deliver(name: QingtuiEventName, listener: object, call: () => unknown): void {
    try {
      const result = call();
      if (result instanceof Promise)
        result.catch((error: unknown) => this.failedListener(name, listener, error));
    } catch (error) {
      this.failedListener(name, listener, error);
    }
  }

  private failedListener(name: QingtuiEventName, listener: object, error: unknown): void {
    if (this.failed.has(listener)) return;
    this.failed.add(listener);
    this.logger.warn(
      `A listener of ${name} failed (${error instanceof Error ? error.message : String(error)}); ` +
        'the token lifecycle goes on. Logged once per listener',
    );
  }
}

function deepFreeze<T extends object>(value: T): T {
  for (const inner of Object.values(value)) {
    if (inner !== null && typeof inner === 'object') deepFreeze(inner as object);
  }
  return Object.freeze(value);
}
