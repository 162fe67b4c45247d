/**
 * depends_on: → [Unit] dependencies on the other services' units. A required dependency is Requires= (a
 * restart or stop of it reaches the dependent, as compose's restart: true asks), an optional one Wants=;
 * both After=. Waiting for `service_healthy` needs the dependency's unit to be ready only once its check
 * passes: that is Notify=healthy on the dependency, which the caller sets.
 */
import { quoteListWord } from '../../unit/quote.js';
import type { ComposeContext } from './context.js';
import { serviceStem } from './names.js';
import type { Parts } from './parts.js';
import type { Node, Where } from './tree.js';
import { field } from './values.js';

export type Condition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface Dependency {
  readonly service: string;
  readonly condition: Condition;
  readonly required: boolean;
  readonly at: Where;
}

const CONDITIONS: readonly string[] = ['service_started', 'service_healthy', 'service_completed_successfully'];

export function dependencies(ctx: ComposeContext, node: Node): Dependency[] {
  const { v } = ctx;
  const deps: Dependency[] =
    node.kind === 'seq'
      ? v.texts(node).map((t) => ({ service: t.value, condition: 'service_started', required: true, at: t.at }))
      : v.entries(node).map((e) => {
          const entries = v.entries(e.value);
          const condition = field(entries, 'condition');
          const required = field(entries, 'required');
          const c = condition ? v.text(condition.value) : 'service_started';
          if (!CONDITIONS.includes(c)) v.fail(condition!.value.at, `condition: one of ${CONDITIONS.join(', ')}`);
          return { service: e.key, condition: c as Condition, required: required ? v.bool(required.value) : true, at: e.at };
        });
  for (const d of deps) if (!ctx.services.has(d.service)) v.fail(d.at, `no service "${d.service}" in this file`);
  return deps;
}

/** The dependent's side: its [Unit] lines, and a report where systemd orders differently from compose. */
export function dependOn(ctx: ComposeContext, parts: Parts, deps: readonly Dependency[]): void {
  for (const d of deps) {
    const unit = quoteListWord(`${serviceStem(ctx.project, d.service)}.service`, { specifiers: 'escape' });
    parts.key('Unit', d.required ? 'Requires' : 'Wants', unit);
    parts.key('Unit', 'After', unit);
    if (d.condition === 'service_completed_successfully') {
      parts.report(d.at, `service_completed_successfully: After= waits until ${d.service}'s unit has started, not until it has exited; give ${serviceStem(ctx.project, d.service)}.container [Service] Type=oneshot (and RemainAfterExit=yes) so that starting it means running it to the end`);
    }
  }
}
