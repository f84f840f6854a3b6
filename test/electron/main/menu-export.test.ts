// File › Export Model: one item per format, each forwarded to the renderer (which converts and offers the file).
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { buildMenuTemplate, findMenuItem, type MenuHandlers } from '../../../electron/main/menu.js';

describe.each(['linux', 'darwin'] as const)('File › Export Model on %s', (platform) => {
  it('offers ONNX, NumPy and the PyTorch project and sends the chosen format', () => {
    const handlers: MenuHandlers = { send: vi.fn(), reloadEngine: vi.fn(), clearRecent: vi.fn(), about: vi.fn(), shortcuts: vi.fn() };
    const template = buildMenuTemplate({ platform, recent: [], devTools: false, handlers });
    const submenu = findMenuItem(template, 'export-model')!.submenu as MenuItemConstructorOptions[];
    expect(submenu.map((i) => i.label)).toEqual(['&ONNX (.onnx)…', '&NumPy (.npz)…', '&PyTorch Project (.zip)…']);
    for (const id of ['export-model-onnx', 'export-model-npz', 'export-model-pytorch']) (findMenuItem(template, id)!.click as () => void)();
    expect(vi.mocked(handlers.send).mock.calls.map((c) => c[0])).toEqual([
      { type: 'export-model', format: 'onnx' },
      { type: 'export-model', format: 'npz' },
      { type: 'export-model', format: 'pytorch' },
    ]);
  });
});
