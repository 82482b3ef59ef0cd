// The capabilities of a workspace: its policy (editable), the grants in
// force (revocable), standing grants the user issues, and the history of
// what was used or refused, each with the reason it was decided so.
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { loadSandboxStatus } from '../../actions';
import { api, errorMessage, Events, on, type CapabilityState, type CapPolicy, type CapRule, type EventRow, type Grant, type SandboxPolicy, type SandboxState } from '../../bridge';
import { store, useStudio } from '../../store';
import { clock, shortId } from '../EventDetail';
import { FormError } from '../FormError';
import { useLoaded } from '../useLoaded';
import { modelScopeText } from '../settings/endpointFormat';
import { useEndpoints } from '../settings/useEndpoints';
import { effects, grantEnd, grantUses, memoryScopes, ruleShadow, scopeEndpoint, scopeFrom, scopeHint, scopeInput, scopeText, time, toolScopeText, type RuleShadow } from './capFormat';
import { WhyLink } from './Why';
import {
  fixedEnv,
  fromLimitsDraft,
  layersOf,
  limitFields,
  parseEnv,
  placeholderOf,
  toLimitsDraft,
  unitsOf,
  type LimitKey,
  type LimitsDraft,
} from '../sandbox/sandboxFormat';

/** historyLimit bounds the decisions the history shows. */
const historyLimit = 50;

/** useThrottled calls fn at most once per ms, trailing. */
function useThrottled(fn: () => void, ms: number): () => void {
  const latest = useRef(fn);
  latest.current = fn;
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  return useCallback(() => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      latest.current();
    }, ms);
  }, [ms]);
}

/** useCapabilities loads a workspace's capability state, kept current. */
function useCapabilities(workspaceId: string) {
  const load = useCallback(() => api.CapabilityState({ workspaceId }), [workspaceId]);
  const { value: state, setValue: setState, error, reload } = useLoaded<CapabilityState | null>(load, null);
  return { state, setState, error, reload };
}

interface Decision {
  row: EventRow;
  kind: string;
  target: string;
  reason: string;
}

/** latestOf reads the newest events of one type in a workspace, newest first. */
async function latestOf(workspace: string, type: string, limit: number): Promise<EventRow[]> {
  const filter = { type, workspace, origin: '', run: '' };
  const head = await api.ListEvents({ filter, offset: 0, limit: 1 });
  const offset = Math.max(0, head.total - limit);
  const page = offset === 0 && head.total <= 1 ? head : await api.ListEvents({ filter, offset, limit });
  return [...(page.rows ?? [])].reverse();
}

/** useHistory loads the latest capability decisions of a workspace. */
function useHistory(workspaceId: string) {
  const payloads = useRef(new Map<number, { kind: string; target: string; reason: string }>());
  const load = useCallback(async (): Promise<Decision[]> => {
    const [used, denied] = await Promise.all([
      latestOf(workspaceId, 'capability.used', historyLimit),
      latestOf(workspaceId, 'capability.denied', historyLimit),
    ]);
    const merged = [...used, ...denied].sort((a, b) => b.seq - a.seq).slice(0, historyLimit);
    return Promise.all(
      merged.map(async (row) => {
        let p = payloads.current.get(row.seq);
        if (!p) {
          const d = await api.GetEvent({ seq: row.seq, id: row.id });
          const j = JSON.parse(d.payload) as Partial<Record<'kind' | 'target' | 'reason', string>>;
          p = { kind: j.kind ?? '', target: j.target ?? '', reason: j.reason ?? '' };
          payloads.current.set(row.seq, p);
        }
        return { row, ...p };
      }),
    );
  }, [workspaceId]);
  const { value: rows, error, reload } = useLoaded<Decision[] | null>(load, null);
  return { rows, error, reload };
}

interface DraftRule {
  key: number;
  kind: string;
  scope: string;
  /** endpoint is the URL typed beside a model.invoke rule's model ('' any endpoint). */
  endpoint: string;
  effect: string;
}

