/**
 * The task itself, shown beside the canvas when no node is selected: its ids (copyable), template,
 * status, times, which step failed and why, its input and its result (a flow: its data), and
 * "Run again with edited input", which opens the Start task form prefilled with this input.
 */
import type { TaskRecord, TemplateSummary } from '../../../core/host/protocol.js';
import { shortTaskId } from '../../../core/host/protocol.js';
import { clock, duration } from '../../lib/format.js';
import type { LiveState } from '../../lib/liveState.js';
import { CopyButton } from '../CopyButton.js';
import { JsonTree } from '../debug/JsonTree.js';
import { StatusPill } from '../StatusPill.js';

interface Props {
  task: TaskRecord;
  template: TemplateSummary | undefined;
  live: LiveState | undefined;
  /** The status the header shows (paused included). */
  status: string;
  onRunAgain: () => void;
  onOpenNode: (name: string) => void;
  onOpenTask?: (id: string) => void;
  onClose: () => void;
}

export function TaskSummary({ task, template, live, status, onRunAgain, onOpenNode, onOpenTask, onClose }: Props) {
  const failedSteps = Object.entries(live?.nodes ?? {})
    .filter(([, n]) => n.state === 'error')
    .map(([name]) => name);
  const finishedAt = task.finishedAt;
  return (
    <aside className="inspector task-summary" aria-label={`Task ${shortTaskId(task.id)}`} data-testid="task-summary">
      <div className="inspector-head">
        <h2>
          Task <code>{shortTaskId(task.id)}</code>
        </h2>
        <StatusPill state={status} />
        <button className="icon-btn" aria-label="Hide task details" onClick={onClose}>
          ×
        </button>
      </div>
      <div className="insp-actions">
        <button className="btn sm" onClick={onRunAgain} disabled={!template?.valid} title={template?.valid ? 'Start a new task of this template with this input, edited first' : 'The template is not valid now'}>
          ↻ Run again with edited input
        </button>
      </div>
      <div className="inspector-body">
        <dl className="kv">
          <dt>id</dt>
          <dd className="id-cell">
            <span>{task.id}</span> <CopyButton text={task.id} label="Copy task id" />
          </dd>
          <dt>template</dt>
          <dd>{task.templateRef}</dd>
          <dt>started</dt>
          <dd>{new Date(task.createdAt).toLocaleString()}</dd>
          {finishedAt !== null ? (
            <>
              <dt>finished</dt>
              <dd>
                {clock(finishedAt)} ({duration(finishedAt - task.createdAt)})
              </dd>
            </>
          ) : null}
          {task.parentTaskId ? (
            <>
              <dt>parent</dt>
              <dd>
                <button className="link mono" onClick={() => onOpenTask?.(task.parentTaskId!)}>
                  {shortTaskId(task.parentTaskId)}
                </button>
              </dd>
            </>
          ) : null}
        </dl>
        {task.error ? (
          <div className="error-box" role="alert" data-testid="task-summary-error">
            {failedSteps.length > 0 ? (
              <div className="muted">
                failed in{' '}
                {failedSteps.map((s) => (
                  <button key={s} className="link mono" onClick={() => onOpenNode(s)}>
                    {s}
                  </button>
                ))}
              </div>
            ) : null}
            <div className="error-class">{task.error.class}</div>
            <div className="error-message">{task.error.message}</div>
          </div>
        ) : null}
        <h3>Input</h3>
        <JsonTree value={task.input} label="task input" />
        <h3>{task.kind === 'flow' ? 'Data' : 'Result'}</h3>
        {task.kind === 'flow' ? <JsonTree value={task.data} label="flow data" /> : task.result === null ? <div className="empty">No result yet.</div> : <JsonTree value={task.result} label="task result" />}
      </div>
    </aside>
  );
}
