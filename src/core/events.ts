// A minimal event emitter in the shape of VS Code's Event<T>: subscribe, get a Disposable.
import type { Disposable, Listener } from './types';

export class Emitter<T> implements Disposable {
  private listeners = new Set<Listener<T>>();

  /** Subscribes; the returned Disposable unsubscribes. */
  readonly event = (listener: Listener<T>): Disposable => {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  };

  get hasListeners(): boolean {
    return this.listeners.size > 0;
  }

  /** Calls every listener; one that throws does not stop the others. */
  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
