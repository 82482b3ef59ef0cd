// The settings screen's replication: where the event log is replicated to,
// what the replication is doing and how far the replica is, "Sync now", and
// the form that sets or removes the replica. Passwords and secrets are
// written here and never shown back.
import { useEffect, useRef, useState, type FormEvent, type RefObject } from 'react';
import { api, type ReplicaView } from '../../bridge';
import { store, useStudio } from '../../store';
import { FormError } from '../FormError';
import { attempt } from '../mcp/hooks';
import {
  anchorText,
  emptyForm,
  holdsText,
  kindLabel,
  kindOf,
  lastCopyText,
  missing,
  replicaKinds,
  requestOf,
  stateText,
  stateTone,
  urlPlaceholder,
  type ReplicaForm,
  type ReplicaKind,
} from './replicaFormat';
import { useReplica } from './useReplica';

/** ReplicationSection is the "Replication" section of the settings screen. */
export function ReplicationSection() {
  const { view, error } = useReplica();
  const section = useRef<HTMLElement>(null);
  const kindRef = useRef<HTMLSelectElement>(null);
  // The palette's "Log: replication settings…" (and the status bar item) ask for this section.
  const asked = useStudio((s) => s.settingsSection);
  const shown = view !== null || error !== null;
  useEffect(() => {
    // Once the section has read the replication (the form is there to focus, or the error to read).
    if (asked !== 'replication' || !shown) return;
    section.current?.scrollIntoView?.({ block: 'start' });
    kindRef.current?.focus();
    store.update({ settingsSection: null });
  }, [asked, shown]);
  return (
    <section aria-label="Replication" className="settings-section" ref={section}>
      <h2>Replication</h2>
      <p className="setting-help muted small">
        The replica is the log&apos;s witness: at start the Studio compares its log with it and opens read-only if the log is shorter or differs;{' '}
        <code>ice-studio verify --against URL</code> checks it on the command line; <code>ice-studio restore --from URL</code> restores.
      </p>
      <FormError error={error} what="replication" />
      {view === null && !error && <p className="muted small">Reading the replication…</p>}
      {view && <ReplicaStatus v={view} />}
      {view && (
        // A new replica (another URL, or none) starts the form afresh; the status read every few seconds does not.
        <ReplicaSettings key={`${view.configured}:${view.url ?? ''}:${view.keyFile ?? ''}`} v={view} kindRef={kindRef} />
      )}
    </section>
  );
}

/** ReplicaStatus is the state with its dot, how far the replica is, the last copy and anchor, and "Sync now". */
function ReplicaStatus({ v }: { v: ReplicaView }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const sync = async () => {
    setBusy(true);
    setError(null);
    setDone(null);
    const r = await attempt(() => api.SyncReplica());
    setBusy(false);
    if (r.ok) {
      store.update({ replica: r.value });
      setDone(`Copied: the replica holds seq ${r.value.seq}.`);
    } else {
      setError(r.error);
    }
  };
  return (
    <div className="replica-status" data-state={v.state}>
      <div className="replica-head">
        <span className={`badge replica-state ${stateTone(v.state)}`} data-testid="replica-state">
          <span className="dot" aria-hidden />
          {stateText(v)}
        </span>
        {v.configured && v.url && <span className="mono replica-url">{v.url}</span>}
      </div>
      {v.state === 'stopped' && v.error && (
        <p className="setting-note error small" data-testid="replica-error">
          {v.error}
        </p>
      )}
      {v.configured && (
        <>
          <ul className="replica-facts small">
            <li data-testid="replica-holds">{holdsText(v)}</li>
            <li data-testid="replica-last-copy">{lastCopyText(v)}</li>
            <li data-testid="replica-anchor">{anchorText(v)}</li>
          </ul>
          <div className="endpoint-actions">
            <button type="button" disabled={busy} title="Copy what the log holds to the replica now, and record the anchor (log.anchored)" onClick={() => void sync()}>
              {busy ? 'Copying…' : 'Sync now'}
            </button>
            {done && (
              <span className="muted small" role="status">
                {done}
              </span>
            )}
          </div>
          <FormError error={error} />
        </>
      )}
    </div>
  );
}

interface SettingsProps {
  v: ReplicaView;
  kindRef: RefObject<HTMLSelectElement | null>;
}

