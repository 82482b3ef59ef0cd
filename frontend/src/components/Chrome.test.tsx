import { fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { initialState, store } from '../store';
import { TitleBar } from './Chrome';

const tabs = () =>
  within(screen.getByRole('navigation', { name: 'Workspaces' }))
    .getAllByRole('button')
    .filter((b) => b.classList.contains('tab'));
const current = () => tabs().filter((b) => b.getAttribute('aria-current') === 'page').map((b) => b.textContent);

describe('<TitleBar>', () => {
  beforeEach(() => {
    store.update({
      ...initialState,
      loading: false,
      workspaces: [
        { id: 'w1', name: 'alpha', root: '/home/u/alpha', openedAt: 1 },
        { id: 'w2', name: 'beta', root: '/home/u/beta', openedAt: 2 },
      ],
    });
  });
  afterEach(() => {
    store.update(initialState);
  });

  it('puts the Event log tab right after Welcome, before the workspaces', () => {
    render(<TitleBar />);
    expect(tabs().map((b) => b.textContent)).toEqual(['Welcome', 'Event log', 'alpha', 'beta']);
    expect(current()).toEqual(['Welcome']);
  });

  it('switches between the event log, the welcome screen and a workspace, one tab active at a time', () => {
    render(<TitleBar />);
    fireEvent.click(screen.getByRole('button', { name: 'Event log' }));
    expect(store.get().view).toBe('events');
    expect(current()).toEqual(['Event log']);
    expect(screen.getByRole('button', { name: 'Event log' }).classList.contains('active')).toBe(true);

    fireEvent.click(screen.getByRole('button', { name: 'beta' }));
    expect(store.get()).toMatchObject({ view: 'workspaces', activeWorkspace: 'w2' });
    expect(current()).toEqual(['beta']);

    fireEvent.click(screen.getByRole('button', { name: 'Event log' }));
    // The workspace stays open behind the event log.
    expect(store.get()).toMatchObject({ view: 'events', activeWorkspace: 'w2' });
    expect(current()).toEqual(['Event log']);

    fireEvent.click(screen.getByRole('button', { name: 'Welcome' }));
    expect(store.get()).toMatchObject({ view: 'workspaces', activeWorkspace: null });
    expect(current()).toEqual(['Welcome']);
  });
});
