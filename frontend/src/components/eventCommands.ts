// The event log's commands: go to an event by its #seq or id.
import { showEvent } from '../actions';
import { useCommands } from '../commands';
import { store, type Store } from '../store';
import { askText } from './palette/CommandPalette';
import { parseEventRef } from './eventPages';

/** goToEventCommand asks for an event's #seq or id and shows it in the event log. */
export async function goToEventCommand(s: Store = store): Promise<void> {
  let error = '';
  for (;;) {
    const text = await askText({ prompt: error || 'Go to event — its #seq or id', placeholder: '#42 or 0192…' });
    if (text === null) return;
    const ref = parseEventRef(text);
    if (ref) return showEvent(ref, s);
    error = `“${text}” is not an event's #seq or id — try again`;
  }
}

/** useEventCommands registers the event log's commands while the app is mounted. */
export function useEventCommands(s: Store = store): void {
  useCommands([{ id: 'events.show', title: 'Go to event…', category: 'Log', run: () => goToEventCommand(s) }]);
}