/** ReplicaSettings is the form that sets the replica (Save) or takes it away (Remove, after a confirm). */
function ReplicaSettings({ v, kindRef }: SettingsProps) {
  const [form, setForm] = useState<ReplicaForm>(() => emptyForm(v));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const field = (k: keyof Omit<ReplicaForm, 'kind'>) => ({
    value: form[k],
    disabled: busy,
    spellCheck: false,
    autoComplete: 'off',
    onChange: (ev: { target: { value: string } }) => {
      setForm((f) => ({ ...f, [k]: ev.target.value }));
      setError(null);
    },
  });
  const lack = missing(form);
  const configuredKind = v.configured ? kindOf(v.url) : null;
  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    if (busy || lack) return;
    setBusy(true);
    setError(null);
    const r = await attempt(() => api.SetReplica(requestOf(form)));
    setBusy(false);
    if (!r.ok) return setError(r.error);
    setForm((f) => ({ ...f, password: '', secretAccessKey: '' }));
    store.update({ replica: r.value });
  };
  const remove = async () => {
    setBusy(true);
    setError(null);
    const r = await attempt(() => api.SetReplica({ url: '' }));
    setBusy(false);
    setConfirming(false);
    if (!r.ok) return setError(r.error);
    store.update({ replica: r.value });
  };
  return (
    <form className="endpoint-add replica-form" aria-label="Replica settings" onSubmit={(ev) => void submit(ev)}>
      <h3>{v.configured ? 'Change the replica' : 'Set up a replica'}</h3>
      <div className="replica-fields">
        <label>
          <span>Kind</span>
          <select
            ref={kindRef}
            aria-label="Replica kind"
            value={form.kind}
            disabled={busy}
            onChange={(e) => {
              const kind = replicaKinds.find((k) => k === e.target.value) ?? 'folder';
              setForm((f) => ({ ...f, kind, url: kind === configuredKind ? emptyForm(v).url : '' }));
              setError(null);
            }}
          >
            {replicaKinds.map((k) => (
              <option key={k} value={k}>
                {kindLabel(k)}
              </option>
            ))}
          </select>
        </label>
        <label className="replica-url-field">
          <span>{form.kind === 'folder' ? 'Folder' : 'URL'}</span>
          <input aria-label={form.kind === 'folder' ? 'Replica folder' : 'Replica URL'} className="mono" placeholder={urlPlaceholder(form.kind)} {...field('url')} />
        </label>
        {form.kind === 'sftp' && <SftpFields v={v} field={field} />}
        {form.kind === 's3' && <S3Fields field={field} />}
      </div>
      <p className="setting-help muted small">{helpOf(form.kind, v.configured)}</p>
      <div className="endpoint-actions">
        <button type="submit" className="primary" disabled={busy || lack !== null} title={lack ? `Give ${lack} first` : undefined}>
          {busy && !confirming ? 'Checking…' : 'Save'}
        </button>
        {v.configured && !confirming && (
          <button
            type="button"
            disabled={busy}
            onClick={() => {
              setError(null);
              setConfirming(true);
            }}
          >
            Remove
          </button>
        )}
      </div>
      {confirming && (
        <div className="turn-confirm danger" role="group" aria-label="Remove the replica?">
          <p className="small">
            Stop replicating to {v.url}? What it holds stays where it is; the log is no longer copied, and the Studio no longer checks its log against it at start.
          </p>
          <div className="turn-confirm-actions">
            <button type="button" className="danger" disabled={busy} onClick={() => void remove()}>
              {busy ? 'Removing…' : 'Remove the replica'}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </div>
        </div>
      )}
      <FormError error={error} />
    </form>
  );
}

type Field = (k: keyof Omit<ReplicaForm, 'kind'>) => {
  value: string;
  disabled: boolean;
  spellCheck: boolean;
  autoComplete: string;
  onChange: (ev: { target: { value: string } }) => void;
};

/** SftpFields are an SFTP replica's key file or password; the password is write-only ("password set"). */
function SftpFields({ v, field }: { v: ReplicaView; field: Field }) {
  const set = v.configured && kindOf(v.url) === 'sftp' && v.hasPassword;
  return (
    <>
      <label>
        <span>Key file (optional)</span>
        <input aria-label="SSH key file" className="mono" placeholder="/home/you/.ssh/id_ed25519" {...field('keyFile')} />
      </label>
      <label>
        <span>
          Password (optional){set && <span className="chip replica-secret-set">password set</span>}
        </span>
        <input aria-label="SSH password" type="password" placeholder={set ? 'type it again to keep it' : 'none'} {...field('password')} autoComplete="new-password" />
      </label>
    </>
  );
}

/** S3Fields are an S3-compatible store's endpoint, region and access key; the secret is write-only. */
function S3Fields({ field }: { field: Field }) {
  return (
    <>
      <label>
        <span>Endpoint (empty: Amazon S3)</span>
        <input aria-label="S3 endpoint" className="mono" placeholder="http://127.0.0.1:8333" {...field('endpoint')} />
      </label>
      <label>
        <span>Region (optional)</span>
        <input aria-label="S3 region" placeholder="us-east-1" {...field('region')} />
      </label>
      <label>
        <span>Access key id</span>
        <input aria-label="S3 access key id" className="mono" {...field('accessKeyId')} />
      </label>
      <label>
        <span>Secret access key</span>
        <input aria-label="S3 secret access key" type="password" {...field('secretAccessKey')} autoComplete="new-password" />
      </label>
    </>
  );
}

/** helpOf is the line under the form: what the kind takes, and what Save does to the secrets. */
function helpOf(kind: ReplicaKind, configured: boolean): string {
  const what = {
    folder: 'An absolute folder on another disk or a mounted share (not inside the data folder: that is no witness).',
    sftp: 'sftp://user@host[:port]/path, with an SSH key file or a password.',
    s3: 's3://bucket/path; the endpoint of an S3-compatible store such as SeaweedFS or MinIO, or none for Amazon S3.',
  }[kind];
  const secrets = 'Credentials are kept in settings.json (mode 0600), never in the event log, and never shown again';
  return `${what} ${secrets}${configured ? '; Save replaces the replica, so type them again (empty: none).' : '.'}`;
}