/** usePolicyTime reads when the policy event seq was recorded (0: none). */
function usePolicyTime(seq: number): number {
  const [at, setAt] = useState<{ seq: number; at: number }>({ seq: 0, at: 0 });
  useEffect(() => {
    if (seq === 0) return;
    let live = true;
    api.GetEvent({ seq, id: '' }).then(
      (d) => live && setAt({ seq, at: d.at }),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [seq]);
  return at.seq === seq ? at.at : 0;
}

let nextKey = 1;
const toDraft = (r: CapRule): DraftRule => ({ key: nextKey++, kind: r.kind, scope: scopeInput(r.kind, r.scope), endpoint: scopeEndpoint(r.kind, r.scope), effect: r.effect });
const fromDraft = (d: DraftRule): CapRule => ({ kind: d.kind, scope: scopeFrom(d.kind, d.scope, d.endpoint), effect: d.effect });

/** endpointListId is the id of the datalist of the configured endpoints' URLs, rendered once by the panel. */
const endpointListId = 'cap-endpoint-urls';

interface ScopeFieldProps {
  kind: string;
  value: string;
  onChange: (v: string) => void;
  label: string;
  /** endpoint and onEndpoint edit a model.invoke scope's endpoint URL. */
  endpoint?: string;
  onEndpoint?: (v: string) => void;
}

function ScopeField({ kind, value, onChange, label, endpoint = '', onEndpoint }: ScopeFieldProps) {
  if (kind === 'memory.write')
    return (
      <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
        {memoryScopes.map((m) => (
          <option key={m} value={m}>
            {m === '*' ? 'any memory' : m}
          </option>
        ))}
      </select>
    );
  const input = <input aria-label={label} className="mono" value={value} placeholder={scopeHint(kind)} onChange={(e) => onChange(e.target.value)} spellCheck={false} autoComplete="off" />;
  // A model.invoke scope is a model on an endpoint (its URL, as the run's inference.request names it).
  if (kind === 'model.invoke' && onEndpoint)
    return (
      <span className="cap-tool-scope cap-model-scope">
        {input}
        <input
          aria-label={`Endpoint of ${label.charAt(0).toLowerCase()}${label.slice(1)}`}
          className="mono"
          value={endpoint}
          list={endpointListId}
          placeholder="endpoint URL, e.g. http://gpu-box:11434 (empty: any)"
          onChange={(e) => onEndpoint(e.target.value)}
          spellCheck={false}
          autoComplete="off"
        />
        {(value.trim() !== '' || endpoint.trim() !== '') && (
          <span className="muted small" data-testid="scope-words">
            {modelScopeText(value, endpoint)}
          </span>
        )}
      </span>
    );
  // An MCP tool scope is terse ("github/* /repo=ice/*"): it is said in words under it.
  if (kind === 'mcp.call')
    return (
      <span className="cap-tool-scope">
        {input}
        {value.trim() !== '' && (
          <span className="muted small" data-testid="scope-words">
            {toolScopeText(scopeFrom(kind, value))}
          </span>
        )}
      </span>
    );
  return input;
}

function KindSelect({ kinds, value, onChange, label }: { kinds: string[]; value: string; onChange: (v: string) => void; label: string }) {
  return (
    <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
      {(kinds.includes(value) ? kinds : [value, ...kinds]).map((k) => (
        <option key={k} value={k}>
          {k}
        </option>
      ))}
    </select>
  );
}

/** SandboxDraft is the Commands part of the policy as the user edits it. */
interface SandboxDraft {
  limits: LimitsDraft;
  /** env is the extra variable names as typed. */
  env: string;
  unsandboxed: boolean;
}

const toSandboxDraft = (p: SandboxPolicy | undefined): SandboxDraft => ({
  limits: toLimitsDraft(p?.limits),
  env: (p?.env ?? []).join(', '),
  unsandboxed: p?.unsandboxed ?? false,
});

/** fromSandboxDraft is the policy's sandbox part, or what is wrong with the draft. */
function fromSandboxDraft(d: SandboxDraft): { sandbox: SandboxPolicy } | { error: string } {
  const l = fromLimitsDraft(d.limits);
  if ('error' in l) return l;
  const env = parseEnv(d.env);
  return { sandbox: { limits: l.limits, ...(env.length > 0 ? { env } : {}), ...(d.unsandboxed ? { unsandboxed: true } : {}) } };
}

const limitLabels: Record<LimitKey, string> = {
  cpuTimeMs: 'CPU time',
  memoryBytes: 'Memory',
  processes: 'Processes',
  wallClockMs: 'Wall clock',
  outputBytes: 'Output',
};

/** MachineSandbox says what this machine's sandbox can do. */
function MachineSandbox({ st }: { st: SandboxState | null }) {
  if (!st) return <p className="muted small">Checking the command sandbox…</p>;
  if (!st.available)
    return (
      <div className="cap-sandbox-state warn" data-testid="machine-sandbox">
        <strong>Sandbox unavailable</strong>: {st.reason || 'commands cannot be sandboxed on this machine'}. No command can run until it is (or unless the workspace runs them unsandboxed).
        {st.hint && <div className="small">{st.hint}</div>}
      </div>
    );
  return (
    <div className="cap-sandbox-state" data-testid="machine-sandbox">
      <span className="ok">Sandbox: {st.mode}</span>
      {layersOf(st).map((l) => (
        <span key={l} className="chip">
          {l}
        </span>
      ))}
      <span className="muted small">
        {' '}
        user namespaces {st.userNs ? 'yes' : 'no'} · overlayfs {st.overlay ? 'yes' : 'no'} · FUSE {st.fuse ? 'yes' : 'no'}
      </span>
      {st.hint && <div className="muted small">{st.hint}</div>}
    </div>
  );
}

/** SandboxFields edits how the workspace runs commands; saved with the rest of the policy. */
function SandboxFields({ draft, onChange }: { draft: SandboxDraft; onChange: (d: SandboxDraft) => void }) {
  const machine = useStudio((s) => s.sandbox);
  const [confirming, setConfirming] = useState(false);
  useEffect(() => {
    if (!store.get().sandbox) void loadSandboxStatus();
  }, []);
  const setLimit = (key: LimitKey, p: Partial<LimitsDraft[LimitKey]>) => onChange({ ...draft, limits: { ...draft.limits, [key]: { ...draft.limits[key], ...p } } });
  return (
    <fieldset className="cap-sandbox" aria-label="Commands">
      <h4>Commands</h4>
      <MachineSandbox st={machine} />
      <p className="muted small">Limits of each command; empty uses the Studio default. A grant may set its own.</p>
      <div className="cap-limits">
        {limitFields.map((f) => {
          const units = unitsOf[f.kind];
          const d = draft.limits[f.key];
          return (
            <label key={f.key}>
              <span>{limitLabels[f.key]}</span>
              <input
                type="number"
                min="0"
                step="any"
                aria-label={`${limitLabels[f.key]} limit`}
                value={d.value}
                placeholder={placeholderOf(f, d.unit)}
                onChange={(e) => setLimit(f.key, { value: e.target.value })}
              />
              {units.length > 1 ? (
                <select aria-label={`${limitLabels[f.key]} unit`} value={d.unit} onChange={(e) => setLimit(f.key, { unit: e.target.value })}>
                  {units.map(([u]) => (
                    <option key={u} value={u}>
                      {u}
                    </option>
                  ))}
                </select>
              ) : (
                <span className="muted small">{f.kind === 'count' ? 'at once' : units[0]?.[0]}</span>
              )}
            </label>
          );
        })}
      </div>
      <label className="cap-env">
        <span>Extra environment variables</span>
        <textarea
          aria-label="Extra environment variables"
          className="mono"
          rows={2}
          value={draft.env}
          placeholder="names, comma or line separated, e.g. GOFLAGS, NODE_OPTIONS"
          spellCheck={false}
          onChange={(e) => onChange({ ...draft, env: e.target.value })}
        />
      </label>
      <p className="muted small">Always passed: {fixedEnv}. Nothing else of your environment reaches a command.</p>
      <label className={`check cap-unsandboxed${draft.unsandboxed ? ' on' : ''}`}>
        <input
          type="checkbox"
          checked={draft.unsandboxed}
          onChange={(e) => {
            if (e.target.checked) setConfirming(true);
            else onChange({ ...draft, unsandboxed: false });
          }}
        />
        <span>Run commands unsandboxed</span>
      </label>
      {draft.unsandboxed && !confirming && (
        <p className="cap-danger-note small" role="note">
          Commands run as plain children with your full rights. Every such command is recorded as unsandboxed.
        </p>
      )}
      {confirming && (
        <div className="cap-confirm danger" role="alertdialog" aria-label="Run commands unsandboxed?">
          <p>
            <strong>Run this workspace's commands unsandboxed?</strong> Commands run as plain children with your full rights: they can read and write anything you can,
            use the network, and outlive the run. Their writes are not staged for review. The decision is recorded.
          </p>
          <div className="cap-actions">
            <button
              className="danger"
              onClick={() => {
                setConfirming(false);
                onChange({ ...draft, unsandboxed: true });
              }}
            >
              Run unsandboxed
            </button>
            <button onClick={() => setConfirming(false)}>Keep the sandbox</button>
          </div>
        </div>
      )}
    </fieldset>
  );
}

function PolicyEditor({ workspaceId, state, onSaved }: { workspaceId: string; state: CapabilityState; onSaved: (s: CapabilityState) => void }) {
  const [rules, setRules] = useState<DraftRule[]>(() => (state.policy.rules ?? []).map(toDraft));
  const [dirty, setDirty] = useState(false);
  const [memOnChange, setMemOnChange] = useState(state.policy.memoryOnSourceChange ?? '');
  const [sandbox, setSandbox] = useState<SandboxDraft>(() => toSandboxDraft(state.policy.sandbox));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // added is the key of the rule Add rule appended last, whose fate the add note tells.
  const [added, setAdded] = useState<number | null>(null);
  const kinds = state.kinds ?? [];
  const changedAt = usePolicyTime(state.policySeq);
  const asRules = rules.map(fromDraft);
  const shadows = asRules.map((_, i) => ruleShadow(asRules, i));
  const addedAt = rules.findIndex((r) => r.key === added);
  // A change elsewhere (another window, a reset) shows unless the user is editing.
  const [seenSeq, setSeenSeq] = useState(state.policySeq);
  if (seenSeq !== state.policySeq) {
    setSeenSeq(state.policySeq);
    if (!dirty) {
      setRules((state.policy.rules ?? []).map(toDraft));
      setMemOnChange(state.policy.memoryOnSourceChange ?? '');
      setSandbox(toSandboxDraft(state.policy.sandbox));
    }
  }

  const edit = (f: (rs: DraftRule[]) => DraftRule[]) => {
    setRules(f);
    setDirty(true);
    setError(null);
  };
  const patch = (i: number, p: Partial<DraftRule>) => edit((rs) => rs.map((r, j) => (j === i ? { ...r, ...p } : r)));
  const move = (i: number, by: number) =>
    edit((rs) => {
      const out = [...rs];
      const [r] = out.splice(i, 1);
      if (r) out.splice(i + by, 0, r);
      return out;
    });
  const save = async (policy: CapPolicy) => {
    setBusy(true);
    setError(null);
    try {
      const next = await api.SetPolicy({ workspaceId, policy });
      setRules((next.policy.rules ?? []).map(toDraft));
      setMemOnChange(next.policy.memoryOnSourceChange ?? '');
      setSandbox(toSandboxDraft(next.policy.sandbox));
      setDirty(false);
      onSaved(next);
      // The status bar says whether this workspace now runs commands unsandboxed.
      void loadSandboxStatus();
    } catch (err) {
      setError(errorMessage(err));
    }
    setBusy(false);
  };
  const saveDraft = () => {
    const sb = fromSandboxDraft(sandbox);
    if ('error' in sb) {
      setError(sb.error);
      return;
    }
    void save({ rules: rules.map(fromDraft), memoryOnSourceChange: memOnChange, sandbox: sb.sandbox });
  };

  return (
    <section className="cap-section" aria-label="Policy">
      <h3>Policy</h3>
      <p className="muted small" data-testid="policy-origin">
        {state.policySeq === 0 ? 'Default policy' : `Changed by you${changedAt ? ` at ${time(changedAt)}` : ''} (event #${state.policySeq})`}
        {dirty && ' · unsaved changes'}
      </p>
      <p className="muted small">The first rule that matches decides; nothing matched is denied.</p>
      <table className="cap-rules">
        <thead>
          <tr>
            <th>#</th>
            <th>Kind</th>
            <th>Scope</th>
            <th>Effect</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rules.map((r, i) => (
            <tr key={r.key} data-testid="policy-rule" className={shadows[i] ? 'shadowed' : undefined}>
              <td className="muted">
                {i + 1}
                {shadows[i] && (
                  <span className="cap-rule-flag" aria-hidden title={shadows[i]?.text}>
                    {' '}
                    ⚠
                  </span>
                )}
              </td>
              <td>
                <KindSelect
                  kinds={kinds}
                  label={`Kind of rule ${i + 1}`}
                  value={r.kind}
                  onChange={(kind) => patch(i, { kind, scope: kind === 'memory.write' ? '*' : r.kind.startsWith('fs.') && kind.startsWith('fs.') ? r.scope : '', endpoint: '' })}
                />
              </td>
              <td>
                <ScopeField
                  kind={r.kind}
                  label={`Scope of rule ${i + 1}`}
                  value={r.scope}
                  onChange={(scope) => patch(i, { scope })}
                  endpoint={r.endpoint}
                  onEndpoint={(endpoint) => patch(i, { endpoint })}
                />
                {shadows[i] && <div className="cap-rule-warning small">{shadows[i]?.text}</div>}
              </td>
              <td>
                <select aria-label={`Effect of rule ${i + 1}`} value={r.effect} onChange={(e) => patch(i, { effect: e.target.value })}>
                  {effects.map((e) => (
                    <option key={e} value={e}>
                      {e}
                    </option>
                  ))}
                </select>
              </td>
              <td className="cap-rule-tools">
                <button className="icon-btn" aria-label={`Move rule ${i + 1} up`} disabled={i === 0} onClick={() => move(i, -1)}>
                  ↑
                </button>
                <button className="icon-btn" aria-label={`Move rule ${i + 1} down`} disabled={i === rules.length - 1} onClick={() => move(i, 1)}>
                  ↓
                </button>
                <button className="icon-btn" aria-label={`Remove rule ${i + 1}`} onClick={() => edit((rs) => rs.filter((_, j) => j !== i))}>
                  ×
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <label className="cap-memory-policy">
        <span>When a file a memory derives from changes</span>{' '}
        <select
          aria-label="When a memory's source file changes"
          value={memOnChange}
          onChange={(e) => {
            setMemOnChange(e.target.value);
            setDirty(true);
          }}
        >
          <option value="">invalidate the memory (default)</option>
          <option value="invalidate">invalidate the memory</option>
          <option value="review">flag it for review</option>
        </select>
      </label>
      <SandboxFields
        draft={sandbox}
        onChange={(d) => {
          setSandbox(d);
          setDirty(true);
          setError(null);
        }}
      />
      <div className="cap-actions">
        <button
          onClick={() => {
            const key = nextKey++;
            setAdded(key);
            edit((rs) => [...rs, { key, kind: 'fs.read', scope: '**', endpoint: '', effect: 'ask' }]);
          }}
        >
          Add rule
        </button>
        <span className="spacer" />
        <button
          disabled={busy}
          onClick={() => void save({ rules: (state.default.rules ?? []).map((r) => ({ ...r })), sandbox: state.default.sandbox ?? { limits: {} } })}
          title="Replace the policy with the default one"
        >
          Reset to default
        </button>
        <button
          disabled={busy || !dirty}
          onClick={() => {
            setRules((state.policy.rules ?? []).map(toDraft));
            setMemOnChange(state.policy.memoryOnSourceChange ?? '');
            setSandbox(toSandboxDraft(state.policy.sandbox));
            setDirty(false);
            setError(null);
          }}
        >
          Discard
        </button>
        <button className="primary" disabled={busy || !dirty} onClick={saveDraft}>
          {busy ? 'Saving…' : 'Save policy'}
        </button>
      </div>
      {addedAt >= 0 && shadows[addedAt] && <AddRuleNote at={addedAt} shadow={shadows[addedAt] as RuleShadow} denied={asRules[(shadows[addedAt] as RuleShadow).by - 1]?.effect === 'deny'} />}
      <FormError error={error} />
    </section>
  );
}

/** AddRuleNote tells, by Add rule, that the rule just added can never match, and what would make it count. */
function AddRuleNote({ at, shadow, denied }: { at: number; shadow: RuleShadow; denied: boolean }) {
  return (
    <p className="cap-rule-warning small" data-testid="add-rule-note" role="note">
      Rule {at + 1} can never match: {shadow.text.replace(/^Never matches: /, '')}{' '}
      {denied
        ? `Deny rules are checked first wherever they are: narrow or remove rule ${shadow.by} for it to count.`
        : `New rules go last: move it above rule ${shadow.by} with ↑, or narrow rule ${shadow.by}.`}
    </p>
  );
}

function GrantRow({ g, end }: { g: Grant; end: string }) {
  const [busy, setBusy] = useState(false);
  const revoke = async () => {
    setBusy(true);
    try {
      await api.Revoke({ grantId: g.id });
    } catch (err) {
      store.toast('error', `Could not revoke the grant: ${errorMessage(err)}`);
    }
    setBusy(false);
  };
  return (
    <li className={`cap-grant${end ? ' ended' : ''}`} data-grant={g.id} aria-label={`Grant ${g.kind} ${scopeText(g.kind, g.scope)}`}>
      <div className="cap-grant-head">
        <span className="chip">{g.kind}</span>
        <span className="mono">{g.describe || scopeText(g.kind, g.scope)}</span>
        <span className="spacer" />
        {end ? (
          <span className="muted small" title={end.startsWith('run ') ? 'A grant bound to a run ends with the run: nothing can use it any more' : undefined}>
            {end}
          </span>
        ) : (
          <button className="danger" disabled={busy} onClick={() => void revoke()}>
            {busy ? 'Revoking…' : 'Revoke'}
          </button>
        )}
      </div>
      <div className="muted small">
        {g.run ? `this run only (${shortId(g.run)})` : 'standing'} · {grantUses(g)}
        {g.expiresAt ? ` · expires ${time(g.expiresAt)}` : ''} · issued by {g.issuedBy} at {time(g.grantedAt)} (event #{g.grantedSeq})
        {g.reason ? `: ${g.reason}` : ''}
      </div>
    </li>
  );
}

function Grants({ grants, runOutcomes }: { grants: Grant[]; runOutcomes: Record<string, string> }) {
  const [showEnded, setShowEnded] = useState(false);
  const rows = grants.map((g) => ({ g, end: grantEnd(g, runOutcomes[g.run ?? '']) }));
  const inForce = rows.filter((r) => !r.end);
  const ended = rows.filter((r) => r.end);
  return (
    <section className="cap-section" aria-label="Grants">
      <h3>Grants</h3>
      {inForce.length === 0 ? (
        <p className="muted small">No grants in force.</p>
      ) : (
        <ul className="cap-grants" aria-label="Grant list">
          {inForce.map(({ g, end }) => (
            <GrantRow key={g.id} g={g} end={end} />
          ))}
        </ul>
      )}
      <label className="check small">
        <input type="checkbox" checked={showEnded} onChange={(e) => setShowEnded(e.target.checked)} />
        <span>Show ended grants ({ended.length}): revoked, expired, or of a finished run</span>
      </label>
      {showEnded && ended.length > 0 && (
        <>
          <h4 className="cap-ended-head">Ended</h4>
          <ul className="cap-grants ended" aria-label="Ended grants">
            {ended.map(({ g, end }) => (
              <GrantRow key={g.id} g={g} end={end} />
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function GrantForm({ workspaceId, kinds }: { workspaceId: string; kinds: string[] }) {
  const [kind, setKind] = useState(kinds[0] ?? 'fs.write');
  const [scope, setScope] = useState('');
  const [endpoint, setEndpoint] = useState('');
  const [minutes, setMinutes] = useState('');
  const [maxUses, setMaxUses] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.Grant({
        workspaceId,
        kind,
        scope: scopeFrom(kind, scope, endpoint),
        expiresInS: minutes.trim() ? Math.round(Number(minutes) * 60) : 0,
        maxUses: maxUses.trim() ? Math.round(Number(maxUses)) : 0,
        reason: reason.trim() || 'granted by the user in the Studio',
      });
      setScope('');
      setEndpoint('');
      setMinutes('');
      setMaxUses('');
      setReason('');
    } catch (err) {
      setError(errorMessage(err));
    }
    setBusy(false);
  };
  return (
    <section className="cap-section" aria-label="Grant">
      <h3>Grant…</h3>
      <form className="cap-grant-form" aria-label="Standing grant" onSubmit={(ev) => void submit(ev)}>
        <label>
          <span>Kind</span>
          <KindSelect
            kinds={kinds}
            label="Grant kind"
            value={kind}
            onChange={(k) => {
              setKind(k);
              setScope(k === 'memory.write' ? '*' : '');
              setEndpoint('');
            }}
          />
        </label>
        <label>
          <span>Scope</span>
          <ScopeField kind={kind} label="Grant scope" value={scope} onChange={setScope} endpoint={endpoint} onEndpoint={setEndpoint} />
        </label>
        <label>
          <span>Expires in (minutes)</span>
          <input aria-label="Expires in minutes" type="number" min="0" value={minutes} onChange={(e) => setMinutes(e.target.value)} placeholder="never" />
        </label>
        <label>
          <span>Max uses</span>
          <input aria-label="Max uses" type="number" min="0" value={maxUses} onChange={(e) => setMaxUses(e.target.value)} placeholder="unlimited" />
        </label>
        <label>
          <span>Reason</span>
          <input aria-label="Grant reason" value={reason} onChange={(e) => setReason(e.target.value)} placeholder="why (kept in the log)" />
        </label>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Granting…' : 'Grant'}
        </button>
        <FormError error={error} />
      </form>
    </section>
  );
}

function History({ rows, error }: { rows: Decision[] | null; error: string | null }) {
  return (
    <section className="cap-section" aria-label="History">
      <h3>History</h3>
      <FormError error={error} what="history" />
      {rows === null ? (
        !error && <p className="muted small">Loading…</p>
      ) : rows.length === 0 ? (
        <p className="muted small">Nothing used or refused yet.</p>
      ) : (
        <ul className="cap-history" aria-label="Capability decisions">
          {rows.map((d) => (
            <li key={d.row.seq} className={`cap-decision ${d.row.type === 'capability.denied' ? 'tone-bad' : ''}`} data-type={d.row.type} data-seq={d.row.seq}>
              <span className="muted small" title={time(d.row.at)}>
                {clock(d.row.at)}
              </span>{' '}
              <span className={`chip${d.row.type === 'capability.denied' ? ' bad' : ''}`}>{d.row.type === 'capability.denied' ? 'denied' : 'used'}</span>{' '}
              <span className="chip">{d.kind}</span> <span className="mono">{d.target}</span>
              {d.reason && <span className="muted small"> — {d.reason}</span>} <WhyLink seq={d.row.seq} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function CapabilitiesPanel({ workspaceId }: { workspaceId: string }) {
  const caps = useCapabilities(workspaceId);
  // The configured endpoints' URLs are offered in a model.invoke scope; without them, a URL is typed.
  const endpoints = useEndpoints();
  const history = useHistory(workspaceId);
  const refreshAll = useThrottled(() => {
    void caps.reload();
    void history.reload();
  }, 300);
  useEffect(() => {
    const offs = [
      on(Events.CapabilitiesChanged, (c) => {
        if (c.workspaceId === workspaceId) refreshAll();
      }),
      on(Events.RunChanged, refreshAll),
      on(Events.EventsAppended, refreshAll),
      on(Events.Reconnected, refreshAll),
    ];
    return () => offs.forEach((off) => off());
  }, [workspaceId, refreshAll]);

  const st = caps.state;
  return (
    <div className="caps-panel" aria-label="Capabilities">
      {caps.error && (
        <div className="run-error" role="alert">
          <span>Could not load the capabilities: {caps.error}</span>
          <button onClick={() => void caps.reload()}>Retry</button>
        </div>
      )}
      {!st ? (
        !caps.error && <p className="muted run-empty">Loading…</p>
      ) : (
        <>
          {(st.asks ?? []).length > 0 && (
            <p className="ask-note small" role="status">
              {(st.asks ?? []).length} request{(st.asks ?? []).length === 1 ? '' : 's'} waiting for your approval in the runs.
            </p>
          )}
          <PolicyEditor workspaceId={workspaceId} state={st} onSaved={(s) => caps.setState(s)} />
          <Grants grants={st.grants ?? []} runOutcomes={st.runOutcomes ?? {}} />
          <GrantForm workspaceId={workspaceId} kinds={st.kinds ?? []} />
        </>
      )}
      <History rows={history.rows} error={history.error} />
      <datalist id={endpointListId}>
        {(endpoints.list ?? []).map((e) => (
          <option key={e.id} value={e.url}>
            {e.name}
          </option>
        ))}
      </datalist>
    </div>
  );
}
