// Payload types, taken from the Go structs through the Wails-generated
// models (the one place they are mirrored), reduced to plain data: the
// generated classes carry helper methods that JSON over HTTP does not.
import type { eventlog, kernel, ollama, studio, workspace } from '../../wailsjs/go/models';

type AnyFn = (...args: never[]) => unknown;

/** Data strips methods from a generated model type, recursively. */
export type Data<T> = T extends readonly (infer U)[]
  ? Data<U>[]
  : T extends object
    ? { [K in keyof T as T[K] extends AnyFn ? never : K]: Data<T[K]> }
    : T;

export type OllamaStatus = Data<ollama.Status>;
export type RecentFolder = Data<workspace.RecentFolder>;
export type Info = Data<studio.Info>;
export type Workspace = Data<studio.Workspace>;
export type StartupResponse = Data<studio.StartupResponse>;
export type DirEntry = Data<workspace.Entry>;
export type Listing = Data<workspace.Listing>;
export type EventRow = Data<studio.EventRow>;
export type EventDetail = Data<studio.EventDetail>;
export type EventFilter = Data<studio.EventFilter>;
export type EventPage = Data<studio.EventPage>;
export type EventFacets = Data<studio.EventFacets>;
export type VerifyReport = Data<eventlog.VerifyReport>;
export type RunInfo = Data<kernel.RunInfo>;
export type RunDetail = Data<studio.RunDetail>;
export type FileChange = Data<studio.FileChange>;
export type RunOptions = Data<studio.RunOptions>;
export type FileContent = Data<studio.FileContent>;
export type BlobText = Data<studio.BlobText>;
