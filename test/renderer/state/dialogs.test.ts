import { describe, expect, it } from 'vitest';
import { Dialogs } from '../../../renderer/src/lib/state/dialogs.svelte.js';

describe('Dialogs', () => {
  it('holds one question until it is answered, then resolves with the choice', async () => {
    const d = new Dialogs();
    expect(d.open).toBe(false);
    const answer = d.ask({ title: 'Discard unsaved changes?', message: 'm', confirm: 'Discard', extra: 'Save first', cancel: 'Cancel' });
    expect(d.open).toBe(true);
    expect(d.confirmRequest?.extra).toBe('Save first');
    d.confirmRequest!.resolve('extra');
    expect(await answer).toBe('extra');
    expect(d.confirmRequest).toBeNull();
  });

  it('prompts for a line of text; cancel resolves with null', async () => {
    const d = new Dialogs();
    const named = d.prompt({ title: 'Save model', message: 'm', value: 'spiral.safetensors', confirm: 'Save' });
    expect(d.promptRequest?.value).toBe('spiral.safetensors');
    d.promptRequest!.resolve('mine');
    expect(await named).toBe('mine');
    const cancelled = d.prompt({ title: 'Save model', message: 'm', value: 'x', confirm: 'Save' });
    d.promptRequest!.resolve(null);
    expect(await cancelled).toBeNull();
    expect(d.open).toBe(false);
  });
});
