import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { QingtuiEventName } from './qingtui-event-names.js';
import { QingtuiEvents } from './qingtui-events.service.js';

/** Events kept while `@OnEvent` handlers are not registered yet (start-up); more are dropped. */
const MAX_BUFFERED = 1_000;

interface Emitter {
  emit(name: string, payload: unknown): unknown;
}

/**
 * Re-emits every library event on the application's `EventEmitter2` when the application has
 * `@nestjs/event-emitter` and imports `EventEmitterModule.forRoot()`: `@OnEvent('qingtui.token.renewed')`
 * then works as with any Nest event. The package is an optional peer, loaded only here and only
 * if installed. Events of the start-up (the first renewal) are held until `@OnEvent` handlers are
 * registered (the package's readiness watcher), so that none is lost.
 */
@Injectable()
export class EventEmitterBridge implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('QingtuiEvents');
  private unsubscribe?: () => void;

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly events: QingtuiEvents,
  ) {}

  async onModuleInit(): Promise<void> {
    const pkg = await import('@nestjs/event-emitter').catch(() => undefined);
    if (pkg === undefined) return;
    const emitter = this.find<Emitter>(pkg.EventEmitter2);
    if (emitter === undefined) return;
    const watcher = this.find<{ waitUntilReady(): Promise<void> }>(
      pkg.EventEmitterReadinessWatcher,
    );
    let buffer: [QingtuiEventName, unknown][] | undefined = watcher ? [] : undefined;
    const forward = (name: QingtuiEventName, event: unknown) => {
      try {
        emitter.emit(name, event);
      } catch (error) {
        // EventEmitter2 rethrows a handler's error only when told not to suppress them.
        this.logger.warn(`An @OnEvent('${name}') handler failed: ${(error as Error).message}`);
      }
    };
    this.unsubscribe = this.events.onAny((name, event) => {
      if (buffer === undefined) forward(name, event);
      else if (buffer.length < MAX_BUFFERED) buffer.push([name, event]);
    });
    watcher?.waitUntilReady().then(
      () => {
        const held = buffer ?? [];
        buffer = undefined;
        for (const [name, event] of held) forward(name, event);
      },
      () => (buffer = undefined),
    );
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  private find<T>(token: unknown): T | undefined {
    try {
      return this.moduleRef.get<T>(token as never, { strict: false });
    } catch {
      return undefined;
    }
  }
}
