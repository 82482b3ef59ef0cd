import { fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { initialState, store } from '../store';
import { EventLink } from './EventDetail';
import { goToEventCommand } from './eventCommands';
import { palette } from './palette/CommandPalette';

describe('jump to an event', () => {
  afterEach(() => store.update(initialState));

  it('an EventLink opens the event log at its event', () => {
    render(
      <div onClick={() => store.update({ view: 'models' })}>
        <EventLink seq={42} />
        <EventLink id="0192abcd-ef01-7000-8000-aabbccddeeff">cause</EventLink>
      </div>,
    );
    fireEvent.click(screen.getByRole('button', { name: '#42' }));
    expect(store.get().view).toBe('events');
    expect(store.get().eventJump).toEqual({ seq: 42, id: '' });
    fireEvent.click(screen.getByRole('button', { name: 'cause' }));
    expect(store.get().eventJump).toEqual({ seq: 0, id: '0192abcd-ef01-7000-8000-aabbccddeeff' });
  });

  it('the events.show command asks for a #seq or id until it reads one', async () => {
    const asked: string[] = [];
    const answers = ['two words', '#7'];
    const saved = palette.askText.bind(palette);
    palette.askText = async (ask) => {
      asked.push(ask.prompt);
      return answers.shift() ?? null;
    };
    try {
      await goToEventCommand();
    } finally {
      palette.askText = saved;
    }
    expect(asked).toEqual(['Go to event — its #seq or id', '“two words” is not an event\'s #seq or id — try again']);
    expect(store.get().eventJump).toEqual({ seq: 7, id: '' });
    expect(store.get().view).toBe('events');
  });
});
