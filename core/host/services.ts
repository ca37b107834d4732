/**
 * What the protocol's procedures may use: the host hands the router this object, not its
 * internals, so the router stays a thin, testable mapping from requests to engine calls.
 */
import type { Clock } from '../model/clock.js';
import type { StepwiseEvent } from '../model/events.js';
import type { JsonObject, TaskRecord } from '../model/runtime.js';
import type { Workspace } from '../model/workspace.js';
import type { Storage } from '../storage/storage.js';
import type { HostControl } from './control.js';
import type { LayoutService } from './layoutService.js';
import type { WorkspaceChange } from './protocol.js';

export interface HostServices {
  /** The workspace as last loaded (reloads replace it). */
  workspace(): Workspace;
  /** The database: absolute path of the SQLite file, or the PostgreSQL URL without its password. */
  readonly database: string;
  readonly storage: Storage;
  /** The engine's clock: the one source of time for anything the protocol reports ("now", reload times). */
  readonly clock: Clock;
  /** Creates a task (input validated against the template's schema) and lets the engine run it. */
  startTask(ref: string, input: JsonObject): Promise<TaskRecord>;
  /**
   * Delivers every persisted event with seq > fromSeq, in order, without gaps or duplicates,
   * then live ones as they are committed; returns a function that stops delivery.
   */
  followEvents(fromSeq: number, onEvent: (event: StepwiseEvent) => void): () => void;
  /** Called after each workspace reload; returns an unsubscribe function. */
  onWorkspaceChanged(listener: (change: WorkspaceChange) => void): () => void;
  /** The last reload, or null before the first change. */
  lastWorkspaceChange(): WorkspaceChange | null;
  /** Operations and debugger over the host's engine (issue 7); absent in engine-less test hosts. */
  control?: HostControl;
  /** The owner id of the host's own engine loop (its heartbeat), or null when the host runs none. */
  engineOwner?: string | null;
  /** Graph layouts, computed off the event loop and cached next to the database; absent in test hosts without one. */
  layouts?: LayoutService;
}
