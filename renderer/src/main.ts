import './lib/zod-csp.js';
import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { BrowserPlatform } from './lib/platform-browser.js';
import { ElectronPlatform } from './lib/platform-electron.js';
import type { Platform } from './lib/platform.js';
import { Session } from './lib/session.svelte.js';

// One code path for both homes: the preload's window.studio means the desktop app.
const platform: Platform = window.studio ? new ElectronPlatform(window.studio) : new BrowserPlatform();
const session = new Session(platform);

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
mount(App, { target, props: { session } });
session.start();

// For end-to-end tests and the curious: the session, read-only by convention.
(window as unknown as { __studio?: unknown }).__studio = { session, platform };
